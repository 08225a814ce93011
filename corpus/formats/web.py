"""A news page's article and what the page says about it, with trafilatura.

Measured against the project's own extractor (`corpus.markup.html_to_text`, then cleaning) on
real pages in Arabic and English (tests/corpus/formats/test_web_pages.py, figures in the README),
trafilatura keeps as much of the article and leaves out more of the page around it, so its text
is used; cleaning's footer markers are not applied after it, since they cut articles that link
"Read more: ..." mid-text. The title is the page's own headline (`<h1>`, as markup.py finds it)
when the page title trafilatura reads contains it ("Headline | Site | date"), else trafilatura's.
The date is one the page states in its markup (meta tags, JSON-LD, `<time>`): no guess from the
address or the text, so a date here is a known day. A page trafilatura finds no article in is
read by markup.py, as before.
"""

from __future__ import annotations

from corpus.formats.document import Document, iso_day, one_line
from corpus.markup import html_to_text
from corpus.normalize import normalize_text

# htmldate's search of the whole text guesses (a year in the address becomes 1 January).
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _title(stated: str | None, headline: str | None) -> str | None:
    if headline and stated and normalize_text(headline) in normalize_text(stated):
        return headline
    return stated or headline


def read_web_page(html: str, url: str | None = None) -> tuple[Document, bool]:
    """The article of `html` (fetched from `url`, if it was), and whether trafilatura found it
    (False: the text is markup.py's whole-page text, still to be cleaned of boilerplate)."""
    import trafilatura

    headline, page_text = html_to_text(html)
    found = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=_DATE_PARAMS,
    )
    text = getattr(found, "text", None) or ""
    if not text.strip():
        return Document(page_text, title=headline, url=url), False
    document = Document(
        text,
        title=_title(one_line(found.title), headline),
        date=iso_day(found.date),
        outlet=one_line(found.sitename),
        author=one_line(found.author),
        url=one_line(found.url, 2000) or url,
    )
    return document, True
