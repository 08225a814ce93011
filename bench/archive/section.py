"""Section 9 of `make bench`: the archive (SaudiNewsNet), end to end. See bench/README.md.

1. ingest race: the first N articles as `.jsonl` files, to our index and to LangChain's, each
   in a fresh process with both cores;
2. answers with one thread on it, LangChain's retrieval beside them;
3. the app and the CLI on it against the seed index, and the article list's pages;
4. an update of 10 new articles into that index; the ways of embedding on a smaller sample;
5. known-item retrieval at 1k, 10k and all articles, FAISS and Milvus (the rest of the archive
   is added to the index by one more update, so nothing is embedded twice).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.archive import race, scale, serving
from bench.archive.data import ARCHIVE_SIZE, NewsArticle, known_items, read_archive
from bench.common import loadavg
from bench.startup import questions as seed_questions
from bench.suite import Bench


@dataclass(frozen=True)
class Sizes:
    ingest: int  # articles raced to an index
    sample: int  # articles of the ways of embedding
    new: int  # articles of the update
    questions: int  # titles asked for answers and of the app
    queries: int  # known-item queries per size and backend
    scale: tuple[int, ...]  # articles of each index of the retrieval at scale


# Articles added per update when the index grows to the whole archive.
GROWTH_PART = 5_000
FULL = Sizes(10_000, 100, 10, 100, 1_000, (1_000, 10_000, ARCHIVE_SIZE))
QUICK = Sizes(60, 15, 10, 10, 20, (30, 60, 120))


def archive(bench: Bench) -> None:
    bench.require("settings", "embedder")
    sizes = QUICK if bench.quick else FULL
    backend = bench.settings.embedding.backend
    folder = bench.workdir / "archive"
    articles = list(read_archive(max(sizes.scale)))
    items = known_items(articles)
    first = articles[: sizes.ingest]
    results: dict[str, Any] = {"sizes": asdict(sizes), "backend": backend}
    bench.results["archive"] = results
    print(f"  SaudiNewsNet, first {len(first):,} articles; backend {backend}; load {loadavg()}")

    step = Steps(folder, bench.kept, results)
    print("  -- files to a searchable index --")
    step("race", lambda: race.race(first, folder / "race", backend, threads=None), folder / "race")
    race.print_race(results["race"])
    index_10k = folder / "race" / "index"
    growing = folder / "growing"
    if not growing.exists():
        # Copied whole, then renamed: a kept folder never holds half a copy.
        copying = folder / "growing.partial"
        shutil.rmtree(copying, ignore_errors=True)
        shutil.copytree(index_10k, copying / "index")
        shutil.copytree(folder / "race" / "corpus", copying / "corpus")
        copying.rename(growing)

    print("  -- answers on it, one thread --")
    chosen = scale.sample(items, {a.id for a in first}, sizes.questions)
    step(
        "answers",
        lambda: serving.answer_latency(
            index_10k, folder / "race" / "langchain", chosen, folder, backend
        ),
    )
    serving.print_answers(results["answers"])

    _serving(bench, step, index_10k, [item.query for item in chosen])

    print("  -- an update --")
    new = articles[len(first) : len(first) + sizes.new]
    step(
        "update", lambda: race.update("update", new, growing / "corpus", growing / "index", backend)
    )
    race.print_update(results["update"])

    _variants(bench, step, articles[: sizes.sample])

    print("  -- retrieval at scale --")
    rest = articles[len(first) + sizes.new :]
    # In parts, each its own update: a run cut short keeps what it embedded (with --keep).
    for part, begin in enumerate(range(0, len(rest), GROWTH_PART), start=1):
        name, new = f"growth-{part}", rest[begin : begin + GROWTH_PART]
        step(name, partial(race.update, name, new, growing / "corpus", growing / "index", backend))
        race.print_update(results[name])
    step("scale", lambda: _scale(bench, sizes, items, folder, index_10k, growing / "index"))
    scale.print_scale(results["scale"])


class Steps:
    """Runs a step and records its figures in `results`; in a kept work folder (`--keep`) it
    also saves them, and a step an interrupted run had finished there is not run again. A step
    with a folder of its own (`fresh`) starts from an empty one, so what an interrupted run
    left there (an index its ingest would only update) does not shorten what is timed."""

    def __init__(self, folder: Path, kept: bool, results: dict[str, Any]) -> None:
        self.folder = folder
        self.kept = kept
        self.results = results

    def __call__(
        self, name: str, make: Callable[[], dict[str, Any]], fresh: Path | None = None
    ) -> None:
        saved = self.folder / f"{name}.json"
        if self.kept and saved.is_file():
            print(f"  ({name}: reused from the kept run in {self.folder})")
            self.results[name] = json.loads(saved.read_text(encoding="utf-8"))
            return
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        self.results[name] = make()
        if self.kept:
            saved.write_text(json.dumps(self.results[name], ensure_ascii=False), "utf-8")


def _serving(bench: Bench, step: Steps, index_10k: Path, texts: list[str]) -> None:
    """The app and the CLI on the archive index and on the seed index, and the article list."""
    backend, results, folder = bench.settings.embedding.backend, step.results, step.folder
    print("  -- serving it --")
    seed = _seed_index(bench, folder)
    cited = (results["answers"]["cited_titles"] or texts)[0]
    indexes = {"archive": (index_10k, cited), "seed": (seed, seed_questions(1)[0])}
    step("app", lambda: serving.app_figures(backend, indexes, texts, 1 if bench.quick else 2))
    serving.print_app(results["app"])
    step("pages", lambda: serving.list_pages(index_10k, seed, backend, texts[0][:12]))
    serving.print_pages(results["pages"])


def _variants(bench: Bench, step: Steps, sample: list[NewsArticle]) -> None:
    """The ways of embedding on the sample, and the padding that batching by length saves."""
    results, folder = step.results, step.folder
    print("  -- ways of embedding, on a sample --")
    step("variants", lambda: race.variants(sample, folder / "sample"), folder / "sample")
    race.print_variants(results["variants"])
    pad = race.padding(folder / "sample" / "corpus", bench.embedder, bench.settings.ingest.chunker)
    results["padding"] = pad
    print(
        f"  batching by length: padding per real token {pad['sorted']:.3f} sorted (as ingest "
        f"does) against {pad['arrival_order']:.3f} in arrival order, batches of {race.BATCH}"
    )


def _seed_index(bench: Bench, folder: Path) -> Path:
    from embeddings.ingest.incremental import ingest

    seed = folder / "seed-index"
    ingest(bench.settings.ingest.corpus_dir, seed, bench.embedder, bench.settings.ingest.chunker)
    return seed


def _scale(
    bench: Bench,
    sizes: Sizes,
    items: list[Any],
    folder: Path,
    index_10k: Path,
    whole: Path,
) -> dict[str, Any]:
    from embeddings.index.faiss.index import FaissIndex

    embedder = bench.embedder
    everything = FaissIndex.load_for(whole, embedder)
    # Ids (`snn-<day>-<position>`, zero-padded) sort in the archive's order.
    ordered = sorted(everything.manifest.articles)
    indexes: dict[int, Any] = {}
    for size in sizes.scale:
        if size == sizes.ingest:
            indexes[size] = FaissIndex.load_for(index_10k, embedder)
        elif size >= len(ordered):
            indexes[size] = everything
        else:
            indexes[size] = scale.subset_index(everything, ordered[:size], folder / f"faiss-{size}")
    return scale.measure(indexes, items, sizes.queries, folder, bench.settings, embedder)
