"""A news page's article and what the page says about it, with trafilatura.

Measured against the project's own extractor (`corpus.markup.html_to_text`, then cleaning) on
real pages in Arabic and English (tests/corpus/formats/test_web_pages.py, figures in the README),
trafilatura keeps as much of the article and leaves out more of the page around it, so its text
is used; cleaning's footer markers are not applied after it, since they cut articles that link
"Read more: ..." mid-text. The title is the page's own headline (`<h1>`, as markup.py finds it)
when it is trustworthy (`_title`), else the title trafilatura reads (og:title, `<title>`).
The date is one the page states in its markup (meta tags, JSON-LD, `<time>`): no guess from the
address or the text, so a date here is a known day. A page trafilatura finds no article in is
read by markup.py, as before.
"""

from __future__ import annotations

import re

from corpus.formats.document import WEB_ADDRESS, Document, iso_day, one_line
from corpus.markup import html_to_text
from corpus.normalize import normalize_text

_WORD = re.compile(r"[^\W_]+")
# Share of a paragraph's word triples that must be in trafilatura's text for the paragraph to
# be kept (its boilerplate judgement, markup.py's paragraphs).
_AGREEMENT = 0.8
_REGION = re.compile(r"<(?:article|main)[\s>]", re.IGNORECASE)
# htmldate's search of the whole text guesses (a year in the address becomes 1 January).
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _title(stated: str | None, headline: str | None, html: str) -> str | None:
    """The page's headline when the stated title contains it ("Headline | Site | date"), or
    when it is the `<h1>` of the page's `<article>`/`<main>`; else the stated title. (A page
    without those regions has logos and section names in `<h1>` too.)"""
    if not (headline and stated):
        return stated or headline
    head, said = normalize_text(headline), normalize_text(stated)
    if head in said or (_REGION.search(html) and said not in head):
        return headline
    return stated


def _web_address(value: object) -> str | None:
    """An absolute http(s) address the page states (its canonical URL), else None."""
    address = one_line(value, 2000)
    return address if address and WEB_ADDRESS.fullmatch(address) else None


def _shingles(words: list[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + size]) for i in range(len(words) - size + 1)]


def _kept_by(extracted: str, paragraphs: list[str]) -> list[str]:
    """The `paragraphs` (markup.py's, in its order and layout) that the extracted text holds:
    at least `_AGREEMENT` of each one's word triples (pairs, words when shorter) are in it.
    Sets of shingles keep this linear in the page."""
    words = _WORD.findall(normalize_text(extracted))
    known = [set(_shingles(words, size)) for size in (1, 2, 3)]
    kept = []
    for paragraph in paragraphs:
        own = _WORD.findall(normalize_text(paragraph))
        if not own:
            continue
        size = min(3, len(own))
        shingles = _shingles(own, size)
        if sum(s in known[size - 1] for s in shingles) >= _AGREEMENT * len(shingles):
            kept.append(paragraph)
    return kept


def read_web_page(html: str, url: str | None = None) -> tuple[Document, bool]:
    """The article of `html` (fetched from `url`, if it was), and whether trafilatura found it
    (False: the text is markup.py's whole-page text, still to be cleaned of boilerplate)."""
    import trafilatura
    from trafilatura.settings import Document as Extracted

    headline, page_text = html_to_text(html)
    found = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=_DATE_PARAMS,
    )
    text = found.text if isinstance(found, Extracted) else None
    if not isinstance(found, Extracted) or not text or not text.strip():
        return Document(page_text, title=headline, url=url), False
    document = Document(
        "\n".join(_kept_by(text, page_text.split("\n"))) or text,
        title=_title(one_line(found.title), headline, html),
        date=iso_day(found.date),
        outlet=one_line(found.sitename),
        author=one_line(found.author),
        url=_web_address(found.url) or url,
    )
    return document, True
