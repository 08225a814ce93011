"""Benchmark suite: model load, ingest throughput, query latency, memory, cold start, a
plain LangChain baseline with the same model, cold start and RSS per embedding backend, and
FAISS against Milvus. See bench/README.md for what each figure means.

Usage: python -m bench.run [--quick] [--json OUT] [--only SECTION ...] [--keep DIR]

Everything it builds goes to one temporary folder that is removed at the end, also on errors.
Measurements that need a fresh process (cold model load, the app process on the large index,
cold start of the CLI) run in subprocesses; this script re-invokes itself with a hidden
`--worker` argument for the first two (see bench/workers.py).

The sections run in the order of `SECTIONS`; a new one is a function taking the `Bench` and
one more entry there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.baseline import baseline
from bench.cold_start import cold_start
from bench.ingest import INGEST_ROUNDS, ingest_throughput
from bench.latency import memory, query_latency
from bench.machine import header
from bench.model_load import model_load
from bench.suite import Bench, Section
from bench.workers import WORKERS


def distributed(bench: Bench) -> None:
    # Imported here: it loads numpy at import, which the worker processes need not pay for.
    from bench.distributed import run

    bench.results["distributed"] = run(bench.quick)


def archive(bench: Bench) -> None:
    from bench.archive.section import archive as run

    run(bench)


def startup(bench: Bench) -> None:
    from bench.startup import BACKENDS, measure, report

    count = bench.sizes.big_questions
    results = measure(BACKENDS, bench.workdir / "startup", INGEST_ROUNDS, count)
    bench.results["startup"] = results
    print(report(results))


SECTIONS = [
    Section("setup", "0. Machine", header),
    Section("model_load", "1. Model load (cold, fresh process)", model_load),
    Section("ingest", "2. Ingest throughput (XQuAD Arabic paragraphs)", ingest_throughput),
    Section("latency", "3. Query latency", query_latency),
    Section("memory", "4. Peak memory of the app process", memory),
    Section("cold_start", "5. Cold start to first answer (CLI)", cold_start),
    Section("baseline", "6. LangChain baseline, same model folder", baseline),
    Section("startup", "7. Cold start and RSS per embedding backend", startup),
    Section(
        "distributed", "8. FAISS vs Milvus, Ray vs in-process (bench/distributed.py)", distributed
    ),
    Section("archive", "9. The archive: SaudiNewsNet ingested, answered and served", archive),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for development")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write all figures to OUT")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[s.key for s in SECTIONS],
        help="run these sections (and the machine header) only",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="work in DIR and keep it; a section that can (the archive) reuses the steps a "
        "run interrupted there had finished",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, out, *rest = args.worker
        WORKERS[kind](Path(out), *rest)
        return 0

    started = time.perf_counter()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rag-bench-"))
    bench = Bench(args.quick, workdir, kept=args.keep is not None)
    try:
        chosen = [s for s in SECTIONS if not args.only or s.key in {"setup", *args.only}]
        for section in chosen:
            with bench.section(section.key, section.title):
                section.run(bench)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    bench.results["total_seconds"] = total
    bench.results["failed_sections"] = bench.failed
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(bench.results, indent=2, ensure_ascii=False), "utf-8")
        print(f"\nfigures written to {args.json}")
    if bench.failed:
        print(f"bench: sections failed: {', '.join(bench.failed)}")
    print(f"bench: done in {total:.0f} s")
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
