"""Scoring and choosing answer sentences, on a stub index with hashed bag-of-words vectors."""

from __future__ import annotations

from rag.answer import SentenceSelector
from tests.rag.stubs import StubIndex, chunk, passages_of, question

ENERGY = chunk(
    "energy",
    "زار وزير الخارجية العاصمة الروسية موسكو يوم الثلاثاء. "
    "ووقع الوزير اتفاقية للتعاون في مجال الطاقة مع نظيره الروسي. "
    "وتدخل الاتفاقية حيز التنفيذ العام المقبل.",
)
DATES = chunk("dates", "افتتح مهرجان التمور السنوي في مدينة بريدة بمشاركة ثلاثمئة مزارع.")


def test_the_sentence_that_answers_ranks_first_and_points_at_its_passage() -> None:
    selector = SentenceSelector(StubIndex([ENERGY, DATES]))
    scored = selector.score(
        question("ماذا وقع الوزير في مجال الطاقة؟"), passages_of([DATES, ENERGY])
    )
    best = scored[0]
    assert best.passage == 1 and "اتفاقية للتعاون" in best.span.text
    assert ENERGY.text[best.span.start : best.span.end] == best.span.text
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)


def test_a_date_question_prefers_a_sentence_with_a_date() -> None:
    selector = SentenceSelector(StubIndex([ENERGY]), type_weight=1.0)
    scored = selector.score(question("متى تدخل الاتفاقية حيز التنفيذ؟"), passages_of([ENERGY]))
    assert "يوم الثلاثاء" in scored[0].span.text or "العام" in scored[0].span.text


def test_selection_keeps_close_runners_up_once_and_stops_at_the_margin() -> None:
    selector = SentenceSelector(StubIndex([ENERGY]), margin=10.0, max_sentences=2)
    scored = selector.score(question("ماذا فعل الوزير في موسكو؟"), passages_of([ENERGY, ENERGY]))
    chosen = selector.select(scored)
    assert len(chosen) == 2  # capped, and the repeated passage adds no duplicate sentence
    assert chosen[0].span.text != chosen[1].span.text
    tight = SentenceSelector(StubIndex([ENERGY]), margin=0.0).select(scored)
    assert len(tight) == 1


def test_no_passages_no_sentences() -> None:
    selector = SentenceSelector(StubIndex([]))
    assert selector.score(question("ماذا حدث؟"), []) == []
    assert selector.select([]) == []
