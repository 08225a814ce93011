"""Files to a searchable index: our ingest against the plain LangChain pipeline on the same
`.jsonl` files, each in a fresh process, with the same threads; the ways of embedding that are
worth measuring, on a smaller sample in the same run; and an update of 10 new articles.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bench.archive.data import NewsArticle, write_corpus
from bench.archive.workers import run
from bench.common import fmt, loadavg, ratio, table

# The ways of embedding measured on the sample: (label, backend, threads). None threads is the
# libraries' default (both cores here). LangChain runs with both thread counts.
VARIANTS = (
    ("onnx fp32, 1 thread", "onnx", 1),
    ("onnx fp32, both cores", "onnx", None),
    ("onnx int8, 1 thread", "onnx-int8", 1),
    ("onnx int8, both cores", "onnx-int8", None),
)
BATCH = 32


def texts_per_s(figures: dict[str, Any]) -> float | None:
    """Rows embedded (chunks and sentences) per second of embedding."""
    texts = figures.get("embedded_chunks", figures.get("chunks", 0)) + figures.get(
        "embedded_sentences", 0
    )
    seconds = figures.get("embed_seconds", figures["ingest_seconds"])
    return texts / seconds if seconds else None


def race(
    articles: list[NewsArticle], folder: Path, backend: str, threads: int | None
) -> dict[str, Any]:
    """Ours (the configured backend) and LangChain on the same files, one after the other."""
    corpus = folder / "corpus"
    write_corpus(articles, corpus)
    figures: dict[str, Any] = {"articles": len(articles), "threads": threads or "default"}
    print(f"  ingest race on {len(articles):,} articles, load average {loadavg()}", flush=True)
    figures["ours"], _ = run(
        "archive-ours",
        str(corpus),
        str(folder / "index"),
        backend,
        out=folder / "ours.json",
        threads=threads,
    )
    print(f"    ours done in {figures['ours']['seconds']:,.0f} s, load {loadavg()}", flush=True)
    (folder / "langchain").mkdir(exist_ok=True)
    figures["langchain"], _ = run(
        "archive-langchain",
        str(corpus),
        str(folder / "langchain"),
        out=folder / "langchain.json",
        threads=threads,
    )
    print(
        f"    LangChain done in {figures['langchain']['seconds']:,.0f} s, load {loadavg()}",
        flush=True,
    )
    figures["loadavg_end"] = loadavg()
    return figures


def variants(articles: list[NewsArticle], folder: Path) -> dict[str, Any]:
    """Each way of embedding on the same sample, and LangChain with 1 thread and both cores."""
    corpus = folder / "corpus"
    write_corpus(articles, corpus)
    results: dict[str, Any] = {}
    for label, backend, threads in VARIANTS:
        index = folder / f"index-{len(results)}"
        figures, _ = run(
            "archive-ours",
            str(corpus),
            str(index),
            backend,
            out=folder / "variant.json",
            threads=threads,
        )
        results[label] = {**figures, "loadavg": loadavg()}
        shutil.rmtree(index, ignore_errors=True)
        print(f"    {label}: {fmt(texts_per_s(figures))} texts/s, load {loadavg()}", flush=True)
    for threads in (1, None):
        label = f"LangChain, {'1 thread' if threads else 'both cores'}"
        store = folder / f"langchain-{threads}"
        store.mkdir()
        figures, _ = run(
            "archive-langchain",
            str(corpus),
            str(store),
            out=folder / "variant.json",
            threads=threads,
        )
        results[label] = {**figures, "loadavg": loadavg()}
        shutil.rmtree(store, ignore_errors=True)
        print(f"    {label}: {fmt(texts_per_s(figures))} texts/s, load {loadavg()}", flush=True)
    return results


def update(
    name: str, new: list[NewsArticle], corpus: Path, index: Path, backend: str
) -> dict[str, Any]:
    """The new articles as more files of the corpus (`<name>-000.jsonl` on), ingested into the
    existing index with the libraries' default threads."""
    write_corpus(new, corpus, name)
    figures, _ = run(
        "archive-ours",
        str(corpus),
        str(index),
        backend,
        out=index.parent / "update.json",
        threads=None,
    )
    return figures


