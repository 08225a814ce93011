"""What every benchmark shares: the data files, seeds, timing summaries, table printing and
memory readings, so each figure is computed and shown the same way in every section.

Only the standard library and `eval.datasets` are imported at the top: the worker processes
import this module, and their launch-to-exit time is one of the figures.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.datasets import SHARED_EVAL_DIR

ROOT = Path(__file__).resolve().parent.parent

XQUAD_AR = SHARED_EVAL_DIR / "xquad" / "xquad.ar.json"
XQUAD_EN = SHARED_EVAL_DIR / "xquad" / "xquad.en.json"
SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"

REPLICA_NOISE = 0.01
SEED = 13
PARTS = ("embed", "search", "answer", "verify")
MB = 1024 * 1024


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def p50_p95(values: Sequence[float]) -> dict[str, float | None]:
    """`latency_summary` and the count; None figures when there are no values."""
    from eval.metrics import latency_summary

    summary = latency_summary(list(values)) if values else dict.fromkeys(("p50", "p95", "mean"))
    return {**summary, "n": len(values)}


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(ours: float | None, baseline: float | None) -> float | None:
    return ours / baseline if ours is not None and baseline else None


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return indent + "  ".join([first, *rest]).rstrip()

    rule = indent + "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def timed_run(
    command: Sequence[str], what: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `command` from the repo root as a fresh process; its result and launch-to-exit
    seconds. A non-zero exit raises with the tail of its stderr, naming it as `what`."""
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{what} exited with {done.returncode}:\n{tail}")
    return done, seconds


def cpu_seconds() -> float:
    """CPU time of this process so far (user and system, every thread): the work done, which a
    machine busy with other jobs stretches far less than the wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / MB


# Linux's per-process status file, where VmHWM (the resident high-water mark) is read.
PROC_SELF_STATUS = "/proc/self/status"


def peak_rss_mb() -> float:
    """High-water mark of this process's resident memory (VmHWM; ru_maxrss as a fallback)."""
    try:
        for line in Path(PROC_SELF_STATUS).read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ask_timed(pipeline: Any, questions: Sequence[str]) -> list[dict[str, float]]:
    """Wall time of each `Pipeline.ask` and its parts (ms), the rows latency figures come from."""
    rows = []
    for question in questions:
        started = time.perf_counter()
        answer = pipeline.ask(question)
        total = (time.perf_counter() - started) * 1000
        rows.append({"total": total, **{part: answer.timings_ms.get(part, 0.0) for part in PARTS}})
    return rows
