"""Which library reads Arabic PDFs best, measured on PDFs made here (tests/corpus/formats/
samples.py: Chromium's print, LibreOffice's export of a Word file, two columns) with known text.

Every candidate's page text goes through the same steps (`corpus.formats.pdf.page_text`: NFKC,
page numbers, running headers and footers), so the libraries are compared, not the clean-up.
The one the loader uses must be the best on average on both measures. Run with `-s` for the
table (the README quotes it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from statistics import mean

import pytest

from corpus.formats.pdf import page_text, pypdf_pages
from tests.corpus.formats.samples import Sample
from tests.corpus.formats.scoring import character_accuracy, kept, word_share

PDFS = ("chromium", "columns", "word_pdf")


def pdfminer_pages(path: Path) -> list[list[str]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        [element.get_text() for element in page if isinstance(element, LTTextContainer)]
        for page in extract_pages(path)
    ]


def qalam_pages(path: Path) -> list[list[str]]:
    import qalam

    return [[block.text for block in page.blocks] for page in qalam.Document(str(path)).pages]


def pymupdf_pages(path: Path) -> list[list[str]]:
    import pymupdf

    with pymupdf.open(path) as document:
        return [[block[4] for block in page.get_text("blocks")] for page in document]


CANDIDATES: dict[str, Callable[[Path], list[list[str]]]] = {
    "pdfminer.six": pdfminer_pages,
    "pypdf": pypdf_pages,
    "pymupdf": pymupdf_pages,
    "qalam": qalam_pages,
}


def scores(sample: Sample, read: Callable[[Path], list[list[str]]]) -> tuple[float, float, float]:
    text = page_text(read(sample.path))
    return (
        character_accuracy(sample.text, text),
        word_share(sample.text, text),
        kept(sample.text, text),
    )


@pytest.mark.slow
def test_the_loaders_pdf_library_reads_arabic_best(documents: dict[str, Sample]) -> None:
    table = {
        name: {pdf: scores(documents[pdf], read) for pdf in PDFS}
        for name, read in CANDIDATES.items()
    }
    print("\nlibrary       " + "  ".join(f"{pdf:>22}" for pdf in PDFS) + "   mean chars/words/kept")
    for name, row in table.items():
        cells = "  ".join(f"{c:.3f}/{w:.3f}/{k:.3f}" for c, w, k in row.values())
        means = [mean(values) for values in zip(*row.values(), strict=True)]
        print(f"{name:13} {cells}   {'/'.join(f'{m:.3f}' for m in means)}")
    averages = {
        name: [mean(values) for values in zip(*row.values(), strict=True)]
        for name, row in table.items()
    }
    chosen = averages["pypdf"]
    for name, other in averages.items():
        assert chosen[0] >= other[0] and chosen[1] >= other[1], (name, other, chosen)
    assert min(w for _, w, _ in table["pypdf"].values()) > 0.95
