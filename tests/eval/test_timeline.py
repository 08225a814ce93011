"""The timeline measure: coverage of the expected events, their order, and the articles each
event's lines cite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import Chunk, Span
from corpus.dates import PartialDate
from eval.timeline import Expected, read_questions, score_timeline
from rag.schema import Answer, AnswerSentence, Citation, Passage

FEB, JULY, OCT = (PartialDate.from_iso(d) for d in ("--02-23/24", "--07-31", "--10"))
EVENTS = [
    Expected(FEB, frozenset({"a"})),
    Expected(JULY, frozenset({"b", "c"})),
    Expected(OCT, frozenset({"d"})),
]  # type: ignore[arg-type]


def _citation(marker: int, article: str) -> Citation:
    chunk = Chunk(f"{article}:0-1", article, None, "x", 0, 1)
    return Citation(marker, Passage(chunk, 1.0), Span(0, 1, "x"), 1.0)


def _answer(*lines: tuple[str, tuple[int, ...]]) -> Answer:
    sentences = [AnswerSentence("x", markers, date=date) for date, markers in lines]
    citations = [_citation(m, a) for m, a in enumerate("abcd", start=1)]
    return Answer("q", "en", "lead", sentences, citations, shape="timeline")


def test_every_event_shown_in_order_with_its_articles_scores_one() -> None:
    answer = _answer(("--02-23/24", (1,)), ("--07-31", (2, 3)), ("--10", (4,)))
    scores = score_timeline(answer, EVENTS)
    assert (scores["coverage"], scores["order"], scores["citations"]) == (1, 1, 1)


def test_missing_events_wrong_order_and_missing_citations_count_against_it() -> None:
    answer = _answer(("--10", (4,)), ("--07-31", (2,)), ("2025-03-01", (1,)))
    scores = score_timeline(answer, EVENTS)
    assert scores["coverage"] == pytest.approx(2 / 3)  # February is not shown
    assert scores["order"] == 0  # October before July
    assert scores["citations"] == pytest.approx((1 + 0.5) / 2)  # July cites b, not c


def test_a_line_of_another_year_or_day_does_not_show_an_event() -> None:
    dated = [Expected(PartialDate(2024, 12, 8), frozenset({"a"}))]
    assert score_timeline(_answer(("--12-08", (1,))), dated)["coverage"] == 0
    assert score_timeline(_answer(("2025-12-08", (1,))), dated)["coverage"] == 0
    assert score_timeline(_answer(("2024-12-08", (1,))), dated)["coverage"] == 1


def test_the_file_keeps_timeline_questions_and_refuses_a_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "broad.jsonl"
    good = {
        "id": "t",
        "shape": "timeline",
        "question": "q",
        "events": [{"date": "--07-31", "articles": []}],
    }
    path.write_text(json.dumps(good) + "\n" + json.dumps({"id": "s", "shape": "summary"}) + "\n")
    assert [q["id"] for q in read_questions(path)] == ["t"]
    bad = {**good, "events": [{"date": "31 July", "articles": []}]}
    path.write_text(json.dumps(bad) + "\n")
    with pytest.raises(ValueError, match="1: event date '31 July'"):
        read_questions(path)
