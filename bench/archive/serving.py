"""Answers and serving on the archive index: answer latency with one thread beside LangChain's
retrieval, the app's launch to first answer and its memory against the seed index in the same
run, and the article list's pages read through the application layer.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.archive.data import KnownItem
from bench.archive.workers import run
from bench.common import PARTS, fmt, loadavg, p50_p95, ratio, table


def answer_latency(
    index: Path, store: Path, items: list[KnownItem], folder: Path, backend: str
) -> dict[str, Any]:
    """Titles asked of our index and of LangChain's in one process with one thread."""
    questions = folder / "questions.json"
    payload = [{"query": i.query, "relevant": sorted(i.relevant)} for i in items]
    questions.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    result, _ = run(
        "archive-answers",
        str(index),
        str(store),
        str(questions),
        backend,
        out=folder / "answers.json",
        threads=1,
    )
    rows = result.pop("rows")
    cited = [item.query for item, row in zip(items, rows, strict=True) if row["cites_own"]]
    return {
        **result,
        "cited_titles": cited,
        "questions": len(rows),
        "ours": {key: p50_p95([r[key] for r in rows]) for key in ("total", *PARTS)},
        "ours_retrieval": p50_p95([r["retrieval_ms"] for r in rows]),
        "langchain": p50_p95([r["langchain_ms"] for r in rows]),
        "cites_own": sum(r["cites_own"] for r in rows),
        "langchain_own": sum(r["langchain_own"] for r in rows),
        "loadavg": loadavg(),
    }


def app_figures(
    backend: str, indexes: dict[str, tuple[Path, str]], texts: list[str], rounds: int
) -> dict[str, Any]:
    """App launch to first answer, its RSS after every text, and the CLI's launch to a cited
    answer of the index's own question, and its peak RSS, on each index (name -> folder and
    question); the indexes take turns and the best round counts."""
    from bench.startup import app_start, cli_start

    best: dict[str, dict[str, float]] = {name: {} for name in indexes}
    for round_number in range(1, rounds + 1):
        print(f"    round {round_number}/{rounds}, load average {loadavg()}", flush=True)
        for name, (index, question) in indexes.items():
            figures = {**cli_start(backend, index, question), **app_start(backend, index, texts)}
            for key, value in figures.items():
                kept = best[name].get(key)
                best[name][key] = value if kept is None else min(kept, value)
    return {"indexes": best, "questions": len(texts), "loadavg": loadavg()}


def list_pages(index: Path, seed: Path, backend: str, query: str) -> dict[str, Any]:
    """The article list's first page, a later page and a title search, as the page reads them
    through `service.library.Library`, on the archive and on the seed index."""
    from rag.config import load_settings
    from rag.pipeline import Pipeline
    from service.library import Library
    from service.live import Service

    figures: dict[str, Any] = {}
    for name, folder in (("archive", index), ("seed", seed)):
        settings = load_settings(index_dir=folder, embedding_backend=backend)
        library = Library(Service(Pipeline.from_settings(settings), settings))
        timed: dict[str, float] = {}
        for label, text, page in (
            ("first page", "", 0),
            ("page 50", "", 50),
            ("title search", query, 0),
        ):
            started = time.perf_counter()
            listed = library.articles(text, page)
            timed[label] = (time.perf_counter() - started) * 1000
            timed[f"{label} rows"] = len(listed.rows)
        figures[name] = timed
    return figures


def print_answers(figures: dict[str, Any]) -> None:
    ours, base = figures["ours"], figures["langchain"]
    rows = [
        ["ours: answer (total)", fmt(ours["total"]["p50"]), fmt(ours["total"]["p95"])],
        *[[f"  {part}", fmt(ours[part]["p50"]), fmt(ours[part]["p95"])] for part in PARTS],
        [
            "ours: retrieval only",
            fmt(figures["ours_retrieval"]["p50"]),
            fmt(figures["ours_retrieval"]["p95"]),
        ],
        ["LangChain similarity_search(k=4)", fmt(base["p50"]), fmt(base["p95"])],
    ]
    print(table(["one thread, ms", "p50", "p95"], rows))
    print(
        f"  ours/LangChain p50: answer {fmt(ratio(ours['total']['p50'], base['p50']), 2)}, "
        f"retrieval {fmt(ratio(figures['ours_retrieval']['p50'], base['p50']), 2)}; "
        f"{figures['questions']} titles: our answer cites the title's article "
        f"{figures['cites_own']} times, LangChain's top 4 hold it {figures['langchain_own']}; "
        f"index loaded (model already loaded) in {figures['index_load_seconds']:.2f} s, "
        f"{figures['records_parsed_at_load']} of {figures['articles']:,} article records parsed"
    )


def print_app(figures: dict[str, Any]) -> None:
    archive, seed = figures["indexes"]["archive"], figures["indexes"]["seed"]
    keys = (
        ("app launch to first answer, s", "first_answer_seconds", 2),
        (f"app RSS after {figures['questions']} questions, MB", "rss_mb", 0),
        ("CLI launch to answer, s", "seconds", 2),
        ("CLI peak RSS, MB", "peak_rss_mb", 0),
    )
    rows = [
        [label, fmt(archive[key], d), fmt(seed[key], d), fmt(ratio(archive[key], seed[key]), 2)]
        for label, key, d in keys
    ]
    print(table(["figure", "archive", "seed (5 articles)", "archive/seed"], rows))


def print_pages(figures: dict[str, Any]) -> None:
    labels = ("first page", "page 50", "title search")
    rows = [
        [
            label,
            fmt(figures["archive"][label]),
            fmt(figures["seed"][label]),
            fmt(ratio(figures["archive"][label], figures["seed"][label]), 1),
        ]
        for label in labels
    ]
    print(table(["article list, ms", "archive", "seed", "archive/seed"], rows))
