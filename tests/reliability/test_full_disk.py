"""A full or read-only index disk, for real: the index lives on a 4 MB tmpfs filled to a chosen
free space. An upload or re-index is refused with the reason in both languages (not "Error"),
nothing is left in `.incoming/`, a half-written version is removed so the disk is as it was,
the command line says "no space left" and what to do, and a saved upload is indexed once there
is room."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from corpus import DEFAULT_CORPUS_DIR
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.store import live_version
from tests.serving.app_process import DEADLINE, add_articles, article_text, bulk_jsonl, call
from tests.serving.app_thread import serve_app
from tests.serving.small_disk import empty, fill, free_bytes, read_only, small_disk

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DISK_MB = 4
# Room for a staged upload, not for the new index version of 60 more articles (about 1.1 MB).
ROOM_BYTES = 300 * 1024
# What may change on the disk besides a version: a directory entry or two.
SLACK_BYTES = 16 * 1024
PARKS = bulk_jsonl("park", 60)
MUSIC = article_text("مهرجان حلب للموسيقى", "انطلق في حلب مهرجان الموسيقى العربية بمشاركة سبع دول.")


@pytest.fixture
def folders(tmp_path: Path, seed_index: Path) -> Iterator[tuple[Path, Path, Path]]:
    """(the disk, the index folder on it, a corpus folder elsewhere)."""
    with small_disk(tmp_path / "disk", DISK_MB) as disk:
        index = Path(shutil.copytree(seed_index, disk / "index"))
        corpus = Path(shutil.copytree(DEFAULT_CORPUS_DIR, tmp_path / "corpus"))
        yield disk, index, corpus


def _versions(index: Path) -> set[str]:
    return {p.name for p in index.iterdir() if p.name.startswith("v-")}


def test_a_cli_ingest_on_a_full_disk_says_so_and_leaves_the_disk_as_it_was(folders, embedder):
    disk, index, corpus = folders
    (corpus / "parks.jsonl").write_bytes(PARKS)
    live = live_version(index).name
    fill(disk, leave=ROOM_BYTES)
    free = free_bytes(disk)
    command = [sys.executable, "-m", "rag", "ingest", "--quiet"]
    command += ["--index", str(index), "--corpus", str(corpus)]
    failed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE)
    print(f"\n{free // 1024} KB free; the command line said: {failed.stderr.strip()}")
    assert failed.returncode == 2
    assert "error: no space left on the disk of" in failed.stderr
    assert "free some space" in failed.stderr and "Traceback" not in failed.stderr
    assert _versions(index) == {live} and free_bytes(disk) >= free - SLACK_BYTES
    assert "park-0" not in FaissIndex.load_for(index, embedder).manifest.articles

    empty(disk)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 0, done.stderr
    assert "park-59" in FaissIndex.load_for(index, embedder).manifest.articles


def test_uploads_to_a_full_disk_are_refused_plainly_and_indexed_once_there_is_room(
    folders, embedder
):
    disk, index, corpus = folders
    app = serve_app(index, corpus, embedder)
    saved = corpus / "uploads" / "parks.jsonl"
    try:
        with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
            fill(disk)
            report = add_articles(session, [("parks.jsonl", PARKS)])
            assert "Not added, because the server&#x27;s disk is full" in report, report
            assert "قرص الخادم ممتلئ" in report
            assert not [p for p in (index / ".incoming").rglob("*") if p.is_file()]
            assert not saved.exists()

            fill(disk, leave=ROOM_BYTES)  # room to stage the upload, not to index it
            live, free = live_version(index).name, free_bytes(disk)
            report = add_articles(session, [("parks.jsonl", PARKS)])
            assert "Indexing stopped, because the server&#x27;s disk is full" in report, report
            assert "توقفت الفهرسة لأن قرص الخادم ممتلئ" in report
            assert saved.is_file() and "park-0" not in app.built.service.manifest().articles
            assert _versions(index) == {live} and free_bytes(disk) >= free - SLACK_BYTES
            assert "بوتين" in str(
                call(session, "respond", ["من استقبل الشيباني؟", [], 5, "extractive"])
            )

            empty(disk)
            report = add_articles(session, [("music.txt", MUSIC)])
        indexed = set(app.built.service.manifest().articles)
        assert {"music", "park-0", "park-59"} <= indexed, report
    finally:
        app.close()


def test_a_read_only_index_disk_refuses_uploads_plainly(folders, embedder):
    disk, index, corpus = folders
    app = serve_app(index, corpus, embedder)
    try:
        read_only(disk)
        with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
            report = add_articles(session, [("music.txt", MUSIC)])
        assert "Not added, because the server&#x27;s storage is read-only" in report, report
        assert "مساحة تخزين الخادم للقراءة فقط" in report
        assert not (corpus / "uploads" / "music.txt").exists()
    finally:
        read_only(disk, on=False)
        app.close()
