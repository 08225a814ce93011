"""A stand-in for the live service behind the API, with the real `Pipeline`'s interface (typed),
so the endpoint's tests run without a model: it records what it was asked and answers one fixed
answer, optionally of a given article title and sentence."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from corpus import Chunk, Span
from embeddings.index.filters import ArticleFilter
from rag.config import Settings
from rag.schema import (
    Answer,
    AnswerChunk,
    AnswerSentence,
    Citation,
    Passage,
    Turn,
    answer_deltas,
)

TEXT = "استقبل بوتين الشيباني في الكرملين."


def fixed_answer(question: str, text: str = TEXT, title: str = "لقاء") -> Answer:
    chunk = Chunk("a:0-34", "a", title, text, 0, len(text))
    return Answer(
        question=question,
        language="ar",
        lead="بحسب المقالات:",
        sentences=[AnswerSentence(text, (1,))],
        citations=[Citation(1, Passage(chunk, 0.9), Span(0, len(text), text), 0.93)],
        confidence=0.81,
    )


@dataclass(frozen=True)
class Call:
    question: str
    history: tuple[Turn, ...]
    k: int | None
    mode: str | None
    filters: ArticleFilter | None = None


@dataclass
class StandInPipeline:
    text: str = TEXT
    title: str = "لقاء"
    calls: list[Call] = field(default_factory=list)

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: ArticleFilter | None = None,
    ) -> Answer:
        self.calls.append(Call(question, tuple(history), k, mode, filters))
        return fixed_answer(question, self.text, self.title)

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: ArticleFilter | None = None,
    ) -> Iterator[AnswerChunk]:
        answer = self.ask(question, history, k=k, mode=mode, filters=filters)
        yield from answer_deltas(answer)
        yield AnswerChunk(answer=answer)


class StandInService:
    def __init__(self, settings: Settings, pipeline: StandInPipeline | None = None) -> None:
        self.settings = settings
        self.pipeline = pipeline or StandInPipeline()
