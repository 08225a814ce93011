"""Filters in the chain, on the seed corpus and both backends: the request's filter (the chat's
control, the API's field) and the question's own ("في شباط") restrict what is searched and the
answer says so; a question's filter that matches nothing is set aside, a request's is kept."""

from __future__ import annotations

import pytest

from rag.messages import message
from rag.pipeline import Pipeline
from service.filters import request_filter

pytestmark = pytest.mark.slow
ANKARA = "004_2ac46bbe3c7d16b3"  # the only seed article that dates a February


def _articles(answer) -> set[str]:
    return {c.passage.article_id for c in answer.citations} | {
        p.article_id for p in answer.passages
    }


def test_a_request_filter_restricts_the_search_and_the_answer_says_so(pipeline: Pipeline) -> None:
    answer = pipeline.ask(
        "أين التقى لافروف بالشيباني؟", filters=request_filter("2025-02", "2025-02")
    )
    assert _articles(answer) == {ANKARA} and "أنقرة" in answer.text
    searched = message("filter_searched", "ar", filter="شباط/فبراير 2025", articles="مقالة واحدة")
    assert searched in answer.notices


def test_the_questions_own_month_restricts_the_search(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who did Lavrov meet in February?")
    assert _articles(answer) == {ANKARA}
    assert any(
        n.startswith("Only the articles matching the filter (February)") for n in answer.notices
    )


def test_a_questions_filter_that_matches_nothing_is_set_aside(pipeline: Pipeline) -> None:
    answer = pipeline.ask("ماذا حدث في كانون الثاني؟")
    assert message("filter_dropped", "ar", words="في كانون الثاني") in answer.notices
    assert len(_articles(answer)) > 1


def test_a_request_filter_that_matches_nothing_is_kept_and_nothing_is_answered(
    pipeline: Pipeline,
) -> None:
    answer = pipeline.ask(
        "Who received al-Shaibani?", filters=request_filter(None, None, ["Reuters"])
    )
    assert answer.refused and answer.passages == []
    assert message("filter_empty", "en", filter="Reuters") in answer.notices
