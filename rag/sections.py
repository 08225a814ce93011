"""The groups of settings, one per stage that reads them (`rag.config.Settings` holds one of each):
frozen, typed pydantic models, so a wrong value is refused where it is read in, with its name.
`FLAT` names the fields whose outside (flat) name is not their own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from corpus import DEFAULT_CORPUS_DIR, ChunkerSettings
from corpus.limits import PARSE_TIME_LIMIT_SECONDS
from embeddings.index.backends import IndexBackend, IndexTarget
from embeddings.index.milvus.collections import MilvusIndexType
from embeddings.model.backend.packaged import DEFAULT_CACHE_DIR, PACKAGED_MODEL
from embeddings.model.embedder import Backend as EmbeddingBackend

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class AnswerMode(StrEnum):
    EXTRACTIVE = "extractive"
    LLM = "llm"


def _json_text(value: Any) -> Any:
    """A table given as JSON text (an environment variable) as the table."""
    return json.loads(value) if isinstance(value, str) else value


# A folder; `~` is the user's home.
UserPath = Annotated[Path, AfterValidator(Path.expanduser)]
# A table of numbers fitted by `python -m eval calibrate`, or JSON text of one.
Table = Annotated[dict[str, Any] | None, BeforeValidator(_json_text)]


class Section(BaseModel):
    """A group of settings. `FLAT` names the fields whose flat name is not their own."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    FLAT: ClassVar[Mapping[str, str]] = {}


class IngestSettings(Section):
    corpus_dir: UserPath = DEFAULT_CORPUS_DIR
    chunk_tokens: int = Field(ChunkerSettings.max_tokens, gt=0)
    chunk_overlap: int = Field(ChunkerSettings.overlap_tokens, ge=0)
    # Seconds an uploaded file may take to parse (in a worker process) before it is refused.
    parse_time_limit: float = Field(PARSE_TIME_LIMIT_SECONDS, gt=0)
    # Pages and feeds added by address (service/fetching.py): seconds for one whole fetch, and
    # networks besides the public internet they may be fetched from (comma-separated CIDRs:
    # "10.0.0.0/8" for a private deployment; loopback and private addresses are refused).
    fetch_timeout: float = Field(20.0, gt=0)
    fetch_allowed_networks: str = ""
    # Ray batch ingest (`python -m rag ingest --engine ray`): actors each load the model once;
    # 0 is one per CPU of the local Ray or the cluster in RAY_ADDRESS.
    ray_actors: int = Field(0, ge=0)
    ray_cpus_per_actor: int = Field(1, ge=1)

    @property
    def chunker(self) -> ChunkerSettings:
        return ChunkerSettings(max_tokens=self.chunk_tokens, overlap_tokens=self.chunk_overlap)


class EmbeddingSettings(Section):
    FLAT: ClassVar[Mapping[str, str]] = {"backend": "embedding_backend"}

    # Any sentence-transformers name or path; the packaged default needs no network.
    model: str = PACKAGED_MODEL
    # What runs the packaged model: "onnx" (fp32 on onnxruntime: the torch vectors, without
    # importing torch), "torch" (sentence-transformers, the reference) or "onnx-int8" (passages
    # in int8 for a faster ingest, queries in fp32). onnx and torch share indexes; an int8 index
    # is tied to int8. Other models always run on torch. README, Performance.
    backend: EmbeddingBackend = "onnx"
    cache_dir: UserPath = DEFAULT_CACHE_DIR


class IndexSettings(Section):
    FLAT: ClassVar[Mapping[str, str]] = {"backend": "index_backend", "path": "index_dir"}

    # "faiss" (files in `path`) or "milvus" (a milvus-lite file in `path` unless milvus_uri
    # names a Milvus server or cluster). README, Past one machine.
    backend: IndexBackend = "faiss"
    path: UserPath = PROJECT_ROOT / "index"
    milvus_uri: str | None = None
    milvus_token: str | None = Field(None, repr=False)
    milvus_prefix: str = "rag_"
    # The vector index a Milvus (re)build makes: FLAT (exact), IVF_FLAT, or on a Milvus server
    # or cluster IVF_SQ8 or HNSW.
    milvus_index: MilvusIndexType = "FLAT"

    @property
    def target(self) -> IndexTarget:
        return IndexTarget(
            self.backend,
            self.path,
            self.milvus_uri,
            self.milvus_token,
            self.milvus_prefix,
            self.milvus_index,
        )


