"""The typed results that flow from retrieval to the UI and the evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus import Chunk, Span
from rag.language import Language


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


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    markers: tuple[int, ...]
    supported: bool = True
    support: float = 1.0


@dataclass
class Answer:
    question: str
    language: Language
    lead: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    refused: bool = False
    mode: str = "extractive"
    notices: list[str] = field(default_factory=list)
    invalid_markers: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    top_score: float | None = None
    # The score the refusal decision was made on, and the signals behind it (extractive answers).
    answerability: float | None = None
    answerability_features: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        body = "\n".join(
            f"- {s.text} {''.join(f'[{m}]' for m in s.markers)}".rstrip() for s in self.sentences
        )
        return f"{self.lead}\n{body}" if body else self.lead

    @property
    def unsupported_sentences(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [citation.to_json() for citation in self.citations],
            "unsupported_sentences": self.unsupported_sentences,
            "invalid_markers": self.invalid_markers,
            "notices": self.notices,
            "top_score": None if self.top_score is None else round(self.top_score, 6),
            "answerability": None if self.answerability is None else round(self.answerability, 6),
            "retrieved": [
                {"article_id": p.article_id, "chunk_id": p.chunk.id, "score": round(p.score, 6)}
                for p in self.passages
            ],
            "timings_ms": {key: round(value, 2) for key, value in self.timings_ms.items()},
        }

    def render_text(self) -> str:
        lines = [self.text, *self.notices]
        for citation in self.citations:
            chunk = citation.passage.chunk
            lines.append(
                f"[{citation.marker}] {chunk.title or chunk.article_id} ({chunk.article_id})"
            )
            lines.append(f"    {citation.sentence.text}")
        return "\n".join(lines)
