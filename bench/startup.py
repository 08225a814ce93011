"""Cold start and memory per embedding backend, each against torch in the same run.

Usage: python -m bench.startup [--backends torch,onnx,onnx-int8] [--rounds 2] [--questions 100]

Every figure comes from a fresh process started as a user starts it, with
`RAG_EMBEDDING_BACKEND` naming the backend:
- CLI: `python -m rag ask "<seed question>" --index <seed index>`, launch to exit (the answer is
  printed just before it exits), and the process's peak RSS (VmHWM, read by the process);
- app: `python app.py` on a free loopback port, launch until the first answer arrives over HTTP
  (gradio_client, as a browser's request), then RSS after answering `--questions` questions.
Backends take turns for `--rounds` rounds and the best round counts, so a burst of load from
other jobs hurts all alike. The seed index is built once per weights hash (torch and onnx share
one; int8 has its own). Run by `python -m bench.run` as a section, or alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import (
    MB,
    PROC_SELF_STATUS,
    ROOT,
    SEED_QA,
    XQUAD_AR,
    XQUAD_EN,
    fmt,
    loadavg,
    ratio,
    table,
    timed_run,
)
from bench.load_app import Asker, _free_port
from bench.load_phases import rss_bytes

if TYPE_CHECKING:
    from embeddings.model.embedder import Backend

BACKENDS: tuple[Backend, ...] = ("torch", "onnx", "onnx-int8")
APP_TIMEOUT = 300.0


def questions(count: int) -> list[str]:
    """The seed questions, then XQuAD ones (Arabic and English alternating) up to `count`."""
    from eval.datasets import load_seed_qa, load_squad

    texts = [q.question for q in load_seed_qa(SEED_QA)]
    ar, en = load_squad(XQUAD_AR).questions, load_squad(XQUAD_AR, XQUAD_EN).questions
    for a, e in zip(ar, en, strict=False):
        texts += [a.question, e.question]
    return texts[:count]


def seed_indexes(backends: Sequence[Backend], workdir: Path) -> dict[str, Path]:
    """A seed-corpus index each backend accepts, built once per weights hash."""
    from corpus import DEFAULT_CORPUS_DIR
    from embeddings.ingest.incremental import ingest
    from embeddings.model.embedder import Embedder

    by_hash: dict[str, Path] = {}
    chosen: dict[str, Path] = {}
    for backend in backends:
        embedder = Embedder(backend=backend)
        weights = embedder.weights_hash
        if weights not in by_hash:
            by_hash[weights] = workdir / f"seed-index-{backend}"
            ingest(DEFAULT_CORPUS_DIR, by_hash[weights], embedder)
        chosen[backend] = by_hash[weights]
    return chosen


def _env(backend: str, index_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return {**env, "RAG_EMBEDDING_BACKEND": backend, "RAG_INDEX_DIR": str(index_dir), **extra}


# `python -m rag ...` that writes its peak RSS (VmHWM) to argv[1] at exit. The peak is read in
# the process itself: ru_maxrss from wait4 would carry the high-water mark of the benchmark
# process it was forked from across exec.
PEAK_RSS_RUNNER = f"""
import atexit, runpy, sys
from pathlib import Path
out = sys.argv.pop(1)
def peak():
    status = Path({PROC_SELF_STATUS!r}).read_text().splitlines()
    Path(out).write_text(next(l.split()[1] for l in status if l.startswith("VmHWM:")))
atexit.register(peak)
runpy.run_module("rag", run_name="__main__", alter_sys=True)
"""


def cli_start(backend: str, index_dir: Path, question: str) -> dict[str, float]:
    """Launch to exit of one `python -m rag ask`, and its peak RSS."""
    with tempfile.TemporaryDirectory() as scratch:
        peak = Path(scratch) / "peak_kb"
        command = [sys.executable, "-c", PEAK_RSS_RUNNER, str(peak), "ask", question]
        what = f"{backend}: `python -m rag ask`"
        done, seconds = timed_run(
            [*command, "--index", str(index_dir)], what, env=_env(backend, index_dir)
        )
        if "[1]" not in done.stdout:
            raise RuntimeError(f"{what} gave no cited answer:\n{done.stdout[-1500:]}")
        return {"seconds": seconds, "peak_rss_mb": int(peak.read_text()) / 1024}


def _wait_for_http(url: str, child: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"app.py exited with {child.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"app.py did not serve {url} within {APP_TIMEOUT:.0f} s")


def app_start(backend: str, index_dir: Path, texts: Sequence[str]) -> dict[str, float]:
    """Launch of `python app.py` to its first answer over HTTP; RSS after all `texts`."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = _env(backend, index_dir, HOST="127.0.0.1", PORT=str(port))
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    asker = None
    try:
        deadline = time.monotonic() + APP_TIMEOUT
        _wait_for_http(url, child, deadline)
        asker = Asker(url, None, None)
        latencies: list[float] = []
        for text in texts:
            latency, problem = asker.ask(text, deadline + APP_TIMEOUT)
            if problem or latency is None:
                raise RuntimeError(f"{backend}: app answer failed: {problem}")
            if not latencies:
                first = time.perf_counter() - started
            latencies.append(latency)
        rss = rss_bytes(child.pid)
    finally:
        if asker is not None:
            asker.close()
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return {"first_answer_seconds": first, "rss_mb": (rss or 0) / MB, "questions": len(texts)}


def measure(backends: Sequence[Backend], workdir: Path, rounds: int, count: int) -> dict[str, Any]:
    """Best-of-`rounds` figures per backend, the backends taking turns within each round."""
    workdir.mkdir(parents=True, exist_ok=True)
    indexes = seed_indexes(backends, workdir)
    texts = questions(count)
    best: dict[str, dict[str, float]] = {b: {} for b in backends}
    for round_number in range(1, rounds + 1):
        print(f"  round {round_number}/{rounds}, load average {loadavg()}", flush=True)
        for backend in backends:
            figures = {
                **cli_start(backend, indexes[backend], texts[0]),
                **app_start(backend, indexes[backend], texts),
            }
            shown = ", ".join(f"{name} {value:.2f}" for name, value in figures.items())
            print(f"    {backend}: {shown}", flush=True)
            for name, value in figures.items():
                kept = best[backend].get(name)
                best[backend][name] = value if kept is None else min(kept, value)
    return {"backends": best, "questions": len(texts), "rounds": rounds, "loadavg": loadavg()}


def report(results: dict[str, Any]) -> str:
    """The cold-start and RSS tables, each backend with its ratio to torch."""
    figures = results["backends"]
    torch = figures.get("torch", {})

    def rows(keys: Sequence[str], digits: int) -> list[list[str]]:
        out = []
        for backend, values in figures.items():
            row = [backend]
            for key in keys:
                row += [fmt(values[key], digits), fmt(ratio(values[key], torch.get(key)), 2)]
            out.append(row)
        return out

    cold = table(
        ["backend", "CLI launch to answer s", "vs torch", "app launch to 1st answer s", "vs torch"],
        rows(["seconds", "first_answer_seconds"], 2),
    )
    memory = table(
        [
            "backend",
            "CLI peak RSS MB",
            "vs torch",
            f"app RSS after {results['questions']} q MB",
            "vs torch",
        ],
        rows(["peak_rss_mb", "rss_mb"], 0),
    )
    return f"  cold start (best of {results['rounds']} rounds)\n{cold}\n  memory\n{memory}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rag-startup-") as workdir:
        results = measure(args.backends.split(","), Path(workdir), args.rounds, args.questions)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
