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

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.archive import race, scale, serving
from bench.archive.data import ARCHIVE_SIZE, known_items, read_archive
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

    print("  -- files to a searchable index --")
    results["race"] = race.race(first, folder / "race", backend, threads=None)
    race.print_race(results["race"])
    index_10k = folder / "race" / "index"
    growing = folder / "growing"
    shutil.copytree(index_10k, growing / "index")
    shutil.copytree(folder / "race" / "corpus", growing / "corpus")

    print("  -- answers on it, one thread --")
    chosen = scale.sample(items, {a.id for a in first}, sizes.questions)
    results["answers"] = serving.answer_latency(
        index_10k, folder / "race" / "langchain", chosen, folder, backend
    )
    serving.print_answers(results["answers"])

    print("  -- serving it --")
    seed = _seed_index(bench, folder)
    texts = [item.query for item in chosen]
    cited = (results["answers"]["cited_titles"] or texts)[0]
    indexes = {"archive": (index_10k, cited), "seed": (seed, seed_questions(1)[0])}
    results["app"] = serving.app_figures(backend, indexes, texts, 1 if bench.quick else 2)
    serving.print_app(results["app"])
    results["pages"] = serving.list_pages(index_10k, seed, backend, chosen[0].query[:12])
    serving.print_pages(results["pages"])

    print("  -- an update --")
    new = articles[len(first) : len(first) + sizes.new]
    results["update"] = race.update(new, growing / "corpus", growing / "index", backend, None)
    race.print_update(results["update"])

    print("  -- ways of embedding, on a sample --")
    results["variants"] = race.variants(articles[: sizes.sample], folder / "sample")
    race.print_variants(results["variants"])
    pad = race.padding(folder / "sample" / "corpus", bench.embedder, bench.settings.ingest.chunker)
    results["padding"] = pad
    print(
        f"  batching by length: padding per real token {pad['sorted']:.3f} sorted (as ingest "
        f"does) against {pad['arrival_order']:.3f} in arrival order, batches of {race.BATCH}"
    )

    print("  -- retrieval at scale --")
    rest = articles[len(first) + sizes.new :]
    results["growth"] = race.update(rest, growing / "corpus", growing / "index", backend, None)
    race.print_update(results["growth"])
    results["scale"] = _scale(bench, sizes, items, folder, index_10k, growing / "index")
    scale.print_scale(results["scale"])


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
