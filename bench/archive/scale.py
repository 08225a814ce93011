"""Retrieval at scale: each article's title asked as a known-item query for its own article, on
the first 1k, 10k and all articles, in FAISS and in Milvus.

The rows are embedded once, by the ingest of the whole archive; the smaller FAISS indexes are
built from the same rows (`FaissIndex.build`), and each Milvus index is written from them by
its own writer, a batch of articles per commit. Queries are a seeded sample of the titled
articles of each size; a hit is the article or any article with the very same text.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from bench.archive.data import KnownItem
from bench.common import SEED, fmt, loadavg, p50_p95, table

METHODS = ("hybrid", "dense", "sentences", "bm25")
# Articles per Milvus commit: bounds the rows held in memory at once.
MILVUS_BATCH = 2_000


def subset_index(source: Any, article_ids: list[str], folder: Path) -> Any:
    """A FAISS index of these articles, from `source`'s rows and vectors (nothing embedded)."""
    from embeddings.index.faiss.index import FaissIndex
    from embeddings.index.manifest import Manifest

    head = {**source.manifest.head(), "articles": {}}
    manifest = Manifest.from_json(head)
    manifest.articles = {a: source.manifest.articles[a] for a in article_ids}
    manifest.ann = None
    rows = source.rows_of(article_ids)
    index = FaissIndex.build(
        manifest, rows.chunks, rows.chunk_vectors, rows.sentences, rows.sentence_vectors
    )
    index.save(folder)
    return FaissIndex.load(folder)


def milvus_index(source: Any, folder: Path, embedder: Any) -> Any:
    """A Milvus (milvus-lite) index of every article of `source`, written batch by batch."""
    from embeddings.index.manifest import Manifest
    from embeddings.index.milvus.index import MilvusIndex
    from embeddings.index.milvus.writer import MilvusWriter
    from embeddings.index.protocol import IndexChange

    folder.mkdir(parents=True, exist_ok=True)
    uri = str(folder / "milvus.db")
    ids = list(source.manifest.articles)
    for begin in range(0, len(ids), MILVUS_BATCH):
        writer = MilvusWriter(uri, embedder)
        writer.previous()
        manifest = Manifest.from_json({**source.manifest.head(), "articles": {}})
        manifest.articles = {a: source.manifest.articles[a] for a in ids[: begin + MILVUS_BATCH]}
        rows = source.rows_of(ids[begin : begin + MILVUS_BATCH])
        writer.write(IndexChange(manifest, rows, set(), rebuild=begin == 0))
    return MilvusIndex.load_for(uri, embedder)


def sample(items: list[KnownItem], article_ids: set[str], count: int) -> list[KnownItem]:
    """A seeded sample of the queries whose article is among `article_ids`; relevance is
    limited to the articles present."""
    present = [
        KnownItem(i.query, i.article_id, i.relevant & article_ids)
        for i in items
        if i.article_id in article_ids
    ]
    return random.Random(SEED).sample(present, min(count, len(present)))


def known_item(pipeline: Any, items: list[KnownItem], questions: dict[str, Any]) -> dict[str, Any]:
    """recall@1/5/10, MRR@10 and nDCG@10 of each ranking, and search time per query."""
    from eval.metrics import retrieval_metrics

    ranked: dict[str, list[tuple[list[str], list[str]]]] = {m: [] for m in METHODS}
    times = []
    for item in items:
        question = questions[item.query]
        started = time.perf_counter()
        result = pipeline.search.search(question, 10)
        times.append((time.perf_counter() - started) * 1000)
        for method in METHODS:
            articles = list(dict.fromkeys(c.article_id for c in result.rankings.get(method, ())))
            ranked[method].append((articles[:10], sorted(item.relevant)))
    return {
        "queries": len(items),
        "search_ms": p50_p95(times),
        **{method: retrieval_metrics(pairs) for method, pairs in ranked.items()},
    }


def measure(
    sizes: dict[int, Any],
    items: list[KnownItem],
    count: int,
    folder: Path,
    settings: Any,
    embedder: Any,
) -> dict[str, Any]:
    """`sizes`: articles -> the FAISS index of the first that many. Each size is asked a
    sample of its own titles, in FAISS and in Milvus."""
    from rag.pipeline import Pipeline

    reader = Pipeline(settings, embedder, next(iter(sizes.values())), rank_unfused=True)
    results: dict[str, Any] = {}
    for size, faiss_index in sizes.items():
        chosen = sample(items, set(faiss_index.manifest.articles), count)
        questions = {item.query: reader.read(item.query) for item in chosen}
        started = time.perf_counter()
        milvus = milvus_index(faiss_index, folder / f"milvus-{size}", embedder)
        milvus_seconds = time.perf_counter() - started
        for name, index in (("faiss", faiss_index), ("milvus", milvus)):
            pipeline = Pipeline(settings, embedder, index, rank_unfused=True)
            figures = known_item(pipeline, chosen, questions)
            results[f"{size}/{name}"] = {
                "articles": size,
                "chunks": faiss_index.manifest.chunks,
                "sentences": len(faiss_index.sentences),
                "loadavg": loadavg(),
                **figures,
            }
            if name == "milvus":
                results[f"{size}/{name}"]["write_seconds"] = milvus_seconds
            print(
                f"    {size:,} articles, {name}: recall@10 "
                f"{figures['hybrid']['recall@10']:.3f}, load {loadavg()}",
                flush=True,
            )
    return results


def print_scale(results: dict[str, Any]) -> None:
    rows = []
    for key, figures in results.items():
        size, backend = key.split("/")
        hybrid = figures["hybrid"]
        rows.append(
            [
                f"{int(size):,}",
                backend,
                f"{figures['chunks']:,}",
                str(figures["queries"]),
                f"{hybrid['recall@10']:.3f}",
                f"{hybrid['mrr@10']:.3f}",
                f"{figures['dense']['recall@10']:.3f}",
                f"{figures['sentences']['recall@10']:.3f}",
                f"{figures['bm25']['recall@10']:.3f}",
                fmt(figures["search_ms"]["p50"]),
            ]
        )
    headers = [
        "articles",
        "backend",
        "chunks",
        "queries",
        "recall@10",
        "MRR@10",
        "dense r@10",
        "sentences r@10",
        "BM25 r@10",
        "search p50 ms",
    ]
    print(table(headers, rows))
