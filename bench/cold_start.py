"""Section 5: cold start of the CLI to its first answer, launch to exit, as a user meets it."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import ROOT, SEED_QA, fmt, table
from bench.suite import Bench


def cold_start(bench: Bench) -> None:
    from eval.datasets import load_seed_qa

    bench.require("seed_dir")
    question = next(q.question for q in load_seed_qa(SEED_QA) if q.lang == "ar")
    command = [sys.executable, "-m", "rag", "ask", question, "--index", str(bench.seed_dir)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-10:])
        raise RuntimeError(f"`python -m rag ask` exited with {done.returncode}:\n{tail}")
    first_line = next((line for line in done.stdout.splitlines() if line.strip()), "")
    bench.results["cold_start"] = {"seconds": seconds, "question": question}
    print(f'  python -m rag ask "{question}" --index <seed index>')
    print(table(["figure", "value"], [["launch to exit (s)", fmt(seconds, 2)]]))
    print(f"  first output line: {first_line[:100]}")
