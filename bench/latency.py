"""Sections 3 and 4: query latency of `Pipeline.ask` on the seed index in this process and on a
large replicated index in a fresh app process, and the memory of that app process.
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import (
    PARTS,
    REPLICA_NOISE,
    SEED,
    SEED_QA,
    ask_timed,
    fmt,
    p50_p95,
    table,
)
from bench.replicate import replicate_index
from bench.suite import Bench
from bench.workers import run_worker

LATENCY_HEADERS = (
    "run",
    "n",
    *[f"{key} {q}" for key in ("total", *PARTS) for q in ("p50", "p95")],
)


def latency_rows(
    label: str, runs: dict[str, list[dict[str, float]]]
) -> tuple[dict[str, Any], list[list[str]]]:
    """p50/p95 of the total and of each part per run, and their table rows."""
    summary: dict[str, Any] = {}
    rows = []
    for name, records in runs.items():
        stats = {key: p50_p95([r[key] for r in records]) for key in ("total", *PARTS)}
        summary[name] = stats
        rows.append(
            [f"{label} {name}", str(len(records))]
            + [fmt(stats[key][q]) for key in ("total", *PARTS) for q in ("p50", "p95")]
        )
    return summary, rows


def query_latency(bench: Bench) -> None:
    bench.require("embedder")
    seed, seed_rows = seed_latency(bench)
    bench.require("xquad_index")
    replicated, big_rows, result = replicated_latency(bench)
    bench.results["latency"] = {"seed": seed, "replicated": replicated}
    bench.results["memory"] = {
        "rss_ready_mb": result["rss_ready_mb"],
        "rss_after_answers_mb": result["rss_mb"],
        "peak_rss_mb": result["peak_rss_mb"],
        "index_chunks": replicated["chunks"],
    }
    n_ar = (replicated["questions"] + 1) // 2  # mixed_sample alternates, Arabic first
    print(
        f"  (a) seed index: {seed['articles']} articles, {seed['chunks']} chunks, "
        f"{seed['questions']} seed questions, in this process\n"
        f"  (b) REPLICATED index: {replicated['chunks']:,} chunks / "
        f"{replicated['sentences']:,} sentences / {replicated['articles']:,} articles, made by "
        f"copying the {replicated['source_chunks']}-chunk XQuAD index with new article ids and "
        f"N(0, {REPLICA_NOISE}) noise on each copy's vectors (re-normalized), not by "
        f"embedding new text; ANN {replicated['ann'].get('factory')}; "
        f"{replicated['questions']} XQuAD questions ({n_ar} ar, "
        f"{replicated['questions'] - n_ar} en) in a fresh app process "
        f"(ready in {replicated['ready_seconds']:.1f} s)"
    )
    print("  cold = first pass (empty query cache), warm = same questions again; ms")
    print(table(LATENCY_HEADERS, seed_rows + big_rows))
    print("  total = wall time of Pipeline.ask; parts from answer.timings_ms")


def seed_latency(bench: Bench) -> tuple[dict[str, Any], list[list[str]]]:
    """(a) The seed corpus ingested afresh and its questions asked twice, in this process."""
    from embeddings.index.faiss.index import FaissIndex
    from embeddings.ingest.incremental import ingest
    from eval.datasets import load_seed_qa
    from rag.pipeline import Pipeline

    bench.seed_dir = bench.workdir / "seed-index"
    report = ingest(
        bench.settings.ingest.corpus_dir,
        bench.seed_dir,
        bench.embedder,
        bench.settings.ingest.chunker,
        rebuild=True,
    )
    seed_index = FaissIndex.load(bench.seed_dir)
    seed_questions = [q.question for q in load_seed_qa(SEED_QA)]
    pipeline = Pipeline(bench.settings, bench.embedder, seed_index)
    runs = {"cold": ask_timed(pipeline, seed_questions)}
    runs["warm"] = ask_timed(pipeline, seed_questions)
    summary, rows = latency_rows("seed", runs)
    figures = {
        "articles": report.articles,
        "chunks": report.chunks,
        "questions": len(seed_questions),
        **summary,
    }
    return figures, rows


def replicated_latency(bench: Bench) -> tuple[dict[str, Any], list[list[str]], dict[str, Any]]:
    """(b) A large index replicated from the XQuAD one, asked in a fresh app process; returns
    its figures, table rows and the worker's result (with the process's memory)."""
    big_dir = bench.workdir / "replicated-index"
    big = replicate_index(bench.xquad_index, bench.sizes.big_chunks, REPLICA_NOISE, SEED)
    big.save(big_dir)
    bench.mixed_questions = bench.mixed_sample(bench.sizes.big_questions)
    questions_file = bench.workdir / "mixed-questions.json"
    questions_file.write_text(json.dumps(bench.mixed_questions, ensure_ascii=False), "utf-8")
    result, wall = run_worker(
        "query", str(big_dir), str(questions_file), out=bench.workdir / "query.json"
    )
    summary, rows = latency_rows(
        f"{len(big.chunks) // 1000}k", {"cold": result["cold"], "warm": result["warm"]}
    )
    figures = {
        "chunks": len(big.chunks),
        "sentences": len(big.sentences),
        "articles": len(big.manifest.articles),
        "source_chunks": len(bench.xquad_index.chunks),
        "ann": big.manifest.ann,
        "noise_sigma": REPLICA_NOISE,
        "questions": len(bench.mixed_questions),
        "ready_seconds": result["ready_seconds"],
        "process_seconds": wall,
        **summary,
    }
    return figures, rows, result


def memory(bench: Bench) -> None:
    memory = bench.results.get("memory")
    if not memory:
        raise RuntimeError("skipped: the replicated-index app process did not run")
    print(
        f"  the app process of section 3b (pipeline on the {memory['index_chunks']:,}-chunk "
        "replicated index), psutil RSS"
    )
    print(
        table(
            ["figure", "MB"],
            [
                ["RSS, loaded and warmed up", fmt(memory["rss_ready_mb"], 0)],
                ["RSS after answering both passes", fmt(memory["rss_after_answers_mb"], 0)],
                ["peak RSS (VmHWM)", fmt(memory["peak_rss_mb"], 0)],
            ],
        )
    )
