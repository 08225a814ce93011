"""The tiers on the real seed index, in both languages, with the shipped calibration: a
stated answer (answer or likely tier) with its span, the closest passages when no sentence may
answer, and the English statement of a date. The questions are written for these tests from the seed articles;
they are neither the evaluation's seed questions nor the app's examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import normalize_text
from embeddings.model.embedder import Embedder
from rag.config import load_settings
from rag.messages import message
from rag.pipeline import Pipeline
from rag.schema import STATING, Answer


@pytest.fixture(scope="module")
def pipeline(embedder: Embedder, seed_index: Path) -> Pipeline:
    return Pipeline.from_settings(load_settings(index_dir=seed_index), embedder)


def _cited_text(answer: Answer) -> str:
    return normalize_text(" ".join(c.sentence.text for c in answer.citations))


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("متى التقى لافروف بنظيره السوري في أنقرة؟", "ar", "شباط"),
        ("When did Lavrov meet the Syrian foreign minister in Ankara?", "en", "أنقرة"),
    ],
)
def test_a_clearly_answered_question_is_in_a_tier_that_states_it(
    pipeline: Pipeline, question: str, language: str, expected: str
) -> None:
    answer = pipeline.ask(question)
    assert answer.tier in STATING, (answer.confidence, answer.render_text())
    assert answer.language == language
    if language == "ar":
        assert answer.lead == message("lead" if answer.tier == "answer" else "likely", language)
    assert 1 <= len(answer.sentences) <= 2
    assert normalize_text(expected) in _cited_text(answer)


def test_an_english_date_question_states_the_date_in_english_first(pipeline: Pipeline) -> None:
    answer = pipeline.ask("When did Lavrov meet the Syrian foreign minister in Ankara?")
    assert answer.tier in STATING, answer.render_text()
    assert "date" in answer.lead
    # "يومي 23 و24 شباط" in the article, stated in English before the quoted Arabic.
    assert "23 and 24 February" in answer.lead, answer.lead
    assert "[1]" in answer.lead
    first = answer.sentences[0]
    assert first.highlight is not None
    start, end = first.highlight
    assert "شباط" in first.text[start:end]


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("ما موقف الصين من القواعد الروسية في سوريا؟", "ar"),
        ("What did China say about the Russian bases in Syria?", "en"),
    ],
)
def test_a_question_on_the_subject_that_no_sentence_answers_gets_the_closest_passages(
    pipeline: Pipeline, question: str, language: str
) -> None:
    answer = pipeline.ask(question)
    assert answer.tier == "related", (answer.confidence, answer.render_text())
    assert answer.lead == message("related", language)
    assert 1 <= len(answer.sentences) <= 2 and answer.citations
    assert len({c.passage.article_id for c in answer.citations}) <= 2
    assert "الصين" not in _cited_text(answer)


def test_top_k_changes_what_is_retrieved_not_how_much_is_shown(pipeline: Pipeline) -> None:
    question = "متى التقى لافروف بنظيره السوري في أنقرة؟"
    one, many = pipeline.ask(question, k=1), pipeline.ask(question, k=8)
    assert len(one.passages) == 1 and len(many.passages) == 8
    assert len(one.sentences) <= 2 and len(many.sentences) <= 2
