"""PDFs whose one page holds a content stream of one operator shape repeated: small files that
take as long to read as their stream is long (the hostile-input and upload tests)."""

from __future__ import annotations

from pathlib import Path


def content_stream_pdf(path: Path, shape: bytes, operators: int) -> Path:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf " + shape * operators + b"ET")
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    with path.open("wb") as handle:
        writer.write(handle)
    return path
