"""One configuration for the whole pipeline, read by the CLI, the app, the evaluation and tests.

Values come from the defaults below, then the calibration file (when it was fitted for the
configured model), then an optional TOML file (`RAG_CONFIG`, or `rag.toml` in the working
directory), then `RAG_*` environment variables, then explicit overrides.
"""

from __future__ import annotations

import json
import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from corpus import DEFAULT_CORPUS_DIR, ChunkerSettings
from corpus.limits import PARSE_TIME_LIMIT_SECONDS
from embeddings.index.backends import IndexTarget
from embeddings.model.backend.packaged import DEFAULT_CACHE_DIR, PACKAGED_MODEL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Written by `python -m eval calibrate`; only the keys that are settings are read from it.
CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
logger = logging.getLogger(__name__)


class AnswerMode(StrEnum):
    EXTRACTIVE = "extractive"
    LLM = "llm"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = DEFAULT_CORPUS_DIR
    index_dir: Path = PROJECT_ROOT / "index"
    cache_dir: Path = DEFAULT_CACHE_DIR
    model: str = PACKAGED_MODEL
    # "onnx" (fp32 on onnxruntime: the torch vectors, without importing torch), "torch" (fp32
    # on sentence-transformers, the reference) or "onnx-int8" (packaged model only; passages in
    # int8 for a faster ingest, queries in fp32). onnx and torch share indexes; an int8 index is
    # tied to int8. Models other than the packaged one always run on torch. README, Performance.
    embedding_backend: str = "onnx"
    # Where the index lives: "faiss" (files in index_dir) or "milvus" (a milvus-lite file in
    # index_dir unless milvus_uri names a Milvus server or cluster). README, Past one machine.
    index_backend: str = "faiss"
    milvus_uri: str | None = None
    milvus_token: str | None = field(default=None, repr=False)
    milvus_prefix: str = "rag_"
    # The vector index a Milvus (re)build makes: FLAT (exact), IVF_FLAT, or on a Milvus server or
    # cluster IVF_SQ8 or HNSW.
    milvus_index: str = "FLAT"
    # Ray batch ingest (`python -m rag ingest --engine ray`): actors each load the model once;
    # 0 is one per CPU of the local Ray or the cluster in RAY_ADDRESS.
    ray_actors: int = 0
    ray_cpus_per_actor: int = 1
    chunk_tokens: int = ChunkerSettings.max_tokens
    chunk_overlap: int = ChunkerSettings.overlap_tokens
    top_k: int = 5
    # Candidates each retriever contributes before fusion.
    candidates: int = 30
    rrf_k: int = 60
    hybrid: bool = True
    max_answer_sentences: int = 4
    # Weights of the fused rankings per question language ({"ar": {"dense": 1.0, "sentences":
    # 1.0, "bm25": 1.0}, "en": {...}}); equal weights without one. Fitted by `python -m eval
    # calibrate` on XQuAD and ARCD train, which the seed questions are not part of; see README.
    fusion_weights: dict[str, Any] | None = None
    # The confidence model per question language (rag/answer/confidence.py) and the thresholds on
    # its probability that make the tiers ({"ar": {"answer": 0.8, "related": 0.2}, ...}), fitted
    # by the same command. Without them every answer is in the answer tier.
    confidence: dict[str, Any] | None = None
    tier_thresholds: dict[str, Any] | None = None
    # An answer sentence whose best cosine to its cited passage is lower is flagged unsupported
    # (fitted by `python -m eval calibrate --fit support`).
    support_threshold: float = 0.85
    # Two sentences at least this similar state the same claim: the answer adds a second
    # sentence only below it, and articles above it count as reporting the same thing.
    same_claim_threshold: float = 0.85
    answer_mode: AnswerMode = AnswerMode.EXTRACTIVE
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    # Seconds for the whole LLM reply (connect, first token and the full stream), not per read.
    llm_timeout: float = 30.0
    llm_temperature: float = 0.0
    llm_max_tokens: int = 1024
    max_question_chars: int = 2000
    # The chat server (app.py). Login is required when both username and password are set.
    host: str = "127.0.0.1"
    port: int = 7860
    app_username: str | None = None
    app_password: str | None = field(default=None, repr=False)
    # The key other tools send (`Authorization: Bearer ...`) to the app's OpenAI-compatible
    # endpoint and MCP server. With a login set and no key, those two stay closed.
    api_key: str | None = field(default=None, repr=False)
    app_concurrency: int = 2
    # Browser sessions whose chat state the server keeps; the least recently used one beyond this
    # is dropped (a 1000-question soak grew ~40 MB under Gradio's default of 10,000).
    session_capacity: int = 500
    # Request bodies other than uploads (questions with their chat history, API calls), in MB.
    max_request_mb: float = 2.0
    # Files in one upload request; each file is at most corpus.loader.MAX_FILE_BYTES.
    max_upload_files: int = 20
    # Uploads and removals waiting to be indexed; beyond this the next one is refused plainly.
    max_queued_jobs: int = 32
    # Seconds an uploaded file may take to parse (in a worker process) before it is refused.
    parse_time_limit: float = PARSE_TIME_LIMIT_SECONDS
    # Wrong passwords one client may try before it is locked out; the lockout starts at
    # login_lockout_seconds and doubles with every further failure, up to 15 minutes.
    login_max_failures: int = 5
    login_lockout_seconds: float = 30.0
    # Other origins allowed to call the app from a browser (comma-separated, e.g. the public
    # address of a reverse proxy); the app's own origin always is.
    allowed_origins: str = ""

    @property
    def chunker(self) -> ChunkerSettings:
        return ChunkerSettings(max_tokens=self.chunk_tokens, overlap_tokens=self.chunk_overlap)

    @property
    def index_target(self) -> IndexTarget:
        return IndexTarget(
            self.index_backend,
            self.index_dir,
            self.milvus_uri,
            self.milvus_token,
            self.milvus_prefix,
            self.milvus_index,
        )

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def app_auth(self) -> tuple[str, str] | None:
        if self.app_username and self.app_password:
            return self.app_username, self.app_password
        return None


