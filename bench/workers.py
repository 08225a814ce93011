"""Measurements that need a fresh process: a cold model load, and the app process on the large
index. `run_worker` re-invokes `python -m bench.run` with its hidden `--worker KIND OUT ...`
argument, which calls the worker named KIND; the worker writes its figures as JSON to OUT.

The project modules are imported inside the workers, after their clocks start, because the
imports are part of what a cold process pays.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.archive.workers import WORKERS as ARCHIVE_WORKERS
from bench.common import ask_timed, peak_rss_mb, rss_mb, timed_run


def run_worker(kind: str, *args: str, out: Path) -> tuple[dict[str, Any], float]:
    """Run a worker as a fresh process; returns its JSON result and launch-to-exit seconds."""
    command = [sys.executable, "-m", "bench.run", "--worker", kind, str(out), *args]
    _, wall = timed_run(command, f"worker '{kind}'")
    return json.loads(out.read_text(encoding="utf-8")), wall


def worker_load(out: Path) -> None:
    """A cold model load: import, materialized-folder check, SentenceTransformer construction."""
    started = time.perf_counter()
    from embeddings.model.embedder import Embedder

    imported = time.perf_counter()
    embedder = Embedder()
    embedder.warm_up()
    result = {
        "import_seconds": imported - started,
        "load_seconds": embedder.load_seconds,
        "rss_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }
    out.write_text(json.dumps(result), encoding="utf-8")


def worker_query(out: Path, index_dir: str, questions_file: str) -> None:
    """The app process on an index: load it, answer every question twice, report memory."""
    started = time.perf_counter()
    from rag.config import load_settings
    from rag.pipeline import Pipeline

    questions = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    pipeline = Pipeline.from_settings(load_settings(index_dir=Path(index_dir)))
    pipeline.embedder.embed_queries(["warm-up"])  # the model is loaded and has run once
    ready = time.perf_counter() - started
    rss_ready = rss_mb()
    cold = ask_timed(pipeline, questions)
    warm = ask_timed(pipeline, questions)
    result = {
        "ready_seconds": ready,
        "rss_ready_mb": rss_ready,
        "cold": cold,
        "warm": warm,
        "rss_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }
    out.write_text(json.dumps(result), encoding="utf-8")


WORKERS: dict[str, Callable[..., None]] = {
    "load": worker_load,
    "query": worker_query,
    **ARCHIVE_WORKERS,
}
