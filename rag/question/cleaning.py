"""Checks at the boundary: a question that cannot be answered gets a clear, localized message."""

from __future__ import annotations

import re
import unicodedata

from rag.messages import message
from rag.question.language import Language, question_language

_WORD = re.compile(r"[^\W_]", re.UNICODE)


class QuestionError(ValueError):
    """The question is empty, too long or has nothing to search for."""

    def __init__(self, text: str, language: Language) -> None:
        super().__init__(text)
        self.language = language


def clean_question(question: str | None, max_chars: int) -> str:
    """The question with control characters removed, or a `QuestionError` saying what is wrong."""
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\u200c\u200d" else ch
        for ch in (question or "")
    )
    text = " ".join(text.split())
    language = question_language(text)
    if not text:
        raise QuestionError(message("empty_question", language), language)
    if len(text) > max_chars:
        raise QuestionError(
            message("too_long", language, length=len(text), limit=max_chars), language
        )
    if not _WORD.search(text):
        raise QuestionError(message("no_words", language), language)
    return text
