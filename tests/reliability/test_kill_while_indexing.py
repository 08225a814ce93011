"""A saved upload is always indexed, also when the app is killed (SIGKILL, or SIGTERM as a
service manager stops it) while it indexes: the real app process is killed once the upload is
saved in the corpus and its ingest holds the index lock, then started again."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from embeddings.index.faiss.store import read_manifest
from tests.serving.app_process import bulk_jsonl, call, lock_is_held, upload, wait_until
from tests.serving.app_subprocess import start_app
from tests.serving.app_thread import app_folders

pytestmark = pytest.mark.slow

ARTICLES = 60
QUESTION = "كم ملعباً للأطفال تضم الحديقة العامة الجديدة في الحي الشرقي؟"


def _start_upload(session: httpx.Client, name: str, data: bytes) -> None:
    """Send the upload and queue its event, without following it (the app dies meanwhile)."""
    files = upload(session, [(name, data)])
    started = session.post("gradio_api/call/add_articles", json={"data": [files]})
    started.raise_for_status()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_an_upload_being_indexed_when_the_app_is_killed_is_indexed_after_restart(
    how: signal.Signals, tmp_path: Path, seed_index: Path
) -> None:
    index_dir, corpus_dir = app_folders(tmp_path, seed_index)
    saved = corpus_dir / "uploads" / "parks.jsonl"
    ids = {f"park-{n}" for n in range(ARTICLES)}
    app = start_app(index_dir, corpus_dir, tmp_path / "app.log")
    try:
        with httpx.Client(base_url=app.url, timeout=60) as session:
            _start_upload(session, "parks.jsonl", bulk_jsonl("park", ARTICLES))
            wait_until(
                lambda: saved.is_file() and lock_is_held(index_dir / ".lock"),
                "the upload to be saved and its ingest to start",
            )
        killed_at = time.monotonic()
        app.stop(how)
    finally:
        app.stop(signal.SIGKILL)
    # SIGKILL stops it mid-ingest: saved in the corpus, not in the index, nothing left staged.
    # SIGTERM stops the server gracefully (api.slots), and the ingest may end meanwhile.
    cut = not ids & set(read_manifest(index_dir).articles)
    assert cut or how == signal.SIGTERM, "the ingest ended before the kill"
    assert not any((index_dir / ".incoming").iterdir())

    app = start_app(index_dir, corpus_dir, tmp_path / "app.log")
    try:
        wait_until(lambda: ids <= set(read_manifest(index_dir).articles), "the restart to index")
        indexed_after = time.monotonic() - killed_at
        with httpx.Client(base_url=app.url, timeout=600) as session:
            wait_until(lambda: _answer_cites_a_park(session), "the app to serve the new index")
        stopped = "mid-ingest" if cut else "after its ingest ended"
        print(f"\n{how.name} ({stopped}): {ARTICLES} articles indexed {indexed_after:.0f} s later")
    finally:
        app.stop()
    assert saved.is_file()
    assert not cut or "indexing the uploads again" in app.log_tail(20_000)


def _answer_cites_a_park(session: httpx.Client) -> bool:
    shown = json.dumps(
        call(session, "respond", [QUESTION, [], 5, "extractive"]), ensure_ascii=False
    )
    return "حديقة جديدة" in shown