class RetrievalSettings(Section):
    top_k: int = Field(5, gt=0)
    # Passages retrieved for a broad question (a timeline, who said what, a summary, a
    # comparison), which gathers what many articles say.
    broad_top_k: int = Field(20, gt=0)
    # Candidates each retriever contributes before fusion.
    candidates: int = Field(30, gt=0)
    rrf_k: int = Field(60, gt=0)
    hybrid: bool = True
    # Weights of the fused rankings per question language ({"ar": {"dense": 1.0, "sentences":
    # 1.0, "bm25": 1.0}, "en": {...}}); equal weights without one. Fitted by `python -m eval
    # calibrate` on XQuAD and ARCD train, which the seed questions are not part of; see README.
    fusion_weights: Table = None


class AnswerSettings(Section):
    FLAT: ClassVar[Mapping[str, str]] = {
        "mode": "answer_mode",
        "max_sentences": "max_answer_sentences",
    }

    mode: AnswerMode = AnswerMode.EXTRACTIVE
    max_sentences: int = Field(4, gt=0)
    max_question_chars: int = Field(2000, gt=0)
    # The confidence model per question language (rag/answer/confidence.py) and the thresholds
    # on its probability that make the tiers ({"ar": {"answer": 0.9, "likely": 0.5, "related":
    # 0.1}, ...}), fitted by `python -m eval calibrate`. Without them every answer is in the
    # answer tier.
    confidence: Table = None
    tier_thresholds: Table = None
    # The learned ranking of answer sentences per question language (rag/answer/ranking.py),
    # fitted by the same command and kept only where it beats the hand-weighed score.
    sentence_ranker: Table = None
    # An answer sentence whose best cosine to its cited passage is lower is flagged unsupported
    # (fitted by `python -m eval calibrate --fit support`).
    support_threshold: float = Field(0.85, ge=-1, le=1)
    # Two sentences at least this similar state the same claim: the answer adds a second
    # sentence only below it, and articles above it count as reporting the same thing.
    same_claim_threshold: float = Field(0.85, ge=-1, le=1)


class LLMSettings(Section):
    """An OpenAI-compatible endpoint for the optional LLM answer mode."""

    FLAT: ClassVar[Mapping[str, str]] = {
        name: f"llm_{name}"
        for name in ("base_url", "model", "api_key", "timeout", "temperature", "max_tokens")
    }

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = Field(None, repr=False)
    # Seconds for the whole reply (connect, first token and the full stream), not per read.
    timeout: float = Field(30.0, gt=0)
    temperature: float = Field(0.0, ge=0)
    max_tokens: int = Field(1024, gt=0)

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


class ServerSettings(Section):
    """The chat server (app.py). Login is required when both username and password are set."""

    FLAT: ClassVar[Mapping[str, str]] = {
        "username": "app_username",
        "password": "app_password",
        "concurrency": "app_concurrency",
    }

    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    username: str | None = None
    password: str | None = Field(None, repr=False)
    # The key other tools send (`Authorization: Bearer ...`) to the app's OpenAI-compatible
    # endpoint and MCP server. With a login set and no key, those two stay closed.
    api_key: str | None = Field(None, repr=False)
    concurrency: int = Field(2, gt=0)
    # Browser sessions whose chat state the server keeps; the least recently used one beyond
    # this is dropped (a 1000-question soak grew ~40 MB under Gradio's default of 10,000).
    session_capacity: int = Field(500, gt=0)
    # Request bodies other than uploads (questions with their chat history, API calls), in MB.
    max_request_mb: float = Field(2.0, gt=0)
    # Files in one upload request; each file is at most corpus.loader.MAX_FILE_BYTES.
    max_upload_files: int = Field(20, gt=0)
    # Uploads and removals waiting to be indexed; beyond this the next one is refused plainly.
    max_queued_jobs: int = Field(32, gt=0)
    # Wrong passwords one client may try before it is locked out; the lockout starts at
    # login_lockout_seconds and doubles with every further failure, up to 15 minutes.
    login_max_failures: int = Field(5, gt=0)
    login_lockout_seconds: float = Field(30.0, gt=0)
    # Other origins allowed to call the app from a browser (comma-separated, e.g. the public
    # address of a reverse proxy); the app's own origin always is.
    allowed_origins: str = ""
    # Slow clients (api/connections.py): open connections at most (and never more than the
    # process's file descriptors allow), seconds for a request's headers, and for its body
    # (plus one second per 500 bytes received).
    max_connections: int = Field(1000, gt=0)
    header_timeout: float = Field(10.0, gt=0)
    body_timeout: float = Field(20.0, gt=0)

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username and self.password:
            return self.username, self.password
        return None
