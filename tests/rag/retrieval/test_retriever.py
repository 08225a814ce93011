"""`PassageRetriever`, the LangChain face of the hybrid search, passes LangChain's own standard
retriever tests on the real seed index, and its documents carry the chunk and its scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from embeddings.model.embedder import Embedder
from rag.config import load_settings
from rag.pipeline import Pipeline
from rag.retrieval import PassageRetriever

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipeline(embedder: Embedder, seed_index: Path) -> Pipeline:
    return Pipeline.from_settings(load_settings(index_dir=seed_index), embedder)


class TestPassageRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _pipeline(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @property
    def retriever_constructor(self) -> type[PassageRetriever]:
        return PassageRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"search": self.pipeline.search, "read": self.pipeline.read}

    @property
    def retriever_query_example(self) -> str:
        return "ماذا بحث وزير الخارجية السوري في موسكو؟"


def test_documents_carry_the_chunk_and_its_scores(pipeline: Pipeline) -> None:
    [document] = pipeline.retriever.invoke("Who did the Syrian defence minister meet?", k=1)
    meta = document.metadata
    assert document.page_content == meta["chunk"]["text"] and document.id == meta["chunk"]["id"]
    assert meta["dense_score"] is not None and meta["lexical_score"] is None  # English: no BM25
    answer = pipeline.ask("Who did the Syrian defence minister meet?", k=1)
    assert answer.passages[0].chunk.id == document.id  # the same search the chain runs
