"""Hostile input of every shape takes time linear in its size in every loader and splitter, and
in every reader of corpus/formats (web pages, PDF, Word, feeds).

Each example is an adversarial shape repeated to at least 200 KB: runs of every Markdown
opener, HTML tags nested without closing, text with no punctuation at all, one very long line,
nothing but joiners, letters stacked with marks, mixed Arabic and Latin. The check is growth: CPU time on
the input twice over against the input's own, measured in the same test (tests/corpus/timing.py),
with a backstop far above the typical seconds per MB; the quadratic paths these guard against
were 10-1000 times over it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus import Article, answer_spans, chunk_article, clean_text, split_sentences
from corpus.formats import FormatError, read_docx, read_feed, read_web_page
from corpus.formats.pdf import page_text, pypdf_pages
from corpus.markup import html_to_text, markdown_to_text
from tests.corpus.conftest import e5_token_counter
from tests.corpus.formats.pdfs import content_stream_pdf
from tests.corpus.timing import (
    CHUNK_SECONDS_PER_MB,
    HTML_SECONDS_PER_MB,
    SECONDS_PER_MB,
    assert_grows_linearly,
    assert_linear,
)

MIN_BYTES = 200_000
FEW = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MARKDOWN = ["**", "__", "~~", "*", "_", "`", "[", "![", "<http://", "](", "#", "# ", "> ", "- "]
HTML = ["<p>", "<div>", "<article>", "<main>", "<script>", "<nav>", "<header>", "<li>"]
HTML += ["<table><td>", "<td>", "</p>", "</div>", "<!--", "</", "<a ", "<![", "&amp;"]
WORDS = ["كلمة", "بوتين", "الخارجية", "Putin", "Moscow", "x", "٣٥", "3", "كَتَبَ", "😀"]
JOINERS = ["\u200c", "\u200d", "\u200b", "\u2060"]
MARKS = ["\u0301", "\u0316", "\u064e", "\u0651", "\u20dd"]
SHAPES = {
    "markdown openers": MARKDOWN + WORDS,
    "html nesting": HTML + WORDS,
    "no punctuation": WORDS,
    "only joiners": JOINERS,
    "stacked marks": [*MARKS, "a", "ب"],
    "mixed arabic and latin": WORDS + JOINERS + MARKDOWN[:4] + HTML[:3] + ["،", ".", "\n"],
}


@st.composite
def hostile_fragment(draw: st.DrawFn) -> str:
    """Pieces of one shape, to be repeated: joined with nothing or spaces, on one very long
    line or in lines of about 60 characters. (Shorter lines are linear too, but cost a fixed
    few microseconds a line whatever they hold.)"""
    pieces = SHAPES[draw(st.sampled_from(sorted(SHAPES)))]
    separator = draw(st.sampled_from(["", " "]))
    fragment = separator.join(draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=6)))
    fragment += separator
    if draw(st.booleans()):
        fragment = fragment * (60 // len(fragment) + 1) + "\n"
    return fragment


def _linear(run: Callable[[str], object], worst: str, limit: float = SECONDS_PER_MB) -> Callable:
    """A test that `run` is linear on hostile fragments, always including `worst`, a shape it
    was once quadratic (or slowest) on."""

    @pytest.mark.slow
    @FEW
    @example(fragment=worst)
    @given(fragment=hostile_fragment())
    def test(fragment: str) -> None:
        # Repeated here rather than drawn, so a failure shows the fragment, not 200 KB.
        assert_linear(run, fragment * (MIN_BYTES // len(fragment.encode()) + 1), limit)

    return test


SPACED_COMMAS = "a، " + " " * 100
test_markdown_to_text_is_linear = _linear(markdown_to_text, "**a ")
test_html_to_text_is_linear = _linear(html_to_text, "<div>", HTML_SECONDS_PER_MB)
test_clean_text_is_linear = _linear(clean_text, "\u0301\u0316")
test_split_sentences_is_linear = _linear(partial(split_sentences, max_chars=800), SPACED_COMMAS)
test_answer_spans_is_linear = _linear(answer_spans, SPACED_COMMAS)

_count_tokens = e5_token_counter()


def _chunk(text: str) -> object:
    article = Article.create(id="hostile", title=None, text=text, source="hostile")
    return chunk_article(article, _count_tokens)


test_chunk_article_is_linear_with_the_real_tokenizer = _linear(
    _chunk, "كلمة عربية طويلة ", CHUNK_SECONDS_PER_MB
)


# -- the readers of corpus/formats. What they call (lxml, trafilatura, feedparser, pypdf,
# python-docx) has costs of its own: the per-MB backstop is HTML's for all of them.


def _pages(text: str) -> object:
    lines = text.split("\n")
    return page_text([lines[i : i + 40] for i in range(0, len(lines), 40)])


def _feed(text: str) -> object:
    items = "".join(
        f"<item><title>{escape(part)}</title><link>https://x.example/{n}</link>"
        f"<description>{escape(part)}</description></item>"
        for n, part in enumerate(text.split("\n"))
    )
    try:
        return read_feed(f"<rss version='2.0'><channel>{items}</channel></rss>".encode())
    except FormatError:  # refused is fine; the time it took is what is measured
        return None


test_read_web_page_is_linear = _linear(read_web_page, "<div>", HTML_SECONDS_PER_MB)
test_pdf_page_text_is_linear = _linear(_pages, "كلمة عربية طويلة ", HTML_SECONDS_PER_MB)
test_read_feed_is_linear = _linear(_feed, "<p>" * 30 + "\n", HTML_SECONDS_PER_MB)

# Content streams a PDF page can hold: many strings, kerned arrays, many text objects, a move
# before every glyph, Arabic in hex strings.
PDF_SHAPES = {
    "strings": b"(x) Tj ",
    "arrays": b"[(a) -20 (b) -20 (c)] TJ ",
    "text objects": b"BT /F1 9 Tf (y) Tj ET ",
    "moves": b"1 0 Td (z) Tj ",
    "arabic hex": b"<FEB3FE8EFEE0> Tj ",
}


def _pdf(folder: Path, shape: bytes, operators: int) -> Path:
    return content_stream_pdf(folder / f"{len(list(folder.iterdir()))}.pdf", shape, operators)


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(PDF_SHAPES.values()), ids=list(PDF_SHAPES))
def test_pdf_extraction_grows_linearly(tmp_path: Path, shape: bytes) -> None:
    assert_grows_linearly(pypdf_pages, lambda n: _pdf(tmp_path, shape, n), 10_000)


DOCX_PARAGRAPHS = {
    "arabic": "كلمة عربية طويلة مع تشكيل كَتَبَ ",
    "joiners": "\u200c\u200d" * 20,
    "one long run": "x" * 2000,
}


def _docx(folder: Path, text: str, paragraphs: int) -> Path:
    import docx

    document = docx.Document()
    for _ in range(paragraphs):
        document.add_paragraph(text)
    path = folder / f"{len(list(folder.iterdir()))}.docx"
    document.save(str(path))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("text", list(DOCX_PARAGRAPHS.values()), ids=list(DOCX_PARAGRAPHS))
def test_word_reading_grows_linearly(tmp_path: Path, text: str) -> None:
    assert_grows_linearly(read_docx, lambda n: _docx(tmp_path, text, n), 2_000)
