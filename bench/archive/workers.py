"""The archive section's fresh processes: each pipeline ingests the same files in a process of
its own (so its peak RSS is its own), and the answers are timed in a process started like the
app. Each worker writes its figures as JSON; `run` starts one through `python -m bench.run
--worker` with the environment given (threads), and times it from launch to exit.

The project is imported inside the workers, after their clocks start.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import PARTS, cpu_seconds, peak_rss_mb, rss_mb, timed_run


def run(kind: str, *args: str, out: Path, threads: int | None) -> tuple[dict[str, Any], float]:
    """Run worker `kind` in a fresh process with `threads` intra-op threads (None: the
    libraries' default, every core); returns its JSON and launch-to-exit seconds."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS" and k[:4] != "RAG_"}
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    command = [sys.executable, "-m", "bench.run", "--worker", kind, str(out), *args]
    _, wall = timed_run(command, f"worker '{kind}'", env=env)
    return json.loads(out.read_text(encoding="utf-8")), wall


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def ours(out: Path, corpus_dir: str, index_dir: str, backend: str) -> None:
    """`ingest` of the files in `corpus_dir` into `index_dir` (new or existing), as
    `python -m rag ingest` does it."""
    started = time.perf_counter()
    from embeddings.index.faiss.store import live_version
    from embeddings.ingest.incremental import ingest
    from rag.config import load_settings
    from rag.pipeline import embedder_for

    settings = load_settings(embedding_backend=backend)
    embedder = embedder_for(settings)
    embedder.warm_up()
    cpu_before = cpu_seconds()
    report = ingest(Path(corpus_dir), Path(index_dir), embedder, settings.ingest.chunker)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds(),
        # The ingest itself: from reading the files to the saved index, the model loaded before.
        "ingest_seconds": report.seconds,
        "ingest_cpu_seconds": cpu_seconds() - cpu_before,
        "model_load_seconds": embedder.load_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "index_bytes": folder_bytes(live_version(Path(index_dir))),
        "articles": report.articles,
        "new": report.new,
        "unchanged": report.unchanged,
        "chunks": report.chunks,
        "embedded_chunks": report.embedded_chunks,
        "embedded_sentences": report.embedded_sentences,
        "embedded_texts": report.embedded_texts,
        "embedded_tokens": report.embedded_tokens,
        "embed_seconds": report.embed_seconds,
        "phases": report.phases,
        "notes": report.notes,
        "skipped": len(report.skipped),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def langchain(out: Path, corpus_dir: str, store_dir: str) -> None:
    """The plain pipeline from the same files: each line's text as a Document, then
    `bench.baseline.langchain_store`; saved with `save_local` (its size is the index size) and,
    for the answers worker, as a FAISS file and JSON (nothing to unpickle)."""
    started = time.perf_counter()
    import faiss
    from langchain_core.documents import Document

    from bench.baseline import langchain_store
    from embeddings.model.backend.packaged import packaged_model_dir

    documents = []
    for path in sorted(Path(corpus_dir).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            documents.append(
                Document(page_content=record["text"], metadata={"article_id": record["id"]})
            )
    plain = langchain_store(documents, packaged_model_dir())
    store, splits = plain.store, plain.splits
    folder = Path(store_dir)
    store.save_local(str(folder / "langchain"))
    seconds = time.perf_counter() - started
    faiss.write_index(store.index, str(folder / "vectors.faiss"))
    rows = [
        [store.index_to_docstore_id[i], store.docstore.search(store.index_to_docstore_id[i])]
        for i in range(store.index.ntotal)
    ]
    texts = [[key, doc.page_content, doc.metadata["article_id"]] for key, doc in rows]
    (folder / "documents.json").write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds(),
        "model_load_seconds": plain.load_seconds,
        "ingest_seconds": plain.ingest_seconds,
        "ingest_cpu_seconds": plain.ingest_cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "index_bytes": folder_bytes(folder / "langchain"),
        "articles": len(documents),
        "chunks": len(splits),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def langchain_reopened(store_dir: Path) -> Any:
    """The LangChain store `langchain` saved, rebuilt from its FAISS file and JSON."""
    import faiss
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document

    from bench.baseline import langchain_embeddings
    from embeddings.model.backend.packaged import packaged_model_dir

    rows = json.loads((store_dir / "documents.json").read_text(encoding="utf-8"))
    docstore = InMemoryDocstore(
        {key: Document(page_content=text, metadata={"article_id": a}) for key, text, a in rows}
    )
    return FAISS(
        embedding_function=langchain_embeddings(packaged_model_dir()),
        index=faiss.read_index(str(store_dir / "vectors.faiss")),
        docstore=docstore,
        index_to_docstore_id={i: key for i, (key, _, _) in enumerate(rows)},
    )


def answers(out: Path, index_dir: str, store_dir: str, questions_file: str, backend: str) -> None:
    """Our answers and the LangChain retrieval on the same questions, in turn per question
    (so load from other jobs hits both alike), with the threads the environment gives."""
    from rag.config import load_settings
    from rag.pipeline import Pipeline, embedder_for

    items = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    settings = load_settings(index_dir=Path(index_dir), embedding_backend=backend)
    embedder = embedder_for(settings)
    embedder.warm_up()
    started = time.perf_counter()  # the index alone: checksums, the manifest, memory maps
    answering = Pipeline.from_settings(settings, embedder=embedder)
    loaded = time.perf_counter() - started
    parsed_at_load = len(getattr(answering.index.manifest.articles, "_records", {}))
    answering.embedder.embed_queries(["warm-up"])
    retrieving = Pipeline(settings, answering.embedder, answering.index)
    store = langchain_reopened(Path(store_dir))
    store.similarity_search("warm-up", k=4)
    rows: list[dict[str, Any]] = []
    for item in items:
        begin = time.perf_counter()
        found = store.similarity_search(item["query"], k=4)
        base_ms = (time.perf_counter() - begin) * 1000
        begin = time.perf_counter()
        retrieving.retriever.invoke(item["query"])
        retrieval_ms = (time.perf_counter() - begin) * 1000
        begin = time.perf_counter()
        answer = answering.ask(item["query"])
        total_ms = (time.perf_counter() - begin) * 1000
        cited = {c.passage.article_id for c in answer.citations}
        rows.append(
            {
                "total": total_ms,
                **{part: answer.timings_ms.get(part, 0.0) for part in PARTS},
                "langchain_ms": base_ms,
                "retrieval_ms": retrieval_ms,
                "cites_own": bool(cited & set(item["relevant"])),
                "langchain_own": any(d.metadata["article_id"] in item["relevant"] for d in found),
            }
        )
    result = {
        "index_load_seconds": loaded,
        "articles": len(answering.index.manifest.articles),
        "records_parsed_at_load": parsed_at_load,
        "rows": rows,
        "rss_mb": rss_mb(),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


WORKERS: dict[str, Callable[..., None]] = {
    "archive-ours": ours,
    "archive-langchain": langchain,
    "archive-answers": answers,
}
