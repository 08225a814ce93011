"""What an answer generator is: passages in, a stream of `AnswerChunk`s out, ending with the
`Answer`. The extractive answer and the LLM answer are the two."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.schema import AnswerChunk, Passage, Question


class AnswerGenerator(Protocol):
    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        """Text deltas as the answer is produced; the last chunk carries the `Answer`."""
        ...
