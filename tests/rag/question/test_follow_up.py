"""Which questions lean on the conversation, and what they are searched with."""

from __future__ import annotations

import pytest

from rag.question.follow_up import follow_up_context, is_follow_up
from rag.schema import Turn

ASKED = "ماذا بحث الرئيس أحمد الشرع مع بوتين في موسكو؟"
HISTORY = [Turn(ASKED, "إعادة إعمار سوريا")]
CONTEXT = f"{ASKED} إعادة إعمار سوريا"


@pytest.mark.parametrize(
    "question",
    [
        "When did he visit Moscow?",
        "And what did they sign there?",
        "متى زارها؟",  # an attached pronoun: "visited it"
        "ما نتائج زيارته إلى موسكو؟",
        "وماذا عن ذلك الاتفاق؟",
        "متى؟",  # too short to stand alone
        "متى كان ذلك؟",  # issue 25: "when was that?"
        "What did they discuss?",
        "Will Russia keep them?",  # a personal pronoun is never its own clause's subject
        "ماذا طلب؟",  # names nothing: who asked?
    ],
)
def test_questions_that_lean_on_the_conversation(question: str) -> None:
    assert is_follow_up(question)
    assert follow_up_context(question, HISTORY) == CONTEXT


@pytest.mark.parametrize(
    "question",
    [
        "What did Lavrov say about the Arab-Russian summit?",
        "متى ستعقد القمة العربية الروسية الأولى؟",
        # A pronoun right after a question word is a copula, not someone already named.
        "من هو وزير الدفاع السوري الحالي؟",
        "ما هي أهداف القمة العربية الروسية؟",
        "من هم المسؤولون الروس الذين زاروا دمشق؟",
        "Is there a date for the Arab-Russian summit?",
        "Which minister said that Russia supports the new government?",
        # Issue 25: the pronoun's antecedent is inside the question itself.
        "Is Russia still going to keep its bases in Latakia and Tartus?",
        "ماذا قال لافروف لنظيره التركي؟",
        "ما الذي أكده الرئيس الشرع خلال لقائه مع بوتين؟",  # a relative's resumptive pronoun
        "What did al-Sharaa say in Moscow this week?",  # a time, not something said before
        "Who is Putin?",
        "من هو بوتين؟",
    ],
)
def test_a_question_that_stands_alone_takes_no_context(question: str) -> None:
    assert not is_follow_up(question)
    assert follow_up_context(question, HISTORY) is None


def test_without_history_nothing_is_joined() -> None:
    assert follow_up_context("When did he visit Moscow?", []) is None


def test_only_the_last_turn_is_joined() -> None:
    history = [Turn("Who is the Syrian foreign minister?", "أسعد الشيباني"), *HISTORY]
    assert follow_up_context("When did he arrive?", history) == CONTEXT


def test_a_turn_without_an_answer_gives_its_question() -> None:
    assert follow_up_context("When did he arrive?", [Turn(ASKED)]) == ASKED
