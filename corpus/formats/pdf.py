"""Article text from a PDF, with pypdf.

pypdf was chosen by measurement over pdfminer.six, PyMuPDF and qalam on Arabic PDFs made by
Chromium, LibreOffice and a two-column layout (tests/corpus/formats/test_pdf_candidates.py, the
figures in the README): every word it returns is a word of the source, in logical order, and it
keeps columns apart; qalam orders single columns better but merges a paragraph that continues in
the next column. Whatever reads the pages, the same steps follow (`page_text`): running headers
and footers are dropped (a line at the top or bottom of at least half the pages, two at least,
digits aside: "1/2" and "2/2" are the same footer), and so are page numbers; presentation forms
are folded (NFKC), and the lines of a paragraph are joined into one.

A PDF whose pages paint no text (a scan) is refused with that reason: there is no text to index.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from corpus.formats.document import Document, FormatError, one_line
from corpus.normalize import normalize_text

# A document longer than this is not one news article; the rest is not read.
MAX_PAGES = 300
# How many blocks at each end of a page can be a running header or footer.
_EDGE = 2
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r"\S+")
_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+")
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—|]*(?:(?:page|p\.|صفحة|الصفحة)\s*)?#(?:\s*(?:/|of|من)\s*#)?[\s\-–—|]*$",
    re.IGNORECASE,
)
_PARAGRAPH_ENDS = (".", "!", "?", "؟", ":", '"', "”", "»", ")")
NO_TEXT_LAYER = (
    "no text layer: the PDF holds only images (a scan?); save it with its text (or run OCR "
    "on it) and upload it again"
)


def _key(block: str) -> str:
    return _DIGITS.sub("#", normalize_text(block))


def _edges(page: Sequence[str]) -> set[int]:
    return set(range(min(_EDGE, len(page)))) | set(range(max(0, len(page) - _EDGE), len(page)))


def _running(pages: Sequence[Sequence[str]]) -> set[str]:
    """Keys of the blocks that repeat at the edges of at least half the pages (two at least)."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_key(page[i]) for i in _edges(page)})
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed}


def _joined(lines: list[str]) -> list[str]:
    """The page's lines joined into paragraphs: a paragraph ends at a line that ends a sentence
    or falls well short of the page's usual line (its last line, or a heading)."""
    lengths = sorted(len(line) for line in lines)
    usual = lengths[len(lengths) // 2] if lengths else 0
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        current.append(line)
        if line.endswith(_PARAGRAPH_ENDS) or len(line) < 0.8 * usual:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs + ([" ".join(current)] if current else [])


def page_text(pages: Sequence[Sequence[str]]) -> str:
    """The article text of `pages`, each a list of lines (or text blocks) in reading order: one
    paragraph per line, without page numbers, running headers and footers."""
    running = _running(pages)
    paragraphs = []
    for page in pages:
        edges = _edges(page)
        kept = []
        for number, block in enumerate(page):
            text = " ".join(unicodedata.normalize("NFKC", block).split())
            key = _key(text)
            if text and not (number in edges and (key in running or _PAGE_NUMBER.match(key))):
                kept.append(text)
        paragraphs += _joined(kept)
    return "\n".join(paragraphs)


def pypdf_pages(path: Path) -> list[list[str]]:
    """The lines of each page as pypdf reads them; FormatError when no page has text."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text().split("\n") for page in reader.pages[:MAX_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise FormatError(f"not a readable PDF ({type(error).__name__}: {error})") from None
    if not pages:
        raise FormatError("the PDF has no pages")
    if not any(line.strip() for page in pages for line in page):
        raise FormatError(NO_TEXT_LAYER)
    return pages


def _info_title(path: Path) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        info = PdfReader(path).metadata
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return None
    return one_line(info.title) if info is not None else None


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize_text(text))


def _without_title(text: str, title: str) -> str | None:
    """`text` without the title it opens with, or None when it does not open with `title`.
    The title's words are compared as a bag: a line that mixes directions ("سوري–روسي") can come
    out of the PDF with its runs reordered."""
    wanted = sorted(_words(title))
    taken: list[str] = []
    for count, token in enumerate(_TOKEN.finditer(text)):
        taken += _words(token.group())
        if len(taken) >= len(wanted) or count > 4 * len(wanted):
            return text[token.end() :].lstrip() if sorted(taken) == wanted else None
    return None


def _titled(path: Path, text: str) -> tuple[str | None, str]:
    """(title, text): the title in the PDF's information dictionary when the text opens with it
    (Chromium and LibreOffice write the document's own title there, other tools a file name,
    "Microsoft Word - draft.docx", which no text opens with), and the text after it."""
    title = _info_title(path)
    rest = _without_title(text, title) if title and _words(title) else None
    return (title, rest) if rest is not None else (None, text)


def read_pdf(path: Path) -> Document:
    text = page_text(pypdf_pages(path))
    if not text.strip():
        raise FormatError(NO_TEXT_LAYER)
    title, text = _titled(path, text)
    return Document(text, title=title)
