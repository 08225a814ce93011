"""The real app on loopback for the upload, indexing and server-limit tests, and its HTTP API.

Every app gets its own copy of the seed corpus and index, so uploads and removals never touch the
repository or another test's app. The API helpers speak Gradio 6's routes: `/gradio_api/upload`
for files, then `/gradio_api/call/<api>` and its event stream.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving.net import free_port

DEADLINE = 600  # seconds: generous; a stuck step turns into a clear failure, not a hang


@dataclass
class RunningApp:
    url: str
    built: Any  # ui.layout.App
    corpus_dir: Path
    index_dir: Path

    @property
    def service(self) -> Any:
        return self.built.service

    def indexed_ids(self) -> set[str]:
        """The article ids of the index the app is serving now."""
        return set(self.service.manifest().articles)


@contextmanager
def running_app(
    root: Path,
    embedder: Any,
    seed_index: Path,
    auth: tuple[str, str] | None = None,
    before_start: Callable[[Path, Path], None] | None = None,
    **overrides: Any,
) -> Iterator[RunningApp]:
    """The app over copies of the seed corpus and index; `before_start(corpus_dir, index_dir)`
    runs before it is built."""
    from corpus import DEFAULT_CORPUS_DIR
    from rag.config import load_settings
    from rag.pipeline import Pipeline
    from ui.layout import build_app
    from ui.server import serve

    corpus_dir, index_dir = root / "corpus", root / "index"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus_dir)
    shutil.copytree(seed_index, index_dir)
    if before_start is not None:
        before_start(corpus_dir, index_dir)
    settings = load_settings(index_dir=index_dir, corpus_dir=corpus_dir, **overrides)
    with pytest.MonkeyPatch.context() as patch:
        # Gradio's upload folder, /tmp/gradio by default, is shared by every process on the
        # machine; each app here gets its own, so what a test finds there is that app's.
        patch.setenv("GRADIO_TEMP_DIR", str(root / "gradio"))
        demo = build_app(Pipeline.from_settings(settings, embedder=embedder), settings)
        port = free_port()
        serve(demo, host="127.0.0.1", port=port, auth=auth, prevent_thread_lock=True, quiet=True)
        try:
            yield RunningApp(f"http://127.0.0.1:{port}/", demo, corpus_dir, index_dir)
        finally:
            demo.close()


def upload(session: httpx.Client, files: list[tuple[str, bytes]]) -> list[dict]:
    """Send files to Gradio's upload route; the FileData payloads an event takes as input."""
    response = session.post(
        "gradio_api/upload", files=[("files", (name, data)) for name, data in files]
    )
    response.raise_for_status()
    return [
        {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        for path, (name, _) in zip(response.json(), files, strict=True)
    ]


def call(session: httpx.Client, api: str, data: list) -> list[Any]:
    """Run an event through the API and return its final outputs (raises on an error event)."""
    started = session.post(f"gradio_api/call/{api}", json={"data": data})
    started.raise_for_status()
    event_id = started.json()["event_id"]
    stream = session.get(f"gradio_api/call/{api}/{event_id}", timeout=DEADLINE)
    event, last = None, None
    for line in stream.text.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in {"complete", "generating"}:
            last = json.loads(line[5:])
        elif line.startswith("data:") and event == "error":
            raise AssertionError(f"{api} failed: {line[5:500]}")
    assert last is not None, stream.text[:1000]
    return last


def add_articles(session: httpx.Client, files: list[tuple[str, bytes]]) -> str:
    """Upload files through the app and return everything its report said, as one text."""
    return json.dumps(call(session, "add_articles", [upload(session, files)]), ensure_ascii=False)


# Linux's table of file locks held by every process.
PROC_LOCKS = "/proc/locks"


def lock_is_held(lock_file: Path) -> bool:
    """Whether any process holds a flock on `lock_file`, read from /proc/locks without taking it
    (a probe that took the lock could itself make an ingest fail)."""
    try:
        inode = lock_file.stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path(PROC_LOCKS).read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and any(f.endswith(f":{inode}") for f in fields):
            return True
    return False


def wait_until(condition: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    ends = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > ends:
            raise AssertionError(f"gave up after {deadline} s waiting for {what}")
        time.sleep(0.05)


def article_text(title: str, body: str) -> bytes:
    return f"{title}\n{body}\n".encode()


def bulk_jsonl(prefix: str, count: int) -> bytes:
    """`count` short distinct articles in one .jsonl file: enough to keep an ingest busy."""
    lines = []
    for number in range(count):
        text = (
            f"أعلنت بلدية المدينة رقم {number} عن افتتاح حديقة عامة جديدة في الحي الشرقي. "
            f"وقال رئيس البلدية إن الحديقة تضم {number + 3} ملاعب للأطفال ومكتبة صغيرة. "
            f"وأضاف أن العمل بدأ قبل {number + 2} أشهر بتمويل من المجلس المحلي."
        )
        record = {"id": f"{prefix}-{number}", "title": f"حديقة جديدة {number}", "text": text}
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()
