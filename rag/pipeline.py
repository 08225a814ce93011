"""The one place the parts are wired: settings -> model, index, search, answerers, verifier, and
the answer chain, one LangChain Runnable (read the question and retrieve, then answer, cite and
verify) that the CLI, the app and the evaluation all run.

`invoke` returns the final `AnswerChunk` (its `answer` is set); `stream` yields text deltas as
the answer is produced and ends with the chunk that carries the verified `Answer`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

from embeddings.index.backends import open_index
from embeddings.index.filters import ArticleFilter
from embeddings.index.protocol import VectorIndex
from embeddings.model.cache import CachedEncoder
from embeddings.model.embedder import Embedder
from rag.answer.confidence import confidence_models, tier_thresholds
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.generator import AnswerGenerator
from rag.answer.llm.generator import LLMGenerator, UnconfiguredLLM
from rag.answer.ranking import sentence_rankers
from rag.answer.selection import SentenceSelector
from rag.answer.shapes import ShapedGenerator
from rag.config import Settings
from rag.grounding.verify import SupportChecker
from rag.question.reading import read_question
from rag.retrieval.filters import filter_notices, settle
from rag.retrieval.hybrid import HybridSearch
from rag.retrieval.retriever import PassageRetriever
from rag.schema import Answer, AnswerChunk, AnswerStream, Question, SearchResult, Turn
from rag.sections import AnswerMode


def embedder_for(settings: Settings) -> Embedder:
    """The embedding model the settings name; construction is cheap, loading is lazy."""
    return Embedder(
        settings.embedding.model, settings.embedding.cache_dir, backend=settings.embedding.backend
    )


@dataclass(frozen=True)
class Retrieved:
    """What the retrieval step hands to the answer step."""

    question: Question
    search: SearchResult
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # what the reader is told of the filter


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        index: VectorIndex,
        *,
        rank_unfused: bool = False,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.encoder = CachedEncoder(embedder)
        self.search = HybridSearch(
            index,
            candidates=settings.retrieval.candidates,
            rrf_k=settings.retrieval.rrf_k,
            hybrid=settings.retrieval.hybrid,
            weights=settings.retrieval.fusion_weights,
            rank_unfused=rank_unfused,
        )
        selector = SentenceSelector(
            index,
            lexical=settings.retrieval.hybrid,
            max_sentences=settings.answer.max_sentences,
            rankers=sentence_rankers(settings.answer.sentence_ranker),
        )
        self.extractive = ExtractiveGenerator(
            selector,
            settings.answer.same_claim_threshold,
            confidence_models(settings.answer.confidence),
            tier_thresholds(settings.answer.tier_thresholds),
        )
        self.shaped = ShapedGenerator(self.extractive)
        # Without a configured model, mode "llm" answers extractively and says so.
        self.llm: AnswerGenerator = (
            LLMGenerator(settings, index=index, encoder=self.encoder, fallback=self.extractive)
            if settings.llm.configured
            else UnconfiguredLLM(self.extractive)
        )
        self.checker = SupportChecker(index, self.encoder, settings.answer.support_threshold)
        self.chain: Runnable[dict[str, Any], AnswerChunk] = RunnableLambda(
            self._retrieve
        ) | RunnableGenerator(self._generate)

    @classmethod
    def from_settings(
        cls, settings: Settings, embedder: Embedder | None = None, **options: Any
    ) -> Pipeline:
        embedder = embedder or embedder_for(settings)
        index = open_index(settings.index.target, embedder)
        return cls(settings, embedder, index, **options)

    @property
    def retriever(self) -> PassageRetriever:
        """The LangChain retriever face of this pipeline's search, for outside callers."""
        return PassageRetriever(search=self.search, read=self.read, k=self.settings.retrieval.top_k)

    def read(self, text: str, history: Sequence[Turn] = ()) -> Question:
        return read_question(
            text, history, encoder=self.encoder, max_chars=self.settings.answer.max_question_chars
        )

    def _retrieve(self, request: dict[str, Any]) -> Retrieved:
        started = time.perf_counter()
        question = self.read(request["question"], request.get("history") or ())
        settled = settle(request.get("filters"), question.text, self.index.manifest)
        question = replace(question, filter=settled.filter)
        read = time.perf_counter()
        k = request.get("k") or self.settings.retrieval.top_k
        if question.broad is not None:
            k = max(k, self.settings.retrieval.broad_top_k)
        search = self.search.search(question, k)
        searched = time.perf_counter()
        return Retrieved(
            question,
            search,
            request.get("mode") or AnswerMode.EXTRACTIVE.value,
            {"embed": (read - started) * 1000, "search": (searched - read) * 1000},
            filter_notices(settled, self.index.manifest, question.language),
        )

    def _generate(self, inputs: Iterator[Retrieved]) -> Iterator[AnswerChunk]:
        for retrieved in inputs:
            started = time.perf_counter()
            generator = self.llm if retrieved.mode == AnswerMode.LLM.value else self.shaped
            relayed = AnswerStream(generator.stream(retrieved.question, retrieved.search.passages))
            yield from (AnswerChunk(delta) for delta in relayed)
            answered = time.perf_counter()
            answer = self.checker.verify(relayed.answer)
            verified = time.perf_counter()
            timings = {
                **retrieved.timings_ms,
                "answer": (answered - started) * 1000,
                "verify": (verified - answered) * 1000,
            }
            notices = [*retrieved.notices, *answer.notices]
            yield AnswerChunk(
                answer=replace(
                    answer, rankings=retrieved.search.rankings, timings_ms=timings, notices=notices
                )
            )

    def _request(
        self,
        question: str,
        history: Sequence[Turn],
        k: int | None,
        mode: str | None,
        filters: ArticleFilter | None,
    ) -> dict[str, Any]:
        return {
            "question": question,
            "history": list(history),
            "k": k,
            "mode": mode or self.settings.answer.mode.value,
            "filters": filters,
        }

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: ArticleFilter | None = None,
    ) -> Iterator[AnswerChunk]:
        """The answer as it is produced; `filters` restrict which articles are searched."""
        yield from self.chain.stream(self._request(question, history, k, mode, filters))

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: ArticleFilter | None = None,
    ) -> Answer:
        result = self.chain.invoke(self._request(question, history, k, mode, filters))
        assert result.answer is not None
        return result.answer
