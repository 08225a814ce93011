"""Uploaded articles: safe file names, and which uploads join the corpus folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.loader import MAX_FILE_BYTES
from ui.uploads import accept_uploads, safe_file_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("article.txt", "article.txt"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\evil.md", "evil.md"),
        (".hidden.txt", "hidden.txt"),
        ("خبر جديد.html", "خبر جديد.html"),
        ("a\x00b;rm -rf.txt", "a_b_rm -rf.txt"),
        ("..", None),
        ("", None),
        ("/", None),
    ],
)
def test_safe_file_name(name, expected):
    assert safe_file_name(name) == expected


def test_accept_uploads(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "taken.txt").write_text("عنوان قديم\nنص قديم مختلف تماماً.", encoding="utf-8")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    good = uploads / "new_article.txt"
    good.write_text("عنوان الخبر\nافتتح معرض الكتاب في دمشق اليوم.", encoding="utf-8")
    same_name = uploads / "taken.txt"
    same_name.write_text("عنوان آخر\nنص آخر.", encoding="utf-8")
    identical = uploads / "copy" / "taken.txt"
    identical.parent.mkdir()
    identical.write_bytes((corpus / "taken.txt").read_bytes())
    wrong_type = uploads / "report.pdf"
    wrong_type.write_bytes(b"%PDF-1.4")
    empty = uploads / "empty.md"
    empty.write_text("   \n", encoding="utf-8")
    big = uploads / "big.txt"
    big.write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    clash = uploads / "known.txt"
    clash.write_text("عنوان\nنص مقال معروف.", encoding="utf-8")

    result = accept_uploads(
        [good, same_name, identical, wrong_type, empty, big, clash], corpus, known_ids={"known"}
    )
    assert result.accepted == [corpus / "new_article.txt"]
    assert (corpus / "new_article.txt").read_bytes() == good.read_bytes()
    assert (corpus / "taken.txt").read_text(encoding="utf-8").startswith("عنوان قديم")  # kept
    assert result.unchanged == ["taken.txt"]
    report = "\n".join(result.messages)
    assert "different file named taken.txt" in report
    assert "unsupported file type .pdf" in report
    assert "empty.md" in report and "empty file" in report
    assert "too large" in report
    assert "already in the corpus: known" in report
    assert sorted(p.name for p in corpus.iterdir()) == ["new_article.txt", "taken.txt"]
