"""The typed records that flow through the chain: a question, the passages found for it, and the
answer with its citations, as the UI, the CLI and the evaluation receive them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from corpus import Chunk, Span
from embeddings.index.filters import ArticleFilter
from rag.messages import message
from rag.question.answer_type import AnswerType
from rag.question.broad import Broad
from rag.question.language import Language


@dataclass(frozen=True)
class Turn:
    """An earlier exchange of the conversation: the question, and what its answer stated."""

    question: str
    answer: str = ""


@dataclass(frozen=True)
class Question:
    """What every stage after the question needs to know about it, computed once."""

    text: str  # as asked, with control characters removed
    language: Language  # of `text`: the answer's language, and whether BM25 can help
    answer_type: AnswerType  # what kind of answer `text` asks for
    # The earlier question a follow-up leans on ("when did he visit Moscow?"), or None.
    context: str | None
    tokens: tuple[str, ...]  # `corpus.search_tokens` of the search query
    # `corpus.search_tokens` of `text` alone: what the question itself names, which the
    # confidence weighs (a follow-up's context says nothing about how precise the question is).
    own_tokens: tuple[str, ...]
    vector: np.ndarray = field(repr=False, compare=False)  # query vector of the search query
    # The shape a broad question's answer takes (a timeline, who said what, ...), or None.
    broad: Broad | None = None
    # Which articles are searched: the filter the request set and the one the question states
    # ("في تموز", "according to SANA"), as the pipeline settled them.
    filter: ArticleFilter | None = None

    @property
    def search_query(self) -> str:
        """What is retrieved with: the question, after the question it follows up."""
        return f"{self.context} {self.text}" if self.context else self.text


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None

    @property
    def article_id(self) -> str:
        return self.chunk.article_id


@dataclass(frozen=True)
class SearchResult:
    """The fused top passages, and each ranking the fusion was made from (chunks, best first,
    as deep as the search looked), so evaluation reads them instead of searching again."""

    passages: list[Passage]
    rankings: Mapping[str, Sequence[Chunk]] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """Answer marker [marker] -> the passage and the sentence in it that supports the claim."""

    marker: int
    passage: Passage
    sentence: Span  # offsets relative to passage.chunk.text
    support: float

    def to_json(self) -> dict:
        chunk = self.passage.chunk
        return {
            "marker": self.marker,
            "article_id": chunk.article_id,
            "chunk_id": chunk.id,
            "title": chunk.title,
            "text": chunk.text,
            "sentence": self.sentence.text,
            "sentence_start": self.sentence.start,
            "sentence_end": self.sentence.end,
            "score": round(self.passage.score, 6),
            "support": round(self.support, 6),
        }


def marker_text(markers: Iterable[int]) -> str:
    return "".join(f"[{m}]" for m in markers)


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    markers: tuple[int, ...]
    supported: bool = True
    support: float = 1.0
    # Offsets in `text` of the part that states the answer (a date, a number, a place, a name).
    highlight: tuple[int, int] | None = None
    # In a broad answer, the heading the line stands under (its event's date and how many
    # articles report it, the occasion of a statement), and the event's date in ISO form.
    label: str = ""
    date: str | None = None

    def line(self, esc: Callable[[str], str] = str) -> str:
        """The sentence as a line of the answer text: `- text [1][2]`, its text passed through
        `esc` (escaped for Markdown, say)."""
        return f"- {esc(self.text)} {marker_text(self.markers)}".rstrip()


def sentence_lines(
    sentences: Sequence[AnswerSentence], esc: Callable[[str], str] = str
) -> Iterator[str]:
    """The lines of the answer text: each sentence's `line`, under its label's heading line
    when the label changes (a timeline's date, a group's occasion); `esc` is applied to the
    text of both."""
    label = ""
    for sentence in sentences:
        if sentence.label and sentence.label != label:
            yield f"{esc(sentence.label)}:"
        label = sentence.label
        yield sentence.line(esc)


# Quotation marks around a quoted answer sentence, not part of what it says.
QUOTES = "“”\"«»'‘’ "
OPENING_QUOTES = "“\"«‘'„"
CLOSING_QUOTES = "”\"»’'"


def quote(text: str) -> str:
    """`text` in quotation marks, unless it opens or closes with one of its own (it quotes
    someone), so marks are never doubled."""
    if text[:1] in OPENING_QUOTES or text[-1:] in CLOSING_QUOTES:
        return text
    return f"“{text}”"


# How sure the answer is, in words that are true on held-out questions: "answer" states it
# (the quoted sentence holds the answer at least 90% of the time), "likely" shows the sentence
# that most likely answers (at least 70%), "related" the closest passages when no sentence may
# answer, "refused" says the articles do not cover the question.
Tier = Literal["answer", "likely", "related", "refused"]
TIERS: tuple[Tier, ...] = ("answer", "likely", "related", "refused")
# The tiers whose first sentence is offered as the answer.
STATING: tuple[Tier, ...] = ("answer", "likely")


@dataclass(frozen=True)
class Answer:
    """Built once by an answer generator; later stages derive new ones with
    `dataclasses.replace` (verification, timings)."""

    question: str
    language: Language
    lead: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    tier: Tier = "answer"
    # The calibrated probability that the answer's first sentence holds the answer.
    confidence: float | None = None
    # Further cited sentences beyond the answer, shown apart ("More evidence").
    evidence: list[AnswerSentence] = field(default_factory=list)
    mode: str = "extractive"
    notices: list[str] = field(default_factory=list)
    invalid_markers: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # Each ranking the retrieval fused (`SearchResult.rankings`).
    rankings: Mapping[str, Sequence[Chunk]] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    top_score: float | None = None
    # The signals the confidence was computed from (`rag.answer.confidence.FEATURES`).
    confidence_features: dict[str, float] = field(default_factory=dict)
    # The shape of a broad answer (`rag.question.broad.Shape`: a timeline, ...), or None.
    shape: str | None = None

    @property
    def refused(self) -> bool:
        return self.tier == "refused"

    @property
    def text(self) -> str:
        body = "\n".join(sentence_lines(self.sentences))
        return f"{self.lead}\n{body}" if body else self.lead

    @property
    def statement(self) -> str:
        """What the answer showed first, for a follow-up question to lean on ("when was that?"
        asks about it): the highlighted part of its first sentence, or that sentence; nothing
        when it was refused."""
        if self.refused or not self.sentences:
            return ""
        first = self.sentences[0]
        text = first.text if first.highlight is None else first.text[slice(*first.highlight)]
        return text.strip(QUOTES)

    @property
    def turn(self) -> Turn:
        return Turn(self.question, self.statement)

    @property
    def unsupported_sentences(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.text,
            "tier": self.tier,
            "confidence": None if self.confidence is None else round(self.confidence, 6),
            "refused": self.refused,
            "mode": self.mode,
            "shape": self.shape,
            "lines": [
                {"text": s.text, "markers": list(s.markers), "label": s.label, "date": s.date}
                for s in self.sentences
            ],
            "citations": [citation.to_json() for citation in self.citations],
            "evidence": [{"text": s.text, "markers": list(s.markers)} for s in self.evidence],
            "unsupported_sentences": self.unsupported_sentences,
            "invalid_markers": self.invalid_markers,
            "notices": self.notices,
            "top_score": None if self.top_score is None else round(self.top_score, 6),
            "retrieved": [
                {"article_id": p.article_id, "chunk_id": p.chunk.id, "score": round(p.score, 6)}
                for p in self.passages
            ],
            "timings_ms": {key: round(value, 2) for key, value in self.timings_ms.items()},
        }

    def render_text(self) -> str:
        """The answer for a terminal: its text, notices, and each citation with its sentence."""
        lines = [self.text, *self.notices]
        if self.evidence:
            heading = message("more_evidence", self.language) + ":"
            lines += ["", heading, *(s.line() for s in self.evidence)]
        for citation in self.citations:
            chunk = citation.passage.chunk
            lines.append(
                f"[{citation.marker}] "
                + (f"{chunk.title} ({chunk.article_id})" if chunk.title else chunk.article_id)
            )
            lines.append(f"    {citation.sentence.text}")
        return "\n".join(lines)


@dataclass(frozen=True)
class AnswerChunk:
    """A piece of a streamed answer: text as it is produced, and (last) the answer itself."""

    delta: str = ""
    answer: Answer | None = None

    def __add__(self, other: AnswerChunk) -> AnswerChunk:
        return AnswerChunk(self.delta + other.delta, other.answer or self.answer)


def answer_deltas(answer: Answer) -> Iterator[AnswerChunk]:
    """The text of a whole answer as a stream, in the layout of `Answer.text`."""
    yield AnswerChunk(answer.lead)
    for line in sentence_lines(answer.sentences):
        yield AnswerChunk("\n" + line)


class AnswerStream:
    """Relays a stream of `AnswerChunk`s: iterate for the text deltas; `answer` is the final
    answer the stream carried."""

    def __init__(self, chunks: Iterable[AnswerChunk]) -> None:
        self._chunks = chunks
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            if chunk.answer is not None:
                self._answer = chunk.answer
            if chunk.delta:
                yield chunk.delta

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            raise RuntimeError("the answer stream ended without an answer")
        return self._answer
