"""Uploads are never lost to a busy index: two uploads at once, and an upload while a real
`python -m rag ingest` holds the index lock, all end up searchable without a manual re-index.

The races are arranged, not timed: the second upload starts once the index lock is seen held
(read from /proc/locks), so it always meets a running ingest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.serving.app_process import (
    DEADLINE,
    add_articles,
    article_text,
    bulk_jsonl,
    call,
    lock_is_held,
    running_app,
    wait_until,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MUSIC = article_text(
    "مهرجان حلب للموسيقى العربية",
    "انطلق في مدينة حلب مهرجان الموسيقى العربية بمشاركة فرق من سبع دول عربية، "
    "ويستمر المهرجان خمسة أيام على مسرح القلعة.",
)
MUSIC_QUESTION = "كم دولة تشارك فرقها في مهرجان حلب للموسيقى العربية؟"
PORT = article_text(
    "توسعة ميناء طرطوس",
    "أعلنت إدارة ميناء طرطوس خطة لتوسعة محطة الحاويات بإضافة رصيفين جديدين خلال ثلاث سنوات.",
)
PORT_QUESTION = "كم رصيفاً جديداً ستضيف خطة توسعة ميناء طرطوس؟"


@pytest.fixture
def app(tmp_path, embedder, seed_index):
    with running_app(tmp_path, embedder, seed_index) as running:
        yield running


def _cited(session: httpx.Client, question: str) -> str:
    """Everything the app's answer to `question` shows, its sources included."""
    return json.dumps(call(session, "respond", [question, [], 5, "extractive"]), ensure_ascii=False)


def test_two_concurrent_uploads_are_both_indexed(app):
    first: dict[str, str] = {}

    def upload_bulk() -> None:
        with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
            first["report"] = add_articles(session, [("parks.jsonl", bulk_jsonl("park", 24))])

    worker = threading.Thread(target=upload_bulk)
    worker.start()
    wait_until(lambda: lock_is_held(app.index_dir / ".lock"), "the first upload's ingest")
    with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
        second = add_articles(session, [("music.txt", MUSIC)])
        worker.join(DEADLINE)
        assert not worker.is_alive()
        indexed = app.indexed_ids()
        assert {"music", "park-0", "park-23"} <= indexed, (second, first)
        assert "another re-index is running" not in second
        assert "مهرجان حلب للموسيقى العربية" in _cited(session, MUSIC_QUESTION)


def test_upload_while_a_cli_ingest_holds_the_lock_is_indexed(app):
    # The command line indexes a batch dropped into the corpus folder, as an editor would.
    (app.corpus_dir / "parks.jsonl").write_bytes(bulk_jsonl("cli-park", 24))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "rag", "ingest", "--quiet"]
    command += ["--corpus", str(app.corpus_dir), "--index", str(app.index_dir)]
    cli = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: lock_is_held(app.index_dir / ".lock") or cli.poll() is not None, "CLI")
        assert cli.poll() is None, "the CLI ingest ended before the upload could meet it"
        with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
            report = add_articles(session, [("port.txt", PORT)])
            assert cli.wait(DEADLINE) == 0, cli.stdout.read() if cli.stdout else ""
            assert "another ingest is writing" not in report
            indexed = app.indexed_ids()
            assert {"port", "cli-park-0", "cli-park-23"} <= indexed, report
            assert "توسعة ميناء طرطوس" in _cited(session, PORT_QUESTION)
    finally:
        if cli.poll() is None:
            cli.kill()


def test_parsing_runs_in_the_indexing_worker_while_other_requests_are_answered(app, monkeypatch):
    import service.uploads

    parsing, threads, workers = threading.Event(), [], []
    real_parse = service.uploads.parse_upload

    def spied(path, loader):
        threads.append(threading.current_thread().name)
        parsing.set()
        loaded = real_parse(path, loader)
        workers.append(loader._worker.process.pid)  # the process that parsed it
        return loaded

    monkeypatch.setattr(service.uploads, "parse_upload", spied)
    paragraph = "<p>" + "افتتحت وزارة الثقافة السورية معرض دمشق الدولي للكتاب اليوم. " * 5 + "</p>"
    page = f"<html><head><title>معرض الكتاب</title></head><body>{paragraph * 8000}</body></html>"
    report: dict[str, str] = {}

    def upload_page() -> None:
        with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
            report["text"] = add_articles(session, [("long_page.html", page.encode())])

    with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
        idle = _latency(session)
        worker = threading.Thread(target=upload_page)
        worker.start()
        assert parsing.wait(DEADLINE), "the upload was never parsed"
        busy = _latency(session)  # answered while the 8 MB page is being parsed
        worker.join(DEADLINE)
    print(f"\n/config and an answer, idle: {idle}; during the parse: {busy}")
    assert threads == ["indexer"]  # not a request thread
    assert workers and os.getpid() not in workers  # nor the server's interpreter
    assert "long_page" in app.indexed_ids(), report


def _latency(session: httpx.Client) -> str:
    started = time.perf_counter()
    assert session.get("config").status_code == 200
    config = time.perf_counter() - started
    _cited(session, MUSIC_QUESTION)
    answered = time.perf_counter() - started - config
    return f"config {config * 1000:.0f} ms, answer {answered:.2f} s"


def test_only_uploaded_articles_can_be_removed(app):
    from service.jobs import Job

    indexer = app.service.indexer
    seed = sorted(app.indexed_ids())[0]
    seed_files = sorted(p.name for p in app.corpus_dir.iterdir())
    job = indexer.submit(Job(remove=seed))
    *_, done = indexer.watch(job, DEADLINE)
    assert [o.status for o in done.outcomes] == ["rejected"]
    assert "Only uploaded articles can be removed" in done.outcomes[0].notice.text()
    assert sorted(p.name for p in app.corpus_dir.iterdir()) == seed_files
    assert seed in app.indexed_ids()


def _stage_a_leftover(corpus_dir: Path, index_dir: Path) -> None:
    """An upload staged by a run that died before its worker saw it."""
    folder = index_dir / ".incoming" / "upload-crashed"
    folder.mkdir(parents=True)
    (folder / "port.txt").write_bytes(PORT)


def test_an_upload_staged_before_a_crash_is_indexed_at_start(tmp_path, embedder, seed_index):
    with running_app(tmp_path, embedder, seed_index, before_start=_stage_a_leftover) as running:
        wait_until(lambda: "port" in running.indexed_ids(), "the leftover upload's indexing")
        assert (running.corpus_dir / "uploads" / "port.txt").read_bytes() == PORT
        assert not any((running.index_dir / ".incoming").iterdir())
