"""`E5Embeddings`, the LangChain face of the packaged model, passes LangChain's own standard
embeddings tests and gives the vectors of `Embedder`, prompts included."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from embeddings.model.embedder import Embedder
from embeddings.model.langchain import E5Embeddings

pytestmark = pytest.mark.slow


class TestE5Embeddings(EmbeddingsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _embedder(self, embedder: Embedder) -> None:
        self.embedder = embedder  # the session's loaded model, not a new load per test

    @property
    def embeddings_class(self) -> type[E5Embeddings]:
        return E5Embeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"embedder": self.embedder}


def test_query_and_document_vectors_are_the_models_with_their_prompts(embedder: Embedder) -> None:
    face = E5Embeddings(embedder=embedder)
    text = "من استقبل وزير الخارجية السوري في الكرملين؟"
    query, document = np.array(face.embed_query(text)), np.array(face.embed_documents([text])[0])
    assert np.allclose(query, embedder.embed_queries([text])[0], atol=1e-6)
    assert np.allclose(document, embedder.embed_passages([text])[0], atol=1e-6)
    assert not np.allclose(query, document, atol=1e-3)  # "query: " and "passage: " differ
    assert face.embed_documents([]) == []
