"""Settings take the calibration only for the model it was fitted for."""

from __future__ import annotations

import json
import logging

import pytest

from embeddings.model.backend.packaged import PACKAGED_MODEL
from rag.config import CALIBRATED_MODEL_KEY, CALIBRATION_FILE, Settings, load_settings


def test_the_default_model_gets_the_calibrated_confidence_tiers_and_fusion() -> None:
    recorded = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert recorded[CALIBRATED_MODEL_KEY] == PACKAGED_MODEL == Settings().embedding.model
    settings = load_settings()
    assert settings.answer.confidence == recorded["confidence"]
    assert settings.answer.tier_thresholds == recorded["tier_thresholds"]
    assert settings.retrieval.fusion_weights == recorded["fusion_weights"]
    assert settings.answer.support_threshold == recorded["support_threshold"]


def test_another_model_does_not_get_it_and_is_warned(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RAG_MODEL", "intfloat/multilingual-e5-base")
    with caplog.at_level(logging.WARNING, logger="rag.config"):
        settings = load_settings()
    assert settings.answer.confidence is None and settings.answer.tier_thresholds is None
    assert settings.retrieval.fusion_weights is None
    assert "calibrated for packaged:multilingual-e5-small, not intfloat" in caplog.text
    # Explicit values still apply.
    thresholds = {"ar": {"answer": 0.8, "likely": 0.5, "related": 0.2}}
    assert load_settings(tier_thresholds=thresholds).answer.tier_thresholds == thresholds


def test_server_settings_come_from_the_conventional_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("PORT", "8081")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("APP_USERNAME", "reader")
    monkeypatch.delenv("APP_PASSWORD", raising=False)
    monkeypatch.setenv("ARABIC_RAG_CACHE", str(tmp_path))
    settings = load_settings()
    assert (settings.server.host, settings.server.port, settings.embedding.cache_dir) == (
        "0.0.0.0",
        8081,
        tmp_path,
    )
    assert settings.server.auth is None  # a username alone does not turn the login on
    monkeypatch.setenv("APP_PASSWORD", "secret")
    assert load_settings().server.auth == ("reader", "secret")
    monkeypatch.setenv("RAG_PORT", "9000")  # the project's own name wins
    assert load_settings().server.port == 9000


def test_a_toml_file_takes_flat_names_and_section_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    for name in ("RAG_CONFIG", "RAG_TOP_K", "RAG_INDEX_BACKEND", "RAG_LLM_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "rag.toml"
    config.write_text(
        'index_backend = "milvus"\n[retrieval]\ntop_k = 8\n[llm]\ntimeout = 5\n', encoding="utf-8"
    )
    settings = load_settings(config)
    assert settings.index.backend == "milvus" and settings.retrieval.top_k == 8
    assert settings.llm.timeout == 5.0
    monkeypatch.setenv("RAG_TOP_K", "3")  # the environment comes after the file
    assert load_settings(config).retrieval.top_k == 3


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"top_k": "many"}, "top_k"),
        ({"index_backend": "sqlite"}, "index_backend"),
        ({"embedding_backend": "cuda"}, "embedding_backend"),
        ({"port": 70000}, "port"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_wrong_setting_is_refused_by_its_flat_name(values: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        load_settings(**values)


def test_every_setting_has_one_flat_name_and_round_trips() -> None:
    settings = load_settings()
    assert Settings.of(**settings.flat()) == settings
    assert settings.updated(top_k=9).retrieval.top_k == 9 and settings.retrieval.top_k != 9