def padding(corpus: Path, embedder: Any, settings: Any) -> dict[str, float]:
    """Padding tokens per real token when the sample's texts are embedded in batches of
    `BATCH` in the order they come, and sorted by length (as ingest does): the work that
    batching by length saves, counted with the model's tokenizer instead of timed."""
    from corpus import answer_spans, chunk_article, load_corpus

    texts = []
    for article in load_corpus(corpus).articles:
        texts += [c.search_text for c in chunk_article(article, embedder.count_tokens, settings)]
        texts += [span.text for span in answer_spans(article.text)]
    # The prompt and <s> </s> around each text, truncated as the model truncates.
    lengths = [min(embedder.count_tokens(text) + 4, embedder.max_tokens) for text in texts]

    def padded(order: list[int]) -> float:
        batches = [order[b : b + BATCH] for b in range(0, len(order), BATCH)]
        work = sum(len(batch) * max(lengths[i] for i in batch) for batch in batches)
        return work / sum(lengths) - 1

    arrival = list(range(len(texts)))
    return {
        "texts": len(texts),
        "arrival_order": padded(arrival),
        "sorted": padded(sorted(arrival, key=lambda i: lengths[i])),
    }


def print_race(figures: dict[str, Any]) -> None:
    ours, base = figures["ours"], figures["langchain"]
    rows = [
        ["files to searchable index, s", ours["seconds"], base["seconds"], 1],
        ["  without the model load, s", ours["ingest_seconds"], base["ingest_seconds"], 1],
        ["  model load, s", ours["model_load_seconds"], base["model_load_seconds"], 1],
        ["CPU time (every thread), s", ours["cpu_seconds"], base["cpu_seconds"], 1],
        ["  without the model load", ours["ingest_cpu_seconds"], base["ingest_cpu_seconds"], 1],
        ["texts embedded", ours["embedded_texts"], base["chunks"], 0],
        ["rows indexed per embedding s", texts_per_s(ours), texts_per_s(base), 1],
        ["peak RSS, MB", ours["peak_rss_mb"], base["peak_rss_mb"], 0],
        ["index size, MB", ours["index_bytes"] / 2**20, base["index_bytes"] / 2**20, 0],
    ]
    print(
        table(
            ["figure", "ours", "LangChain", "ours/LangChain"],
            [[n, fmt(a, d), fmt(b, d), fmt(ratio(a, b), 2)] for n, a, b, d in rows],
        )
    )
    print(
        f"  ours: {ours['chunks']:,} chunks and {ours['embedded_sentences']:,} answer sentences "
        f"({ours['embedded_texts']:,} distinct texts, {ours['embedded_tokens']:,} tokens); "
        f"LangChain: {base['chunks']:,} chunks of up to 1,000 characters; phases (s): "
        + ", ".join(f"{k} {v:,.1f}" for k, v in ours["phases"].items())
    )


def print_variants(results: dict[str, Any]) -> None:
    base = results.get("LangChain, both cores", {})
    rows = []
    for label, figures in results.items():
        rate = texts_per_s(figures)
        rows.append(
            [
                label,
                fmt(figures["seconds"], 1),
                fmt(ratio(figures["seconds"], base.get("seconds")), 2),
                fmt(figures["ingest_seconds"], 1),
                fmt(ratio(figures["ingest_seconds"], base.get("ingest_seconds")), 2),
                fmt(figures["ingest_cpu_seconds"], 1),
                fmt(ratio(figures["ingest_cpu_seconds"], base.get("ingest_cpu_seconds")), 2),
                fmt(rate, 1),
                fmt(figures["peak_rss_mb"], 0),
                figures["loadavg"].split()[0],
            ]
        )
    headers = [
        "sample ingest",
        "s",
        "vs LangChain",
        "s w/o model load",
        "vs LangChain",
        "CPU s w/o load",
        "vs LangChain",
        "rows/s",
        "peak MB",
        "load",
    ]
    print(table(headers, rows))


def print_update(figures: dict[str, Any]) -> None:
    phases = ", ".join(f"{k} {v:,.1f}" for k, v in figures["phases"].items())
    print(
        f"  update: {figures['new']} new articles into {figures['unchanged']:,} unchanged: "
        f"{figures['seconds']:,.1f} s in a fresh process ({phases}); "
        f"embedded {figures['embedded_texts']} texts"
    )
    for note in figures["notes"]:
        print(f"    {note}")
