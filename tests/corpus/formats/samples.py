"""Real documents made here, with known text, for the format tests: nothing is committed but
this script. Every file is produced at test time by the tool a newsroom would use:

- Chromium's print-to-PDF of an Arabic HTML page (with Chromium's own header and footer: the
  page's title, date, file address and "1/2" page numbers on every page);
- the same text in two columns (CSS columns, right to left), printed by Chromium;
- a Word file written with python-docx (title and date in its properties, a heading, right-to-left
  paragraphs, a page-number footer) and LibreOffice's PDF export of it;
- a Word file saved by LibreOffice itself (from HTML);
- a scanned page: a screenshot of the Arabic page, as an image-only PDF (Pillow).

The source text is the seed articles' (corpus/articles), real Arabic news. `make_samples(folder)`
returns each file with the text it holds; `python -m tests.corpus.formats.samples DIR` writes
them to DIR to look at.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from corpus import DEFAULT_CORPUS_DIR

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SOFFICE = os.environ.get("SOFFICE", "/usr/bin/soffice")
TOOL_SECONDS = 180
DOC_DATE = dt.datetime(2025, 10, 16, 9, 30, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sample:
    """A document file and what it holds: its title, its body paragraphs in reading order."""

    name: str
    path: Path
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.paragraphs))


# Seed articles 2 and 3 open with their text, not a title line: these name them.
_TITLES = {
    2: "بوتين يستقبل الشيباني وأبو قصرة في الكرملين",
    3: "فصل جديد في العلاقات السورية الروسية",
}


def seed_text(number: int) -> tuple[str, tuple[str, ...]]:
    """(title, paragraphs) of seed article `number`."""
    path = sorted(DEFAULT_CORPUS_DIR.glob("*.txt"))[number]
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if number in _TITLES:
        return _TITLES[number], tuple(lines)
    return lines[0], tuple(lines[1:])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-600:]}")


def _page(title: str, paragraphs: tuple[str, ...], columns: int = 1) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    style = (
        "body{font-family:'Noto Naskh Arabic','Amiri',serif;font-size:15pt;line-height:1.6;"
        f"margin:2cm}}main{{column-count:{columns};column-gap:1.2cm}}"
    )
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><main>{body}</main></body></html>"
    )


def _chromium(args: list[str], page: Path) -> None:
    _run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", *args, page.as_uri()])


def chromium_pdf(folder: Path, name: str, number: int, columns: int = 1) -> Sample:
    title, paragraphs = seed_text(number)
    page = folder / f"{name}.html"
    page.write_text(_page(title, paragraphs, columns), encoding="utf-8")
    pdf = folder / f"{name}.pdf"
    _chromium([f"--print-to-pdf={pdf}"], page)
    return Sample(name, pdf, title, paragraphs)


def scanned_pdf(folder: Path, number: int) -> Sample:
    """A page with no text layer: what a scanner makes of the printed article."""
    from PIL import Image

    title, paragraphs = seed_text(number)
    paragraphs = paragraphs[:4]  # one screen: what fits on the scanned page
    page = folder / "scan.html"
    page.write_text(_page(title, paragraphs), encoding="utf-8")
    png = folder / "scan.png"
    _chromium([f"--screenshot={png}", "--window-size=1240,1754", "--hide-scrollbars"], page)
    pdf = folder / "scan.pdf"
    with Image.open(png) as image:
        image.convert("RGB").save(pdf, resolution=150.0)
    return Sample("scan", pdf, title, paragraphs)


def _right_to_left(paragraph) -> None:  # python-docx has no setting for it
    from docx.oxml import OxmlElement

    properties = paragraph._p.get_or_add_pPr()
    properties.append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _page_number_footer(section) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    footer = section.footer.paragraphs[0]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    section.header.paragraphs[0].text = "النشرة الإخبارية"


def word_docx(folder: Path, number: int) -> Sample:
    """A Word file as a newsroom writes one: title and date set, a heading, a footer."""
    import docx

    title, paragraphs = seed_text(number)
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.created = DOC_DATE.replace(tzinfo=None)
    _right_to_left(document.add_heading(title, level=1))
    for paragraph in paragraphs:
        _right_to_left(document.add_paragraph(paragraph))
    _page_number_footer(document.sections[0])
    path = folder / "word.docx"
    document.save(str(path))
    return Sample("word", path, title, paragraphs)


def libreoffice(folder: Path, source: Path, target: str, *options: str) -> Path:
    """`source` converted by LibreOffice (`target`: pdf or docx), in a profile of its own so
    that parallel runs on one machine do not share one."""
    profile = (folder / "lo-profile").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
    _run([*command, *options, "--convert-to", target, "--outdir", str(folder), str(source)])
    converted = source.with_suffix(f".{target.split(':')[0]}")
    if not converted.is_file():
        raise RuntimeError(f"LibreOffice made no {converted.name}")
    return converted


def make_samples(folder: Path) -> dict[str, Sample]:
    """Every sample, by name: chromium, columns, word (.docx), word_pdf (LibreOffice's PDF of
    it), libreoffice_docx (a .docx LibreOffice saved) and scan."""
    folder.mkdir(parents=True, exist_ok=True)
    word = word_docx(folder, 2)
    word_pdf = libreoffice(folder, word.path, "pdf")
    title, paragraphs = seed_text(3)
    page = folder / "writer.html"
    page.write_text(_page(title, paragraphs), encoding="utf-8")
    written = libreoffice(folder, page, "docx:MS Word 2007 XML", "--infilter=HTML (StarWriter)")
    samples = [
        chromium_pdf(folder, "chromium", 0),
        chromium_pdf(folder, "columns", 1, columns=2),
        word,
        Sample("word_pdf", word_pdf, word.title, word.paragraphs),
        Sample("libreoffice_docx", written, title, paragraphs),
        scanned_pdf(folder, 0),
    ]
    return {sample.name: sample for sample in samples}


if __name__ == "__main__":
    for made in make_samples(Path(sys.argv[1])).values():
        print(made.name, made.path)
