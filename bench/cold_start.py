"""Section 5: cold start of the CLI to its first answer, launch to exit, as a user meets it."""

from __future__ import annotations

import sys

from bench.common import SEED_QA, fmt, table, timed_run
from bench.suite import Bench


def cold_start(bench: Bench) -> None:
    from eval.datasets import load_seed_qa

    bench.require("seed_dir")
    question = next(q.question for q in load_seed_qa(SEED_QA) if q.lang == "ar")
    command = [sys.executable, "-m", "rag", "ask", question, "--index", str(bench.seed_dir)]
    done, seconds = timed_run(command, "`python -m rag ask`")
    first_line = next((line for line in done.stdout.splitlines() if line.strip()), "")
    bench.results["cold_start"] = {"seconds": seconds, "question": question}
    print(f'  python -m rag ask "{question}" --index <seed index>')
    print(table(["figure", "value"], [["launch to exit (s)", fmt(seconds, 2)]]))
    print(f"  first output line: {first_line[:100]}")
