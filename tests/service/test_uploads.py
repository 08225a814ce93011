"""Uploaded articles: safe file names, staging out of Gradio's folder, which files join the
corpus's uploads folder, and which articles count as uploaded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from corpus.isolated import IsolatedLoader
from corpus.loader import MAX_FILE_BYTES
from service.uploads import Outcome, admit, safe_file_name, stage, uploaded_file
from tests.corpus.formats.pdfs import content_stream_pdf


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


def _received(folder: Path, files: dict[str, bytes]) -> list[tuple[str, Path]]:
    """Files as Gradio keeps them: each in a folder named by a content hash."""
    received = []
    for number, (name, data) in enumerate(files.items()):
        digest = folder / f"{number:064x}"
        digest.mkdir(parents=True)
        (digest / "upload.bin").write_bytes(data)
        received.append((name, digest / "upload.bin"))
    return received


def _texts(outcomes: list[Outcome]) -> str:
    return "\n".join(o.notice.text() for o in outcomes)


def test_staging_empties_gradios_folder_and_refuses_without_parsing(tmp_path: Path):
    gradio = tmp_path / "gradio"
    received = _received(
        gradio,
        {
            "new.txt": "عنوان\nنص.".encode(),
            "report.doc": b"\xd0\xcf\x11\xe0",
            "big.txt": b"a" * (MAX_FILE_BYTES + 1),
            "..": b"x",
            "extra.txt": b"x",
        },
    )
    received.insert(4, ("new.txt", received[0][1]))  # the same name twice in one upload
    staged = stage(received, tmp_path / "staging", max_files=5)
    assert [p.name for p in staged.files] == ["new.txt"]
    refused = [e for e in staged.entries if isinstance(e, Outcome)]
    report = _texts(refused)
    assert "Files of type .doc are not supported" in report and "غير مدعوم" in report
    assert "The file is 10.1 MB; the limit is 10 MB" in report and "ميغابايت" in report
    assert "The file name cannot be used" in report
    assert "two files with the same name" in report
    assert "extra.txt: Only the first 5 files of one upload are taken" in report
    assert list(gradio.iterdir()) == []  # nothing of any upload is left behind


def test_admit_saves_good_files_and_says_why_others_are_refused(tmp_path: Path):
    uploads = tmp_path / "corpus" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "taken.txt").write_text("عنوان قديم\nنص قديم مختلف تماماً.", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    files = {
        "new_article.txt": "عنوان الخبر\nافتتح معرض الكتاب في دمشق اليوم.".encode(),
        "taken.txt": "عنوان آخر\nنص آخر.".encode(),
        "empty.md": b"   \n",
        "binary.txt": b"\x00\x01",
        "known.txt": "عنوان\nنص مقال معروف.".encode(),
        "lines.jsonl": (
            json.dumps({"id": "a1", "title": "أ", "text": "نص المقال الأول."}, ensure_ascii=False)
            + "\nnot json\n"
        ).encode(),
    }
    for name, data in files.items():
        (staging / name).write_bytes(data)
    identical = tmp_path / "copy" / "taken.txt"
    identical.parent.mkdir()
    identical.write_bytes((uploads / "taken.txt").read_bytes())

    known = {"known"}
    with IsolatedLoader() as loader:
        outcomes = {name: admit(staging / name, uploads, known, loader) for name in files}
        unchanged = admit(identical, uploads, known, loader)
    assert outcomes["new_article.txt"].status == "added"
    assert (uploads / "new_article.txt").read_bytes() == files["new_article.txt"]
    assert outcomes["taken.txt"].status == "rejected"
    assert "A different file with this name" in outcomes["taken.txt"].notice.text()
    assert unchanged.status == "unchanged"
    assert "Empty file" in outcomes["empty.md"].notice.text()
    assert "Binary file" in outcomes["binary.txt"].notice.text()
    assert "already in the corpus: known" in outcomes["known.txt"].notice.text()
    lines = outcomes["lines.jsonl"]
    assert lines.status == "added" and lines.article_ids == ("a1",)
    detail = lines.details[0].text()
    assert "Line 2 skipped: Invalid JSON" in detail and str(staging) not in detail
    assert known >= {"a1", "new_article", "known"}
    saved = sorted(p.name for p in uploads.iterdir())
    assert saved == ["lines.jsonl", "new_article.txt", "taken.txt"]  # no part files left


def test_a_file_over_the_parse_time_limit_is_refused_and_the_next_one_is_added(tmp_path: Path):
    uploads = tmp_path / "uploads"
    slow, good = tmp_path / "slow.html", tmp_path / "good.txt"
    slow.write_text("<p>x" * 500_000)  # about 2 MB of tags: seconds of parsing, over 1 s
    good.write_text("عنوان الخبر\nافتتح معرض الكتاب في دمشق اليوم.", encoding="utf-8")
    wall, cpu = time.monotonic(), time.process_time()
    with IsolatedLoader(time_limit=1.0) as loader:
        refused = admit(slow, uploads, set(), loader)
        added = admit(good, uploads, set(), loader)
    assert refused.status == "rejected"
    assert refused.notice.text().startswith("slow.html: Took longer than 1 s to parse.")
    assert "الحد المسموح" in refused.notice.text() and str(tmp_path) not in refused.notice.text()
    assert added.status == "added" and added.article_ids == ("good",)
    assert sorted(p.name for p in uploads.iterdir()) == ["good.txt"]
    # The parse was stopped at the limit, and it ran in the worker, not in this interpreter.
    assert time.monotonic() - wall < 30
    # Seconds of parsing, had it been here; CPU time, so other processes' load does not count.
    assert time.process_time() - cpu < 1.5


def test_only_files_in_the_uploads_folder_are_uploaded(tmp_path: Path):
    corpus = tmp_path / "corpus"
    uploads = corpus / "uploads"
    uploads.mkdir(parents=True)
    (corpus / "seed.txt").write_text("x", encoding="utf-8")
    (uploads / "mine.jsonl").write_text("x", encoding="utf-8")
    (uploads / "link.txt").symlink_to(corpus / "seed.txt")
    assert uploaded_file(str(uploads / "mine.jsonl") + ":3", uploads) == uploads / "mine.jsonl"
    assert uploaded_file(str(corpus / "seed.txt"), uploads) is None
    assert uploaded_file(str(uploads / "link.txt"), uploads) is None
    assert uploaded_file(str(uploads / "gone.txt"), uploads) is None
    assert uploaded_file(str(uploads / ".." / "seed.txt"), uploads) is None


def test_a_huge_pdf_is_refused_with_its_reason_and_the_others_are_added(tmp_path: Path):
    """A 60 KB PDF whose page inflates to 7 million text operators (minutes of extraction) is
    stopped at the parse time limit; a PDF over the size limit is refused before parsing."""
    uploads = tmp_path / "uploads"
    huge = content_stream_pdf(tmp_path / "huge.pdf", b"(x) Tj ", 1_000_000)
    assert huge.stat().st_size < 100_000
    good = tmp_path / "good.txt"
    good.write_text("عنوان الخبر\nافتتح معرض الكتاب في دمشق اليوم.", encoding="utf-8")
    with IsolatedLoader(time_limit=2.0) as loader:
        refused = admit(huge, uploads, set(), loader)
        added = admit(good, uploads, set(), loader)
    assert refused.status == "rejected"
    assert refused.notice.text().startswith("huge.pdf: Took longer than 2 s to parse.")
    assert added.status == "added" and sorted(p.name for p in uploads.iterdir()) == ["good.txt"]
    big = _received(tmp_path / "gradio", {"big.pdf": b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES})
    staged = stage(big, tmp_path / "staging", max_files=5)
    assert staged.files == [] and "The file is 10.1 MB" in _texts(staged.entries)  # type: ignore[arg-type]
