"""Settings take the calibration only for the model it was fitted for."""

from __future__ import annotations

import json
import logging

import pytest

from embeddings.model.backend.packaged import PACKAGED_MODEL
from rag.config import CALIBRATED_MODEL_KEY, CALIBRATION_FILE, Settings, load_settings


def test_the_default_model_gets_the_calibrated_confidence_tiers_and_fusion() -> None:
    recorded = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert recorded[CALIBRATED_MODEL_KEY] == PACKAGED_MODEL == Settings.model
    settings = load_settings()
    assert settings.confidence == recorded["confidence"]
    assert settings.tier_thresholds == recorded["tier_thresholds"]
    assert settings.fusion_weights == recorded["fusion_weights"]
    assert settings.support_threshold == recorded["support_threshold"]


def test_another_model_does_not_get_it_and_is_warned(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RAG_MODEL", "intfloat/multilingual-e5-base")
    with caplog.at_level(logging.WARNING, logger="rag.config"):
        settings = load_settings()
    assert settings.confidence is None and settings.tier_thresholds is None
    assert settings.fusion_weights is None
    assert "calibrated for packaged:multilingual-e5-small, not intfloat" in caplog.text
    # Explicit values still apply.
    thresholds = {"ar": {"answer": 0.8, "likely": 0.5, "related": 0.2}}
    assert load_settings(tier_thresholds=thresholds).tier_thresholds == thresholds


def test_server_settings_come_from_the_conventional_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("PORT", "8081")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("APP_USERNAME", "reader")
    monkeypatch.delenv("APP_PASSWORD", raising=False)
    monkeypatch.setenv("ARABIC_RAG_CACHE", str(tmp_path))
    settings = load_settings()
    assert (settings.host, settings.port, settings.cache_dir) == ("0.0.0.0", 8081, tmp_path)
    assert settings.app_auth is None  # a username alone does not turn the login on
    monkeypatch.setenv("APP_PASSWORD", "secret")
    assert load_settings().app_auth == ("reader", "secret")
    monkeypatch.setenv("RAG_PORT", "9000")  # the project's own name wins
    assert load_settings().port == 9000
