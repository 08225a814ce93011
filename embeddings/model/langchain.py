"""The LangChain face of the embedding model, so other LangChain components (vector stores,
retrievers, evaluators) can use the packaged offline e5 model with its prompts."""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings

from embeddings.model.backend.packaged import DEFAULT_CACHE_DIR, PACKAGED_MODEL
from embeddings.model.embedder import DEFAULT_BACKEND, Backend, Embedder


class E5Embeddings(Embeddings):
    """`embed_query` applies the model's query prompt, `embed_documents` its passage prompt."""

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        cache_dir: Path = DEFAULT_CACHE_DIR,
        backend: Backend = DEFAULT_BACKEND,
        embedder: Embedder | None = None,
    ) -> None:
        self.embedder = embedder or Embedder(model, cache_dir, backend=backend)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()
