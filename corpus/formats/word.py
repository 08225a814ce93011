"""A Word file's (.docx) article, with python-docx: its paragraphs and tables in document order,
headings kept as their own lines, and the title and date its properties state (the first
paragraph when it is styled as the title and no title is set). The author property is not read:
it is whoever last set up the template (python-docx writes its own name there).

A .docx is a zip of XML parts that python-docx inflates whole, so the archive's declared sizes
are checked first: a small file that inflates to gigabytes is refused before it is opened.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from corpus.formats.document import Document, FormatError, iso_day, one_line

# What the parts of one article may inflate to, all together.
MAX_INFLATED_BYTES = 200 * 1024 * 1024
_TITLE_STYLES = ("title", "heading 1")


def _check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(item.file_size for item in archive.infolist())
            if "word/document.xml" not in archive.namelist():
                raise FormatError("not a Word document (.docx): no word/document.xml inside")
    except (zipfile.BadZipFile, OSError, EOFError):
        raise FormatError("not a Word document (.docx): not a zip archive") from None
    if inflated > MAX_INFLATED_BYTES:
        raise FormatError(
            f"file too large once unpacked: {inflated} bytes (limit {MAX_INFLATED_BYTES} bytes)"
        )


def _lines(document: object) -> list[tuple[str, str]]:
    """(style name, text) of each paragraph, and of each table row, in document order."""
    from docx.table import Table

    lines = []
    for item in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(item, Table):
            for row in item.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                lines.append(("table", " | ".join(dict.fromkeys(c for c in cells if c))))
        else:
            style = (item.style.name if item.style is not None else "") or ""
            lines.append((style.lower(), " ".join(item.text.split())))
    return [(style, text) for style, text in lines if text]


def read_docx(path: Path) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_archive(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise FormatError(f"not a readable Word document ({type(error).__name__})") from None
    lines = _lines(document)
    properties = document.core_properties
    title = one_line(properties.title)
    if title is None and lines and lines[0][0] in _TITLE_STYLES:
        title = lines[0][1]
    return Document(
        "\n".join(text for _, text in lines),
        title=title,
        date=iso_day(properties.created),
    )
