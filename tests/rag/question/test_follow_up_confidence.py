"""A follow-up's answer tier rests on its own words: a sentence found through the borrowed
context alone may be about the previous topic, so it never reaches a tier that states it
(`rag.answer.confidence.borrowed_answer`); what the follow-up leans on is what the previous answer
showed first (`Answer.statement`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import search_tokens
from rag.answer.confidence import borrowed_answer
from rag.config import load_settings
from rag.pipeline import Pipeline
from rag.question.answer_type import question_type
from rag.schema import STATING, Answer, AnswerSentence, Question

SENTENCE = "وقال الوزير الروسي إن روسيا تتطلع لحضور القمة العربية الروسية في 15 من تشرين الأول."


def _question(text: str, context: str | None) -> Question:
    tokens = tuple(search_tokens(text))
    return Question(text, "ar", question_type(text), context, tokens, tokens, np.zeros(0))


@pytest.mark.parametrize(
    ("text", "context", "span", "borrowed"),
    [
        # Its own words share nothing with the sentence: the context alone found it.
        ("وماذا قال عن الاقتصاد الأمريكي؟", "ماذا قال بوتين عن إسرائيل؟", None, True),
        ("What did they discuss?", "من استقبل الشيباني؟", None, True),
        # "When was that?" asks for a date, and the sentence states one.
        ("متى كان ذلك؟", "متى ستعقد القمة العربية الروسية؟", (65, 82), False),
        ("متى كان ذلك؟", "متى ستعقد القمة العربية الروسية؟", None, True),
        # It names the summit itself.
        ("وأين ستعقد القمة؟", "متى ستعقد القمة العربية الروسية؟", None, False),
        # A question that stands alone is never capped here.
        ("وماذا قال عن الاقتصاد الأمريكي؟", None, None, False),
    ],
)
def test_a_follow_up_is_capped_only_when_its_own_words_are_not_borne_out(
    text: str, context: str | None, span: tuple[int, int] | None, borrowed: bool
) -> None:
    assert borrowed_answer(_question(text, context), SENTENCE, span) is borrowed


def test_a_follow_up_leans_on_what_the_previous_answer_showed_first() -> None:
    shown = AnswerSentence(SENTENCE, (1,), highlight=(65, 82))
    related = Answer("q", "ar", "lead", [shown], [], tier="related")
    assert related.turn.answer == SENTENCE[65:82]
    assert Answer("q", "ar", "lead", [], [], tier="refused").turn.answer == ""


@pytest.fixture(scope="module")
def pipeline(embedder, seed_index: Path) -> Pipeline:
    return Pipeline.from_settings(load_settings(index_dir=seed_index), embedder=embedder)


@pytest.mark.slow
def test_a_follow_up_answered_from_the_previous_topic_does_not_reach_the_answer_tier(
    pipeline: Pipeline,
) -> None:
    """Issue 25: "What did they discuss?" after who met al-Shaibani was answered with the
    meeting's sentence under high confidence; the sentence shows, as the closest passage."""
    first = pipeline.ask("من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟")
    assert first.tier in STATING
    follow_up = pipeline.ask("What did they discuss?", [first.turn])
    assert follow_up.tier not in STATING
    assert follow_up.sentences and "الشيباني" in follow_up.text  # still on the topic
