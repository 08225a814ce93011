"""The shape a broad question asks its answer to take, read from its words in both languages;
a question one sentence can answer has none."""

from __future__ import annotations

import json

import pytest

from eval.datasets import SHARED_EVAL_DIR
from rag.question.broad import Shape, read_broad

SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("رتّب زمنياً اللقاءات بين المسؤولين السوريين والروس", Shape.TIMELINE),
        ("ما التسلسل الزمني للأحداث في سوريا؟", Shape.TIMELINE),
        ("Timeline of meetings since Assad fell", Shape.TIMELINE),
        ("List the visits in chronological order", Shape.TIMELINE),
        ("ماذا قال لافروف عن سوريا؟", Shape.SPEAKER),
        ("ما تصريحات بوتين بشأن إسرائيل؟", Shape.SPEAKER),
        ("What did Lavrov say about Syria?", Shape.SPEAKER),
        ("What has Putin said?", Shape.SPEAKER),
        ("ما أبرز نتائج زيارة الشيباني إلى موسكو؟", Shape.SUMMARY),
        ("لخص ما جرى بين دمشق وموسكو", Shape.SUMMARY),
        ("Summarize what happened between Syria and Russia in 2025", Shape.SUMMARY),
        ("What were the results of the talks?", Shape.SUMMARY),
        ("ما الفرق بين ما قاله لافروف في أنقرة وموسكو؟", Shape.COMPARISON),
        ("هل تختلف المقالات في موعد الزيارة؟", Shape.COMPARISON),
        ("Do the articles disagree about the date of the meeting?", Shape.COMPARISON),
        ("Compare Putin's and Lavrov's statements", Shape.COMPARISON),
    ],
)
def test_the_shape_is_read_in_both_languages(question: str, shape: Shape) -> None:
    broad = read_broad(question)
    assert broad is not None and broad.shape is shape


def test_the_speaker_and_the_subject_are_read_in_any_script() -> None:
    broad = read_broad("ماذا قال لافروف عن سوريا؟")
    assert broad is not None and (broad.speaker, broad.subject) == ("لافروف", "عن سوريا")
    broad = read_broad("What did Sergei Lavrov say on Syria?")
    assert broad is not None and broad.speaker == "Sergei Lavrov"


def test_a_comparison_has_its_sides_and_its_speaker() -> None:
    broad = read_broad("ما الفرق بين ما قاله لافروف في أنقرة وموسكو؟")
    assert broad is not None
    assert broad.sides == ("ما قاله لافروف في أنقرة", "موسكو") and broad.speaker == "لافروف"


def test_marks_do_not_hide_the_shape_nor_stay_in_the_subject() -> None:
    broad = read_broad("رتّبْ زمنيّاً اللقاءات")
    assert broad is not None and broad.subject == "اللقاءات"


@pytest.mark.skipif(not SEED_QA.is_file(), reason="the shared seed questions are not here")
def test_factoid_questions_have_no_shape() -> None:
    """Of the seed questions (who, when, where), only "what did X say about Y" is broad."""
    questions = [json.loads(line)["question"] for line in SEED_QA.read_text().splitlines()]
    broad = {q: read_broad(q) for q in questions}
    shaped = {q: b.shape for q, b in broad.items() if b is not None}
    assert set(shaped.values()) <= {Shape.SPEAKER}, shaped
    assert len(shaped) <= 1
