"""Past one machine, measured here: FAISS against Milvus (milvus-lite) on the 10k-chunk index, and
Ray Data ingest against in-process ingest, in the same run.

Usage: python -m bench.distributed [--quick] [--paragraphs N] [--json OUT]
(`python -m bench.run` runs it as its last section.)

1. Ingest: the first N XQuAD Arabic paragraphs, in this process and on a local 2-CPU Ray (its
   start-up timed apart), each embedding every chunk and answer sentence; texts/s over the
   embedding step, and whether both give the same chunk ids and vectors.
2. Query: the in-process index replicated to 10,000 chunks (`bench.replicate.replicate_index`), in
   FAISS and in Milvus; dense top-10 latency and recall@10 against exact search, BM25 latency,
   and the whole answer (`Pipeline.ask`) per backend.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bench.common import REPLICA_NOISE, SEED, XQUAD_AR, fmt, loadavg, p50_p95, table
from bench.replicate import replicate_index

T = TypeVar("T")
FULL = {"paragraphs": 96, "chunks": 10_000, "questions": 100}
QUICK = {"paragraphs": 16, "chunks": 1_000, "questions": 20}


def timed_ms(call: Callable[[T], object], repeat: Sequence[T]) -> list[float]:
    times = []
    for item in repeat:
        started = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _dense(index: Any, vector: np.ndarray) -> object:
    return index.search(vector[None], 10)


def _lexical(index: Any, tokens: Sequence[str]) -> object:
    return index.search_lexical(tokens, 30)


def ingest_engines(sizes: dict[str, int], workdir: Path, embedder: Any) -> dict[str, Any]:
    """In-process against Ray ingest of the same paragraphs into FAISS."""
    from embeddings.index.faiss.index import FaissIndex
    from embeddings.ingest.incremental import ingest_articles
    from embeddings.ingest.ray_embed import embed_on_ray, ray_session
    from eval.datasets import load_squad
    from eval.runs import passage_articles

    articles = passage_articles(load_squad(XQUAD_AR).passages[: sizes["paragraphs"]])
    results: dict[str, Any] = {"paragraphs": len(articles), "loadavg_start": loadavg()}
    local = ingest_articles(articles, workdir / "process", embedder, rebuild=True)
    started = time.perf_counter()
    with ray_session(num_cpus=2):
        results["ray_start_seconds"] = time.perf_counter() - started
        on_ray = ingest_articles(
            articles,
            workdir / "ray",
            embedder,
            rebuild=True,
            embed=lambda texts: embed_on_ray(embedder, texts),
        )
    for name, report in (("process", local), ("ray", on_ray)):
        texts = report.embedded_chunks + report.embedded_sentences
        results[name] = {"texts": texts, "embed_seconds": report.embed_seconds}
        results[name]["texts_per_s"] = texts / report.embed_seconds
    first, second = FaissIndex.load(workdir / "process"), FaissIndex.load(workdir / "ray")
    ids = [chunk.id for chunk in first.chunks]
    results["same_chunks"] = first.chunks == second.chunks
    results["min_cosine"] = float(
        (first.vectors_of(ids) * second.vectors_of(ids)).sum(axis=1).min()
    )
    results["loadavg_end"] = loadavg()
    return results


def milvus_copy(source: Any, uri: str, embedder: Any) -> tuple[Any, float]:
    """The same rows in a new Milvus index; (the index, seconds to write it)."""
    from embeddings.index.manifest import Manifest
    from embeddings.index.milvus.index import MilvusIndex
    from embeddings.index.milvus.writer import MilvusWriter
    from embeddings.index.protocol import IndexChange, Rows

    rows = Rows(source.chunks, source.vectors, source.sentences, source.sentence_vectors)
    manifest = Manifest.from_json(source.manifest.to_json())
    started = time.perf_counter()
    MilvusWriter(uri, embedder).write(IndexChange(manifest, rows, set(), rebuild=True))
    seconds = time.perf_counter() - started
    return MilvusIndex.load_for(uri, embedder), seconds


def query_backends(sizes: dict[str, int], workdir: Path, embedder: Any) -> dict[str, Any]:
    from corpus import search_tokens
    from embeddings.index.faiss.index import FaissIndex
    from eval.datasets import load_squad
    from rag.config import load_settings
    from rag.pipeline import Pipeline

    big = replicate_index(
        FaissIndex.load(workdir / "process"), sizes["chunks"], REPLICA_NOISE, SEED
    )
    kept = {c.article_id for c in big.chunks}
    squad = load_squad(XQUAD_AR)
    questions = [q.question for q in squad.questions if set(q.gold_ids) & kept]
    questions = questions[: sizes["questions"]]
    vectors = embedder.embed_queries(questions)
    exact = [set(np.argsort(-(big.vectors @ v), kind="stable")[:10]) for v in vectors]
    exact_ids = [{big.chunks[row].id for row in rows} for rows in exact]
    milvus, write_seconds = milvus_copy(big, str(workdir / "milvus.db"), embedder)
    results: dict[str, Any] = {
        "chunks": len(big.chunks),
        "sentences": len(big.sentences),
        "questions": len(questions),
        "milvus_write_seconds": write_seconds,
        "loadavg_start": loadavg(),
    }
    tokens = [search_tokens(q) for q in questions]
    settings = load_settings()
    for name, index in (("faiss", big), ("milvus", milvus)):
        index.search(vectors[:1], 10)  # first call: Milvus loads its collections
        hits = [index.search(v[None], 10)[0] for v in vectors]
        recall = np.mean(
            [
                len({h.chunk.id for h in found} & gold) / 10
                for found, gold in zip(hits, exact_ids, strict=True)
            ]
        )
        pipeline = Pipeline(settings, embedder, index)
        results[name] = {
            "dense_ms": p50_p95(timed_ms(partial(_dense, index), list(vectors))),
            "bm25_ms": p50_p95(timed_ms(partial(_lexical, index), tokens)),
            "recall_at_10": float(recall),
            "ask_ms": p50_p95(timed_ms(pipeline.ask, questions)),
        }
    results["loadavg_end"] = loadavg()
    return results


def report(results: dict[str, Any]) -> None:
    ingest, query = results["ingest"], results["query"]
    print(
        f"  ingest of {ingest['paragraphs']} XQuAD paragraphs ({ingest['process']['texts']} texts), "
        f"load average {ingest['loadavg_start']} -> {ingest['loadavg_end']}"
    )
    rows = [
        [name, fmt(ingest[name]["texts_per_s"]), fmt(ingest[name]["embed_seconds"])]
        for name in ("process", "ray")
    ]
    print(table(["engine", "texts/s", "embed s"], rows))
    print(
        f"  Ray start {ingest['ray_start_seconds']:.1f} s (not in embed s); same chunks: "
        f"{ingest['same_chunks']}, min cosine {ingest['min_cosine']:.7f}"
    )
    print(
        f"  query: {query['chunks']:,} chunks / {query['sentences']:,} sentences, "
        f"{query['questions']} questions, Milvus write {query['milvus_write_seconds']:.1f} s, "
        f"load average {query['loadavg_start']} -> {query['loadavg_end']}"
    )
    rows = [
        [name]
        + [
            fmt(query[name][key][q])
            for key in ("dense_ms", "bm25_ms", "ask_ms")
            for q in ("p50", "p95")
        ]
        + [f"{query[name]['recall_at_10']:.3f}"]
        for name in ("faiss", "milvus")
    ]
    headers = ["backend", "dense p50", "p95", "bm25 p50", "p95", "ask p50", "p95", "recall@10"]
    print(table(headers, rows))


def run(quick: bool = False, paragraphs: int | None = None) -> dict[str, Any]:
    from rag.config import load_settings
    from rag.pipeline import embedder_for

    sizes = {**(QUICK if quick else FULL)}
    if paragraphs:
        sizes["paragraphs"] = paragraphs
    embedder = embedder_for(load_settings())
    embedder.warm_up()
    workdir = Path(tempfile.mkdtemp(prefix="rag-bench-dist-"))
    try:
        results = {"sizes": sizes, "ingest": ingest_engines(sizes, workdir, embedder)}
        results["query"] = query_backends(sizes, workdir, embedder)
    finally:
        from embeddings.index.milvus.connection import release_local

        release_local(str(workdir / "milvus.db"))
        shutil.rmtree(workdir, ignore_errors=True)
    report(results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for development")
    parser.add_argument("--paragraphs", type=int, help="XQuAD paragraphs to ingest")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures to OUT")
    args = parser.parse_args(argv)
    results = run(args.quick, args.paragraphs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
