"""The embedding model and the vector index: unit vectors of chunks and answer sentences.

Names load on first use, so importing one part (the index, say) does not import the model's
heavy dependencies.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "PACKAGED_MODEL": "embeddings.backend.packaged",
    "DEFAULT_CACHE_DIR": "embeddings.backend.packaged",
    "ModelError": "embeddings.backend.folders",
    "Embedder": "embeddings.model",
    "CachedEncoder": "embeddings.cache",
    "E5Embeddings": "embeddings.langchain",
    "VectorIndex": "embeddings.index",
    "FaissIndex": "embeddings.faiss_index",
    "SearchHit": "embeddings.index",
    "Sentence": "embeddings.index",
    "Manifest": "embeddings.manifest",
    "ArticleRecord": "embeddings.manifest",
    "IndexUnusableError": "embeddings.manifest",
    "IndexMissingError": "embeddings.manifest",
    "IndexCorruptError": "embeddings.manifest",
    "IndexMismatchError": "embeddings.manifest",
    "IngestReport": "embeddings.ingest",
    "ingest": "embeddings.ingest",
    "ingest_articles": "embeddings.ingest",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
