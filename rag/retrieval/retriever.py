"""The LangChain face of the hybrid search, for callers outside the chain: documents carry the
chunk and the scores that ranked it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieval.hybrid import HybridSearch
from rag.schema import Passage, Question


def passage_to_document(passage: Passage) -> Document:
    return Document(
        page_content=passage.chunk.text,
        id=passage.chunk.id,
        metadata={
            "chunk": asdict(passage.chunk),
            "score": passage.score,
            "dense_score": passage.dense_score,
            "lexical_score": passage.lexical_score,
        },
    )


class PassageRetriever(BaseRetriever):
    """`invoke(query)` returns the top `k` passages as documents; `invoke(query, k=n)` `n`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    # Turns the query text into the `Question` the search reads (the pipeline's own reader).
    read: Callable[[str], Question]
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k") or self.k)
        result = self.search.search(self.read(query), k)
        return [passage_to_document(p) for p in result.passages]
