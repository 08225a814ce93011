"""From the text a user typed to the `Question` every later stage reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from corpus import search_tokens
from embeddings.model.cache import CachedEncoder
from rag.question.answer_type import question_type
from rag.question.broad import read_broad
from rag.question.cleaning import clean_question
from rag.question.follow_up import follow_up_context
from rag.question.language import question_language
from rag.schema import Question, Turn


def read_question(
    text: str | None, history: Sequence[Turn], *, encoder: CachedEncoder, max_chars: int
) -> Question:
    """Clean the question (a `QuestionError` says what is wrong with it), take the earlier
    question it follows up, and embed what will be searched. Language and answer type are
    those of the question itself, never of the conversation before it."""
    cleaned = clean_question(text, max_chars)
    question = Question(
        text=cleaned,
        language=question_language(cleaned),
        answer_type=question_type(cleaned),
        context=follow_up_context(cleaned, history),
        tokens=(),
        own_tokens=tuple(search_tokens(cleaned)),
        vector=np.zeros(0, dtype=np.float32),
        broad=read_broad(cleaned),
    )
    query = question.search_query
    tokens = tuple(search_tokens(query)) if question.context else question.own_tokens
    return replace(question, tokens=tokens, vector=encoder.query(query))
