"""The one place an index backend is chosen: `open_index` for reading (the pipeline) and
`index_writer` for ingest, both from the same few settings.

    faiss   FAISS and BM25 in this process, versioned files in the index folder (the default)
    milvus  Milvus: a milvus-lite file in the index folder by default (`MILVUS_FILE`), or any
            Milvus server or cluster by URI (`RAG_MILVUS_URI=http://host:19530`)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from embeddings.index.milvus.collections import MilvusIndexType

if TYPE_CHECKING:
    from embeddings.index.protocol import IndexWriter, VectorIndex
    from embeddings.model.embedder import Embedder

IndexBackend = Literal["faiss", "milvus"]
INDEX_BACKENDS: tuple[IndexBackend, ...] = get_args(IndexBackend)
MILVUS_FILE = "milvus.db"


@dataclass(frozen=True)
class IndexTarget:
    """Which index: the backend, the index folder (FAISS versions, milvus-lite's file and the
    ingest lock) and, for Milvus, the URI, token, collection prefix and vector index type."""

    backend: IndexBackend
    index_dir: Path
    milvus_uri: str | None = None
    milvus_token: str | None = field(default=None, repr=False)
    milvus_prefix: str = "rag_"
    milvus_index: MilvusIndexType = "FLAT"

    def __post_init__(self) -> None:
        if self.backend not in INDEX_BACKENDS:
            raise ValueError(
                f"unknown index backend '{self.backend}'; choose one of {', '.join(INDEX_BACKENDS)}"
            )

    @property
    def uri(self) -> str:
        """The Milvus URI: the setting, or milvus-lite's file inside the index folder."""
        return self.milvus_uri or str(self.index_dir / MILVUS_FILE)


def open_index(target: IndexTarget, embedder: Embedder) -> VectorIndex:
    """The index for `embedder`, refused (before the model loads) when missing, damaged, or
    made by another model."""
    if target.backend == "milvus":
        from embeddings.index.milvus.index import MilvusIndex

        return MilvusIndex.load_for(
            target.uri, embedder, prefix=target.milvus_prefix, token=target.milvus_token
        )
    from embeddings.index.faiss.index import FaissIndex

    return FaissIndex.load_for(target.index_dir, embedder)


def index_writer(target: IndexTarget, embedder: Embedder) -> IndexWriter:
    """What ingest writes the index with."""
    if target.backend == "milvus":
        from embeddings.index.milvus.writer import MilvusWriter

        return MilvusWriter(
            target.uri,
            embedder,
            prefix=target.milvus_prefix,
            token=target.milvus_token,
            index_type=target.milvus_index,
        )
    from embeddings.index.faiss.writer import FaissWriter

    return FaissWriter(target.index_dir, embedder)


def live_stamp(target: IndexTarget, index: VectorIndex) -> str | None:
    """What names the index an ingest published last, cheap enough to poll: the live FAISS
    version's folder, or the Milvus index's last commit (read through `index`'s connection).
    None when it cannot be read (no index yet, an engine that does not answer)."""
    from embeddings.index.manifest import IndexUnusableError

    try:
        if target.backend == "milvus":
            from embeddings.index.milvus.index import MilvusIndex

            assert isinstance(index, MilvusIndex)
            return index.generation()
        from embeddings.index.faiss.store import live_version

        return live_version(target.index_dir).name
    except (IndexUnusableError, OSError):
        return None


def engine_health(index: VectorIndex) -> str | None:
    """None while the index's engine answers; else what is wrong (only Milvus has an engine
    apart from this process)."""
    from embeddings.index.milvus.index import MilvusIndex

    return index.health() if isinstance(index, MilvusIndex) else None
