"""One configuration for the whole pipeline, read by the CLI, the app, the evaluation and tests.

`Settings` groups the values by the stage that reads them (`ingest`, `embedding`, `index`,
`retrieval`, `answer`, `llm`, `server`; `rag.sections`), each a frozen, typed pydantic model: a
wrong value is refused where it is read in, with the setting's name. Outside the code every setting has one flat
name (`top_k`, `index_backend`, `llm_base_url`, ...): the `RAG_<NAME>` environment variable, a key
of the TOML file (top level, or inside its section's table) and a keyword of `load_settings`.

Values come from the defaults below, then the calibration file (when it was fitted for the
configured model), then an optional TOML file (`RAG_CONFIG`, or `rag.toml` in the working
directory), then `RAG_*` environment variables, then explicit overrides.
"""

from __future__ import annotations

import json
import logging
import os
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from embeddings.model.backend.packaged import PACKAGED_MODEL
from rag.sections import (
    AnswerSettings,
    EmbeddingSettings,
    IndexSettings,
    IngestSettings,
    LLMSettings,
    RetrievalSettings,
    Section,
    ServerSettings,
)

# Written by `python -m eval calibrate`; only the keys that are settings are read from it.
CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
logger = logging.getLogger(__name__)


class AnswerMode(StrEnum):
    EXTRACTIVE = "extractive"
    LLM = "llm"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ingest: IngestSettings = IngestSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    server: ServerSettings = ServerSettings()

    @classmethod
    def of(cls, **values: Any) -> Settings:
        """Settings from flat names alone (no file, environment or calibration): tests, tools."""
        nested: dict[str, dict[str, Any]] = {}
        for name, value in values.items():
            if name not in FLAT_NAMES:
                raise ValueError(f"unknown setting: {name}")
            section, field = FLAT_NAMES[name]
            nested.setdefault(section, {})[field] = value
        return cls.model_validate(nested)

    def updated(self, **values: Any) -> Settings:
        """These settings with some values (flat names) replaced."""
        return Settings.of(**{**self.flat(), **values})

    def flat(self) -> dict[str, Any]:
        """Every value under its flat name."""
        return {
            name: getattr(getattr(self, section), field)
            for name, (section, field) in FLAT_NAMES.items()
        }


def _flat_names() -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {}
    for section, info in Settings.model_fields.items():
        kind = info.annotation
        assert isinstance(kind, type) and issubclass(kind, Section)
        for field in kind.model_fields:
            flat = kind.FLAT.get(field, field)
            assert flat not in names, f"two settings are named {flat}"
            names[flat] = (section, field)
    return names


# Flat name -> (section, field): the one table between the outside names and the sections.
FLAT_NAMES = _flat_names()

# The calibration file names the model its thresholds and confidence model were fitted for:
# scores from another model fall elsewhere, so they are not applied to it.
CALIBRATED_MODEL_KEY = "calibrated_model"


def _calibrated(model: str) -> dict[str, Any]:
    if not CALIBRATION_FILE.is_file():
        return {}
    recorded = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    fitted_for = recorded.get(CALIBRATED_MODEL_KEY, PACKAGED_MODEL)
    if fitted_for != model:
        logger.warning(
            "%s was calibrated for %s, not %s: this model has no confidence (every answer is "
            "in the answer tier) and equal fusion weights. Run `python -m eval collect` and "
            "`python -m eval calibrate` with this model.",
            CALIBRATION_FILE,
            fitted_for,
            model,
        )
        return {}
    return {key: value for key, value in recorded.items() if key in FLAT_NAMES}


# Variables other tools (the OpenAI client, `make run`) already use, read when the RAG_ ones are
# not set.
CONVENTIONAL_ENV = {
    "llm_base_url": "OPENAI_BASE_URL",
    "llm_api_key": "OPENAI_API_KEY",
    "host": "HOST",
    "port": "PORT",
    "app_username": "APP_USERNAME",
    "app_password": "APP_PASSWORD",
    "app_concurrency": "APP_CONCURRENCY",
    "cache_dir": "ARABIC_RAG_CACHE",
}


def _from_toml(path: Path) -> dict[str, Any]:
    """A TOML file's values by flat name: top-level keys, or a section's table of its fields."""
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    values: dict[str, Any] = {}
    for key, value in document.items():
        section = Settings.model_fields.get(key)
        if section is not None and isinstance(value, dict):
            kind = section.annotation
            assert isinstance(kind, type) and issubclass(kind, Section)
            values.update({kind.FLAT.get(field, field): item for field, item in value.items()})
        else:
            values[key] = value
    return values


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {}
    path = config_file or (Path(os.environ["RAG_CONFIG"]) if "RAG_CONFIG" in os.environ else None)
    if path is None and Path("rag.toml").is_file():
        path = Path("rag.toml")
    if path is not None:
        values.update(_from_toml(path))
    for name in FLAT_NAMES:
        env = os.environ.get(f"RAG_{name.upper()}")
        if env is not None:
            values[name] = env
    for name, conventional in CONVENTIONAL_ENV.items():
        if name not in values and os.environ.get(conventional):
            values[name] = os.environ[conventional]
    values.update({key: value for key, value in overrides.items() if value is not None})
    unknown = set(values) - set(FLAT_NAMES)
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values = {**_calibrated(str(values.get("model", PACKAGED_MODEL))), **values}
    try:
        return Settings.of(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"{_flat_of(problem['loc'])}: {problem['msg']}" for problem in error.errors()
        )
        raise ValueError(f"invalid setting(s): {problems}") from None


def _flat_of(location: tuple[int | str, ...]) -> str:
    """The flat name of a validation error's location (section, field)."""
    found = [name for name, place in FLAT_NAMES.items() if place == tuple(location[:2])]
    return found[0] if found else ".".join(str(part) for part in location)
