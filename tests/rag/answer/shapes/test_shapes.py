"""Broad questions on the seed corpus, in both languages and on both index backends: a timeline
lists the meetings the articles date in calendar order with every reporting article cited; who
said what gives the speaker's statements from every article that quotes them; a summary draws
on several articles; a comparison shows where the articles differ, or each side.

The questions and what they must find are in broad_questions.jsonl (also what `python -m eval
timeline` measures). They are regression checks written from the articles, not data the rules
were fitted to.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from corpus import DEFAULT_CORPUS_DIR, normalize_text
from corpus.dates import PartialDate
from eval.timeline import Expected, score_timeline
from rag.answer.shapes.names import named_at
from rag.answer.shapes.speaker import is_speech
from rag.messages import message
from rag.pipeline import Pipeline
from rag.schema import QUOTES, Answer

pytestmark = pytest.mark.slow
QUESTIONS = [
    json.loads(line)
    for line in (Path(__file__).with_name("broad_questions.jsonl")).read_text().splitlines()
    if line.strip()
]


def _of(shape: str) -> list[dict[str, Any]]:
    return [q for q in QUESTIONS if q["shape"] == shape]


def _cited(answer: Answer, sentence_index: int | None = None) -> set[str]:
    by_marker = {c.marker: c.passage.article_id for c in answer.citations}
    lines = answer.sentences if sentence_index is None else [answer.sentences[sentence_index]]
    return {by_marker[m] for s in lines for m in s.markers}


def _assert_quoted_from_articles(answer: Answer) -> None:
    """Every line is a sentence of a passage it cites, word for word."""
    passages = {c.marker: c.passage.chunk.text for c in answer.citations}
    for sentence in answer.sentences:
        assert sentence.markers, sentence
        text = sentence.text.strip(QUOTES)
        assert any(text in passages[m] for m in sentence.markers), sentence.text


@pytest.mark.parametrize("case", _of("timeline"), ids=lambda q: q["id"])
def test_timeline_lists_the_dated_events_in_calendar_order_citing_every_report(
    pipeline: Pipeline, case: dict[str, Any]
) -> None:
    answer = pipeline.ask(case["question"])
    assert answer.shape == "timeline", answer.text
    assert answer.language == case["lang"]
    events = [
        Expected(PartialDate.from_iso(e["date"]), frozenset(e["articles"])) for e in case["events"]
    ]  # type: ignore[arg-type]
    scores = score_timeline(answer, events)
    assert (scores["coverage"], scores["order"], scores["citations"]) == (1, 1, 1), answer.text
    _assert_quoted_from_articles(answer)
    dates = [PartialDate.from_iso(s.date) for s in answer.sentences]
    assert all(dates), "every line has its date"
    keys = [(d.year is None, d.sort_key()) for d in dates if d]
    assert keys == sorted(keys), "known years first, each part in calendar order"
    for sentence in answer.sentences:
        date = PartialDate.from_iso(sentence.date)
        assert date is not None and date.label(answer.language) in sentence.label
        if date.year is None:
            assert message("year_unknown", answer.language) in sentence.label
    lead = message("timeline", answer.language, events="", articles="").split()[0]
    assert answer.lead.startswith(lead)


def test_timeline_shows_a_report_that_gives_the_event_another_day(pipeline: Pipeline) -> None:
    """002 has Putin receive al-Shaibani on a Tuesday; 003 dates it Thursday 31 July."""
    answer = pipeline.ask(_of("timeline")[0]["question"])
    other = [i for i, s in enumerate(answer.sentences) if message("other_day", "ar") in s.label]
    assert other and all(answer.sentences[i].date == "--07-31" for i in other)
    assert "002_fbd531575c04d162" in set().union(*(_cited(answer, i) for i in other))


@pytest.mark.parametrize("case", _of("speaker"), ids=lambda q: q["id"])
def test_who_said_what_gives_the_speakers_statements_from_every_article_quoting_them(
    pipeline: Pipeline, case: dict[str, Any]
) -> None:
    answer = pipeline.ask(case["question"])
    assert answer.shape == "speaker", answer.text
    assert set(case["articles"]) <= _cited(answer), answer.text
    _assert_quoted_from_articles(answer)
    for sentence in answer.sentences:
        words = re.findall(r"\w+", normalize_text(sentence.text))
        assert any(is_speech(w) for w in words), sentence.text
        assert not any(name in sentence.text for name in case["not"]), sentence.text
    for index, sentence in enumerate(answer.sentences):
        if not named_at(sentence.text, case["speaker"]):  # by the title its article gave them
            (article,) = _cited(answer, index)
            text = (DEFAULT_CORPUS_DIR / f"{article}.txt").read_text(encoding="utf-8")
            assert named_at(text, case["speaker"]), sentence.text
    assert all(s.label for s in answer.sentences), "each statement under its occasion"


@pytest.mark.parametrize("case", _of("summary"), ids=lambda q: q["id"])
def test_summary_draws_on_several_articles_with_no_point_twice(
    pipeline: Pipeline, case: dict[str, Any]
) -> None:
    answer = pipeline.ask(case["question"])
    assert answer.shape == "summary", answer.text
    assert len(_cited(answer)) >= case["min_articles"], answer.text
    _assert_quoted_from_articles(answer)
    texts = [normalize_text(s.text) for s in answer.sentences]
    assert len(set(texts)) == len(texts) >= 3


@pytest.mark.parametrize("case", _of("comparison"), ids=lambda q: q["id"])
def test_comparison_shows_where_articles_differ_or_each_side(
    pipeline: Pipeline, case: dict[str, Any]
) -> None:
    answer = pipeline.ask(case["question"])
    assert answer.shape == "comparison", answer.text
    _assert_quoted_from_articles(answer)
    if "differ" in case:
        differ = message("differ", answer.language, what="").rstrip(":").strip()
        assert answer.lead.startswith(differ), answer.lead
        assert set(case["differ"]) <= _cited(answer)
        return
    assert answer.lead == message("no_difference", answer.language)
    for (word,) in case["sides"]:
        lines = [s for s in answer.sentences if word in s.label]
        assert lines, (word, answer.text)
        assert all(named_at(s.text, word) for s in lines)


@pytest.mark.parametrize("case", QUESTIONS, ids=lambda q: q["id"])
def test_a_broad_answer_claims_no_more_than_the_related_tier(
    pipeline: Pipeline, case: dict[str, Any]
) -> None:
    """The answer and likely tiers say one quoted sentence states the answer, with the chance
    that the first sentence holds it: words measured on one-answer questions, not true of a
    broad answer's lines."""
    answer = pipeline.ask(case["question"])
    assert answer.shape == case["shape"], answer.text
    assert (answer.tier, answer.confidence) == ("related", None)


def test_a_broad_question_the_articles_do_not_cover_never_claims_an_answer(
    pipeline: Pipeline,
) -> None:
    """Refused, or (on five articles about one topic the nearest events still come) in the
    tier that says they may not answer."""
    for question in ("Timeline of the Apollo moon landings", "رتّب زمنياً بعثات أبولو إلى القمر"):
        answer = pipeline.ask(question)
        assert answer.refused or answer.tier == "related", answer.text
        assert answer.confidence is None or answer.shape is None


def test_a_factoid_question_keeps_the_extractive_answer(pipeline: Pipeline) -> None:
    answer = pipeline.ask("من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟")
    assert answer.shape is None and "بوتين" in answer.text
