"""Wires settings into a ready chain: model, index, retriever, answerers and verifier."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from embeddings.index import FaissIndex, VectorIndex
from embeddings.model import Embedder
from rag.answerability import answerability_models
from rag.chain import AnswerChain, AnswerChunk, AnswerGenerator, ExtractiveGenerator
from rag.config import Settings
from rag.encoder import CachedEncoder
from rag.extractive import SentenceSelector
from rag.llm import LLMGenerator, UnconfiguredLLM
from rag.questions import clean_question
from rag.retrieval import HybridSearch, PassageRetriever
from rag.schema import Answer
from rag.verify import SupportChecker


def embedder_for(settings: Settings) -> Embedder:
    """The embedding model the settings name; construction is cheap, loading is lazy."""
    return Embedder(settings.model, settings.cache_dir, backend=settings.embedding_backend)


class Pipeline:
    def __init__(self, settings: Settings, embedder: Embedder, index: VectorIndex) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.encoder = CachedEncoder(embedder)
        search = HybridSearch(
            index,
            self.encoder,
            candidates=settings.candidates,
            rrf_k=settings.rrf_k,
            hybrid=settings.hybrid,
        )
        self.retriever = PassageRetriever(search=search, k=settings.top_k)
        selector = SentenceSelector(
            index, search.lexical, max_sentences=settings.max_answer_sentences
        )
        extractive = ExtractiveGenerator(
            selector,
            settings.refusal_thresholds,
            settings.support_threshold,
            answerability_models(settings.answerability),
        )
        # Without a configured model, mode "llm" answers extractively and says so.
        llm: AnswerGenerator = (
            LLMGenerator(settings, index=index, encoder=self.encoder, fallback=extractive)
            if settings.llm_configured
            else UnconfiguredLLM(extractive)
        )
        self.chain = AnswerChain(
            self.retriever,
            self.encoder,
            extractive,
            SupportChecker(index, self.encoder, settings.support_threshold),
            llm=llm,
        )

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> Pipeline:
        embedder = embedder or embedder_for(settings)
        return cls(settings, embedder, FaissIndex.load_for(settings.index_dir, embedder))

    def _request(
        self, question: str, history: Sequence[str], k: int | None, mode: str | None
    ) -> dict[str, Any]:
        return {
            "question": clean_question(question, self.settings.max_question_chars),
            "history": list(history),
            "k": k,
            "mode": mode or self.settings.answer_mode.value,
        }

    def stream(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
    ) -> Iterator[AnswerChunk]:
        yield from self.chain.runnable.stream(self._request(question, history, k, mode))

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
    ) -> Answer:
        result = self.chain.runnable.invoke(self._request(question, history, k, mode))
        assert result.answer is not None
        return result.answer
