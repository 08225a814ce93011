"""Encoder backends compared: torch fp32 against onnx fp32 and onnx-int8 on the packaged model.

Usage: python -m bench.encoder_backends [--texts 300] [--rounds 2] [--questions N]

For each backend it measures
- texts/s of `embed_passages` (batch 32, after a warm-up batch) on XQuAD Arabic paragraphs and
  their answer sentences; the backends take turns for `--rounds` rounds and the best round counts,
  so a burst of load from other jobs on a shared machine hurts both alike;
- single-query latency: p50 of `embed_queries([q])` over the retrieval questions;
- dense retrieval quality: nDCG@10 over the XQuAD ar-ar questions, on an index of the 240 Arabic
  paragraphs built with that backend (chunk search only, article ids deduplicated).
It prints the load average at start and end: figures taken under load are slower and noisier.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.common import XQUAD_AR, loadavg, table
from corpus import answer_spans
from embeddings.index.faiss.index import FaissIndex
from embeddings.ingest.incremental import ingest_articles
from embeddings.model.embedder import Backend, Embedder
from eval.datasets import EvalQuestion, load_squad
from eval.metrics import ndcg_at_k
from eval.runs import passage_articles

BACKENDS: tuple[Backend, ...] = ("torch", "onnx", "onnx-int8")
BATCH = 32
K = 10


def sample_texts(paragraphs: Sequence[str], n: int) -> list[str]:
    """Paragraphs each followed by its answer sentences, the mix an ingest embeds."""
    texts: list[str] = []
    for paragraph in paragraphs:
        texts += [paragraph, *(span.text for span in answer_spans(paragraph))]
        if len(texts) >= n:
            break
    return texts[:n]


def throughput(
    embedders: Mapping[Backend, Embedder], texts: list[str], rounds: int
) -> dict[str, float]:
    best = dict.fromkeys(embedders, float("inf"))
    for embedder in embedders.values():
        embedder.embed_passages(texts[:BATCH], batch_size=BATCH)  # warm-up
    for round_ in range(1, rounds + 1):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            embedder.embed_passages(texts, batch_size=BATCH)
            seconds = time.perf_counter() - started
            best[name] = min(best[name], seconds)
            print(
                f"  round {round_} {name:9s} {len(texts) / seconds:6.1f} texts/s  load {loadavg()}"
            )
    return {name: len(texts) / seconds for name, seconds in best.items()}


def retrieval(
    embedder: Embedder, articles: list, questions: list[EvalQuestion], workdir: Path
) -> tuple[float, float, float]:
    """(nDCG@10, query p50 ms, ingest embedding seconds) for one backend."""
    index_dir = workdir / embedder.backend
    report = ingest_articles(articles, index_dir, embedder, rebuild=True)
    index = FaissIndex.load_for(index_dir, embedder)
    scores, latencies = [], []
    for question in questions:
        started = time.perf_counter()
        vector = embedder.embed_queries([question.question])
        latencies.append(time.perf_counter() - started)
        ranked = [hit.chunk.article_id for hit in index.search(vector, K)[0]]
        scores.append(ndcg_at_k(ranked, question.gold_ids, K))
    return statistics.fmean(scores), 1000 * statistics.median(latencies), report.embed_seconds


def print_results(rates: dict[str, float], quality: dict[str, tuple[float, float, float]]) -> None:
    """One row per backend, speed-up and nDCG delta against torch fp32."""
    base_rate, (base_ndcg, _, _) = rates["torch"], quality["torch"]
    headers = (
        "backend",
        "texts/s",
        "speed-up",
        "query p50 ms",
        "ingest embed s",
        "nDCG@10",
        "delta",
    )
    rows = []
    for name in BACKENDS:
        ndcg, p50, ingest_seconds = quality[name]
        rows.append(
            (
                name,
                f"{rates[name]:.1f}",
                f"{rates[name] / base_rate:.2f}x",
                f"{p50:.1f}",
                f"{ingest_seconds:.1f}",
                f"{ndcg:.4f}",
                f"{ndcg - base_ndcg:+.4f}",
            )
        )
    print()
    print(table(headers, rows, indent=""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=300, help="texts for the throughput runs")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds per backend")
    parser.add_argument("--questions", type=int, default=None, help="limit the ar-ar questions")
    args = parser.parse_args(argv)

    import torch

    started = time.perf_counter()
    print(
        f"cpus {os.cpu_count()}, torch threads {torch.get_num_threads()}, nice {os.nice(0)}, "
        f"load average {loadavg()}"
    )
    squad = load_squad(XQUAD_AR)
    questions = squad.questions[: args.questions]
    texts = sample_texts([p.text for p in squad.passages], args.texts)
    embedders = {name: Embedder(backend=name) for name in BACKENDS}
    for name, embedder in embedders.items():
        embedder.warm_up()
        print(
            f"  {name:9s} loaded in {embedder.load_seconds:.1f} s, hash {embedder.weights_hash[:12]}"
        )

    print(f"throughput: {len(texts)} texts, batch {BATCH}, best of {args.rounds} round(s)")
    rates = throughput(embedders, texts, args.rounds)

    print(f"retrieval: {len(squad.passages)} paragraphs indexed, {len(questions)} ar-ar questions")
    quality: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="rag-backends-") as workdir:
        articles = passage_articles(squad.passages)
        for name, embedder in embedders.items():
            quality[name] = retrieval(embedder, articles, questions, Path(workdir))
            print(f"  {name:9s} done, load {loadavg()}")

    print_results(rates, quality)
    print(f"\nload average at end {loadavg()}; done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
