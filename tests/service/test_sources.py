"""The sources panel's model and HTML: one card per article with overlapping chunks merged,
every cited sentence highlighted, real titles, outlets and dates, isolated ids and titles, and
the article view scrolled to its sentence. No Gradio needed."""

from __future__ import annotations

import re

from corpus import Chunk, Span
from embeddings.index.manifest import ArticleRecord
from rag.schema import Answer, AnswerSentence, Citation, Passage
from service.sources import (
    Excerpt,
    article_meta,
    source_cards,
    stitch,
)
from ui.render.sources import render_article, render_sources

ARTICLE = (
    "استقبل الرئيس الروسي فلاديمير بوتين الوزير السوري في الكرملين يوم الخميس. "
    "وناقش الجانبان تعزيز التعاون العسكري والاقتصادي بين البلدين. "
    "وقال الوزير إن الزيارة تفتح صفحة جديدة في العلاقات. "
    "ومن المقرر أن تعقد القمة العربية الروسية في تشرين الأول المقبل."
)


def _chunk(start: int, end: int, article_id: str = "art-1", title: str | None = None) -> Chunk:
    return Chunk(f"{article_id}:{start}-{end}", article_id, title, ARTICLE[start:end], start, end)


def _citation(marker: int, chunk: Chunk, sentence: str, support: float = 0.9) -> Citation:
    start = chunk.text.index(sentence)
    span = Span(start, start + len(sentence), sentence)
    return Citation(marker, Passage(chunk, 0.8), span, support)


def _sentences() -> list[str]:
    return [part if part.endswith(".") else part + "." for part in ARTICLE.split(". ")]


def _overlapping_answer() -> Answer:
    first, second, third, fourth = _sentences()
    a = _chunk(0, ARTICLE.index(third) + len(third))  # sentences 1-3
    b = _chunk(ARTICLE.index(second), len(ARTICLE))  # sentences 2-4, overlapping a
    return Answer(
        question="متى القمة؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=[
            AnswerSentence(first, (1,), support=1.0),
            AnswerSentence(fourth, (2,), support=1.0),
            AnswerSentence(third, (1,), support=0.7, supported=False),
        ],
        citations=[_citation(1, a, first), _citation(2, b, fourth)],
    )


def test_stitch_merges_overlapping_chunks_and_keeps_gaps():
    whole = stitch([_chunk(40, len(ARTICLE)), _chunk(0, 60)])
    assert whole == [Excerpt(0, len(ARTICLE), ARTICLE)]
    apart = stitch([_chunk(100, 150), _chunk(0, 30), _chunk(30, 50)])
    assert [(e.start, e.end) for e in apart] == [(0, 50), (100, 150)]
    assert all(e.text == ARTICLE[e.start : e.end] for e in apart)


def test_overlapping_chunks_of_one_article_make_one_card_with_every_cited_sentence():
    answer = _overlapping_answer()
    (card,) = source_cards(answer)
    assert card.markers == (1, 2)
    assert [(e.start, e.end) for e in card.excerpts] == [(0, len(ARTICLE))]
    cited = [ARTICLE[h.start : h.end] for h in card.highlights]
    first, _, third, fourth = _sentences()
    assert cited == [first, third, fourth]  # in text order, the unsupported one too
    assert [h.markers for h in card.highlights] == [(1,), (1,), (2,)]
    assert [h.supported for h in card.highlights] == [True, False, True]

    html = render_sources(answer, turn=2)
    assert html.count('<section class="source"') == 1
    assert html.count("<mark ") == 3
    # Each marker's first sentence is its link target, and links back to the answer.
    assert 'id="src-2-1"' in html and 'id="src-2-2"' in html
    assert 'href="#cite-2-1"' in html and 'href="#cite-2-2"' in html
    assert "quoted word for word" not in html  # in the answer's language
    assert "مقتبسة حرفياً" in html and "دعم غير مؤكد" in html and "support" not in html


def test_cards_of_different_articles_stay_apart_in_marker_order():
    first, second, *_ = _sentences()
    other = Chunk("art-2:0-60", "art-2", "عنوان آخر", ARTICLE[:60], 0, 60)
    answer = Answer(
        question="؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=[AnswerSentence(first, (2,)), AnswerSentence(second, (1,))],
        citations=[
            _citation(2, other, first[:50]),
            _citation(1, _chunk(0, len(ARTICLE)), second),
        ],
    )
    assert [c.article_id for c in source_cards(answer)] == ["art-1", "art-2"]


