"""A question is read once: every fact later stages use comes from the question itself."""

from __future__ import annotations

import numpy as np
import pytest

from corpus import search_tokens
from rag.question import AnswerType, QuestionError, read_question
from rag.schema import Turn
from tests.rag.stubs import StubEncoder, vector


def test_a_follow_up_is_searched_with_the_question_before_it() -> None:
    encoder = StubEncoder()
    asked = "What did President Ahmed al-Sharaa discuss with Putin?"
    history = [Turn(asked, "the reconstruction of Syria")]
    question = read_question("When did he visit Moscow?", history, encoder=encoder, max_chars=200)
    assert question.context == f"{asked} the reconstruction of Syria"
    assert question.search_query == f"{question.context} When did he visit Moscow?"
    assert encoder.queried == [question.search_query]  # embedded once, as searched
    assert np.allclose(question.vector, vector(question.search_query))
    assert question.tokens == tuple(search_tokens(question.search_query))


def test_language_and_answer_type_are_the_questions_own() -> None:
    """An Arabic follow-up after an English question is Arabic, and a "where" question after a
    "when" question does not ask for a date."""
    encoder = StubEncoder()
    question = read_question(
        "وأين التقى بهم؟",
        [Turn("When did the Syrian minister visit Moscow?")],
        encoder=encoder,
        max_chars=200,
    )
    assert question.context is not None
    assert question.language == "ar"
    assert question.answer_type is AnswerType.OTHER


def test_a_mostly_english_question_with_an_arabic_frame_is_arabic() -> None:
    question = read_question(
        "متى ستعقد Arab-Russian summit؟", (), encoder=StubEncoder(), max_chars=200
    )
    assert question.language == "ar" and question.answer_type is AnswerType.DATE
    english = read_question(
        "Who is أحمد الشرع الرئيس السوري?", (), encoder=StubEncoder(), max_chars=200
    )
    assert english.language == "en"


def test_the_text_is_cleaned_once() -> None:
    question = read_question(
        "  متى\u202e ستعقد\x07 القمة؟ ", (), encoder=StubEncoder(), max_chars=200
    )
    assert question.text == "متى ستعقد القمة؟"
    assert question.answer_type is AnswerType.DATE


def test_a_bad_question_is_refused_before_anything_is_embedded() -> None:
    encoder = StubEncoder()
    with pytest.raises(QuestionError):
        read_question("   ", (), encoder=encoder, max_chars=200)
    with pytest.raises(QuestionError):
        read_question("x" * 201, (), encoder=encoder, max_chars=200)
    assert encoder.queried == []