def _coerce(name: str, raw: Any) -> Any:
    kind = _FIELD_TYPES[name]
    if raw is None:
        return None
    if "Path" in kind:
        return Path(raw).expanduser()
    if "AnswerMode" in kind:
        return AnswerMode(raw)
    if kind.startswith("dict"):
        value = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(value, dict):
            raise ValueError(f"setting {name} must be a table, not {type(value).__name__}")
        return value
    if kind == "bool":
        return (
            raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}
        )
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return str(raw)


_FIELD_TYPES = {f.name: str(f.type) for f in fields(Settings)}
_FIELD_NAMES = set(_FIELD_TYPES)


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
    return {key: value for key, value in recorded.items() if key in _FIELD_NAMES}


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


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {}
    path = config_file or (Path(os.environ["RAG_CONFIG"]) if "RAG_CONFIG" in os.environ else None)
    if path is None and Path("rag.toml").is_file():
        path = Path("rag.toml")
    if path is not None:
        with path.open("rb") as handle:
            values.update(tomllib.load(handle))
    for name in _FIELD_NAMES:
        env = os.environ.get(f"RAG_{name.upper()}")
        if env is not None:
            values[name] = env
    for name, conventional in CONVENTIONAL_ENV.items():
        if name not in values and os.environ.get(conventional):
            values[name] = os.environ[conventional]
    values.update({key: value for key, value in overrides.items() if value is not None})
    values = {**_calibrated(str(values.get("model", Settings.model))), **values}
    unknown = set(values) - _FIELD_NAMES
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return replace(Settings(), **{name: _coerce(name, value) for name, value in values.items()})