def _record(**facts: str | None) -> ArticleRecord:
    return ArticleRecord(fingerprint="0" * 64, source="x.txt", chunks=1, **facts)  # type: ignore[arg-type]


def _named(meta) -> tuple[str, bool]:
    return meta.title, meta.has_title


def test_an_article_without_a_title_is_named_by_its_first_sentence():
    first = _sentences()[0]
    assert _named(article_meta("000_7bd1b27135457103", None, ARTICLE)) == (first, False)
    long_first = ARTICLE.replace(". ", "، ", 2)  # over 90 characters: cut at a word
    title, own = _named(article_meta("000_7bd1b27135457103", None, long_first))
    assert not own and title.startswith("استقبل الرئيس الروسي") and title.endswith("…")
    assert len(title) <= 91 and long_first.startswith(title[:-1])
    titled = article_meta("x", _record(title="عنوان المقال"), ARTICLE)
    assert _named(titled) == ("عنوان المقال", True)
    # The ingest recorded the opening: the text is not needed.
    assert _named(article_meta("x", _record(title=None, opening=first))) == (first, False)
    assert _named(article_meta("file-id", None, "")) == ("file-id", False)
    html = render_sources(
        Answer(
            question="؟",
            language="ar",
            lead="بحسب المقالات:",
            sentences=[],
            citations=[_citation(1, _chunk(0, 80, "file-id"), ARTICLE[:20])],
        ),
        turn=0,
    )
    visible = re.sub(r"<[^>]+>", "", html)
    assert visible.count("file-id") == 1  # in the card's details, not as its title too
    assert "استقبل الرئيس الروسي" in re.search(r'class="source-title".*?</span>', html).group(0)


def test_outlet_and_date_are_what_the_ingest_recorded_and_nothing_is_guessed():
    record = _record(title="t", url="https://sana.sy/x", date="2025-07-31", outlet="سانا")
    meta = article_meta("a", record, ARTICLE)
    assert (meta.outlet, meta.date, meta.url) == ("سانا", "2025-07-31", "https://sana.sy/x")
    # A dateline in the text is read at ingest (corpus.facts), not here.
    unknown = article_meta("a", _record(title="t"), "دمشق - سانا: في 31 تموز 2025 استقبل")
    assert (unknown.outlet, unknown.date) == (None, None)


def test_bidi_controls_in_titles_and_ids_cannot_reorder_the_panel():
    evil_id, evil_title = "\u202eevil-id", "\u202eعنوان <b>خبيث</b>"
    chunk = Chunk("c", evil_id, evil_title, ARTICLE[:80], 0, 80)
    answer = Answer(
        question="؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=[],
        citations=[_citation(1, chunk, ARTICLE[:20])],
    )
    html = render_sources(answer, turn=0)
    assert "<b>" not in html
    assert f"<bdi>{evil_title.replace('<', '&lt;').replace('>', '&gt;')}</bdi>" in html
    assert f'<bdi class="article-id" dir="ltr">{evil_id}</bdi>' in html
    # Every occurrence of the override is inside a bdi or an attribute value.
    outside = re.sub(r"<bdi[^>]*>.*?</bdi>|\"[^\"]*\"", "", html)
    assert "\u202e" not in outside


def test_article_view_shows_the_whole_text_scrolled_to_the_chosen_sentence():
    answer = _overlapping_answer()
    (card,) = source_cards(answer)
    meta = article_meta("art-1", _record(title="عنوان"), ARTICLE)
    html = render_article(meta, stitch([_chunk(0, len(ARTICLE))]), card.highlights, 0, focus=2)
    passage = re.search(r'<div class="passage".*', html).group(0)
    assert re.sub(r"<[^>]+>|\[\d\]", "", passage) == ARTICLE
    focused = re.findall(r'<mark [^>]*data-focus="1"[^>]*>([^<]*)', html)
    assert focused == [_sentences()[3]]
    assert 'id="art-0-1"' in html and 'id="src-' not in html  # no clash with the panel's ids
