"""Word files (.docx) as the loader reads them: one written by python-docx the way a newsroom
fills one in (title and date set, a heading, right-to-left paragraphs, a footer), and one saved
by LibreOffice."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from corpus.formats.word import MAX_INFLATED_BYTES, read_docx
from corpus.loader import load_file
from tests.corpus.formats.samples import DOC_DATE, Sample


@pytest.mark.slow
def test_a_word_file_gives_its_paragraphs_title_and_date(documents: dict[str, Sample]):
    sample = documents["word"]
    (article,) = load_file(sample.path).articles
    assert article.title == sample.title
    assert article.date == DOC_DATE.date().isoformat()
    assert article.text.split("\n") == [" ".join(p.split()) for p in sample.paragraphs]
    # The header and the page-number footer are not part of the article.
    assert "النشرة الإخبارية" not in article.text


@pytest.mark.slow
def test_a_word_file_saved_by_libreoffice_keeps_its_heading(documents: dict[str, Sample]):
    sample = documents["libreoffice_docx"]
    document = read_docx(sample.path)
    first, *rest = document.text.split("\n")
    assert first == sample.title  # the page's <h1>, a heading in Word, kept as its own line
    assert rest == [" ".join(p.split()) for p in sample.paragraphs]
    (article,) = load_file(sample.path).articles
    assert article.title == sample.title


def test_headings_and_tables_keep_their_place(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("عنوان المقال", style="Title")
    document.add_paragraph("الفقرة الأولى من الخبر.")
    document.add_heading("عنوان فرعي", level=2)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "دمشق", "موسكو"
    document.add_paragraph("الفقرة الأخيرة.")
    path = tmp_path / "article.docx"
    document.save(str(path))
    read = read_docx(path)
    assert read.title == "عنوان المقال"  # no title property: the paragraph styled Title
    assert read.text.split("\n") == [
        "عنوان المقال",
        "الفقرة الأولى من الخبر.",
        "عنوان فرعي",
        "دمشق | موسكو",
        "الفقرة الأخيرة.",
    ]


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_word_file_that_inflates_past_the_limit_is_refused_unopened(tmp_path: Path):
    # 300 MB of zeros deflate to about 300 KB: refused from the sizes the archive declares.
    bomb = _zip(tmp_path / "bomb.docx", {"word/document.xml": b"\0" * (MAX_INFLATED_BYTES + 1024)})
    assert bomb.stat().st_size < 1_000_000
    (error,) = load_file(bomb).errors
    assert error.reason.startswith("file too large once unpacked")


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        (None, "not a Word document (.docx): not a zip archive"),
        ({"other.xml": b"<x/>"}, "not a Word document (.docx): no word/document.xml"),
        ({"word/document.xml": b"<broken"}, "not a readable Word document"),
    ],
)
def test_a_broken_word_file_is_refused(tmp_path: Path, parts, reason: str) -> None:
    path = tmp_path / "broken.docx"
    if parts is None:
        path.write_bytes(b"PK not really")
    else:
        _zip(path, parts)
    (error,) = load_file(path).errors
    assert error.reason.startswith(reason)
