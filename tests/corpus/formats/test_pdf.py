"""PDF articles as the loader reads them: Chromium's print of an Arabic page, LibreOffice's export
of a Word file, two columns, and a scanned page (tests/corpus/formats/samples.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import clean_text
from corpus.formats.pdf import page_text
from corpus.loader import load_file
from tests.corpus.formats.samples import Sample
from tests.corpus.formats.scoring import character_accuracy, kept, word_share

pytestmark = pytest.mark.slow  # Chromium and LibreOffice make the files


@pytest.mark.parametrize("name", ["chromium", "columns", "word_pdf"])
def test_a_pdf_becomes_its_article_without_page_furniture(
    documents: dict[str, Sample], name: str
) -> None:
    sample = documents[name]
    (article,) = load_file(sample.path).articles
    assert article.title == sample.title  # the PDF's stated title, in logical order
    # What cleaning keeps of the source (it drops a byline, a repeated paragraph, a footer).
    body = clean_text("\n".join(sample.paragraphs), title=sample.title).body
    assert word_share(body, article.text) > 0.97
    assert kept(body, article.text) > 0.96
    assert character_accuracy(body, article.text) > 0.85
    # Chromium prints the date, the page's address and "1/2" on every page; LibreOffice's
    # footer holds the page number.
    for furniture in ("file://", "1/2", "2/2", "AM", "PM"):
        assert furniture not in article.text
    assert not any(line.strip().isdigit() for line in article.text.split("\n"))
    # Presentation forms (U+FB50-FEFF) are folded to letters.
    assert not any("\ufb50" <= char <= "\ufeff" for char in article.text)


def test_lines_of_a_paragraph_are_joined_and_headings_kept(documents: dict[str, Sample]):
    (article,) = load_file(documents["word_pdf"].path).articles
    lines = article.text.split("\n")
    # Each of the source's paragraphs is one line (a sentence is never cut at a line wrap).
    assert len(lines) == len(documents["word_pdf"].paragraphs)


def test_a_scanned_page_is_refused_with_its_reason(documents: dict[str, Sample]):
    result = load_file(documents["scan"].path)
    assert result.articles == []
    assert result.errors[0].reason.startswith("no text layer")


def test_running_headers_footers_and_page_numbers_go() -> None:
    pages = [
        ["النشرة اليومية", "الفقرة الأولى من الصفحة الأولى.", f"صفحة {number} من 3"]
        for number in (1, 2, 3)
    ]
    pages[1][1] = "فقرة ثانية."
    pages[2][1] = "فقرة ثالثة."
    assert page_text(pages) == "الفقرة الأولى من الصفحة الأولى.\nفقرة ثانية.\nفقرة ثالثة."
    # One page: no header can be told from text, but its page number goes; the lines of a
    # paragraph are joined, up to a line that ends a sentence or falls short.
    lines = ["السطر الأول من الفقرة الأولى", "والسطر الثاني منها وهو الأخير.", "فقرة قصيرة", "2"]
    assert page_text([lines]) == (
        "السطر الأول من الفقرة الأولى والسطر الثاني منها وهو الأخير.\nفقرة قصيرة"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n%broken", "not a readable PDF"),
        (b"", "not a readable PDF"),
        (b"hello, not a pdf", "not a readable PDF"),
    ],
)
def test_a_broken_pdf_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    result = load_file(path)
    assert result.articles == [] and result.errors[0].reason.startswith(reason)
