"""The answer chain, one LangChain Runnable: retrieve, then answer, then cite and verify.

`invoke` returns the final `AnswerChunk` (whose `answer` is set); `stream` yields text deltas as
the answer is produced and ends with the chunk that carries the verified `Answer`. The CLI, the
app and the evaluation all run this same chain.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

from rag.answerability import AnswerabilityModel, answerability, answerability_features
from rag.conversation import contextualize
from rag.encoder import CachedEncoder
from rag.extractive import SentenceSelector, compose_answer, refusal
from rag.language import Language, detect_language
from rag.retrieval import PassageRetriever, document_to_passage
from rag.schema import Answer, Passage
from rag.verify import SupportChecker


@dataclass
class AnswerChunk:
    """A piece of a streamed answer; chunks add up, and the last one carries the answer."""

    delta: str = ""
    answer: Answer | None = None

    def __add__(self, other: AnswerChunk) -> AnswerChunk:
        return AnswerChunk(self.delta + other.delta, other.answer or self.answer)


@dataclass
class Retrieved:
    question: str
    language: Language
    search_query: str
    query_vector: np.ndarray
    passages: list[Passage]
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"


class AnswerGenerator:
    """Turns retrieved passages into an answer; the LLM path plugs in through `stream`."""

    def stream(self, retrieved: Retrieved) -> Iterator[AnswerChunk]:  # pragma: no cover - protocol
        raise NotImplementedError


class ExtractiveGenerator(AnswerGenerator):
    """Answers from the best sentences, or refuses when their answerability is below the
    question language's threshold."""

    def __init__(
        self,
        selector: SentenceSelector,
        refusal_thresholds: dict[str, float],
        same_claim: float,
        models: dict[str, AnswerabilityModel] | None = None,
    ) -> None:
        self.selector = selector
        self.refusal_thresholds = refusal_thresholds
        self.models = models or {}
        self.same_claim = same_claim

    def answer(self, retrieved: Retrieved) -> Answer:
        question, language, passages = retrieved.question, retrieved.language, retrieved.passages
        scored = self.selector.score(retrieved.search_query, retrieved.query_vector, passages)
        if not scored:
            return refusal(question, language, passages, None)
        signals = answerability_features(
            retrieved.search_query,
            retrieved.query_vector,
            passages,
            scored,
            self.selector.index,
            self.same_claim,
        )
        score = answerability(signals, self.models.get(language))
        top = scored[0].score
        if score < self.refusal_thresholds[language]:
            answer = refusal(question, language, passages, top)
        else:
            answer = compose_answer(question, language, passages, self.selector.select(scored), top)
        answer.answerability = score
        answer.answerability_features = signals
        return answer

    def stream(self, retrieved: Retrieved) -> Iterator[AnswerChunk]:
        answer = self.answer(retrieved)
        yield AnswerChunk(answer.lead)
        for sentence in answer.sentences:
            markers = "".join(f"[{m}]" for m in sentence.markers)
            yield AnswerChunk(f"\n- {sentence.text} {markers}")
        yield AnswerChunk(answer=answer)


class AnswerChain:
    """Builds the Runnable from its parts; `history` is the list of earlier user questions."""

    def __init__(
        self,
        retriever: PassageRetriever,
        encoder: CachedEncoder,
        extractive: ExtractiveGenerator,
        checker: SupportChecker,
        llm: AnswerGenerator | None = None,
    ) -> None:
        self.retriever = retriever
        self.encoder = encoder
        self.extractive = extractive
        self.checker = checker
        self.llm = llm
        self.runnable: Runnable[dict[str, Any], AnswerChunk] = RunnableLambda(
            self._retrieve
        ) | RunnableGenerator(self._generate)

    def _retrieve(self, request: dict[str, Any]) -> Retrieved:
        started = time.perf_counter()
        question: str = request["question"]
        history: Sequence[str] = request.get("history") or ()
        search_query = contextualize(question, history)
        query_vector = self.encoder.query(search_query)
        embedded = time.perf_counter()
        retriever = (
            self.retriever.model_copy(update={"k": request["k"]})
            if request.get("k")
            else self.retriever
        )
        # The retriever embeds the query again; the encoder's cache makes that a lookup.
        passages = [document_to_passage(d) for d in retriever.invoke(search_query)]
        searched = time.perf_counter()
        return Retrieved(
            question=question,
            language=detect_language(question),
            search_query=search_query,
            query_vector=query_vector,
            passages=passages,
            timings_ms={
                "embed": (embedded - started) * 1000,
                "search": (searched - embedded) * 1000,
            },
            mode=request.get("mode") or "extractive",
        )

    def _generate(self, inputs: Iterator[Retrieved]) -> Iterator[AnswerChunk]:
        for retrieved in inputs:
            started = time.perf_counter()
            generator = (
                self.llm if (retrieved.mode == "llm" and self.llm is not None) else self.extractive
            )
            answer: Answer | None = None
            for chunk in generator.stream(retrieved):
                if chunk.delta:
                    yield AnswerChunk(chunk.delta)
                answer = chunk.answer or answer
            assert answer is not None
            answered = time.perf_counter()
            self.checker.verify(answer)
            verified = time.perf_counter()
            answer.timings_ms = {
                **retrieved.timings_ms,
                "answer": (answered - started) * 1000,
                "verify": (verified - answered) * 1000,
            }
            yield AnswerChunk(answer=answer)
