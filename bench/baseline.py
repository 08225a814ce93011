"""Section 6: our retriever against a plain LangChain pipeline with the same model folder, on the
same paragraphs: recall@5 both ways (ar-ar, en-ar), ingest throughput and query latency.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import ask_timed, cpu_seconds, fmt, p50_p95, ratio, table
from bench.suite import Bench

if TYPE_CHECKING:
    from eval.metrics import RankedGold

HEADERS = ["figure", "ours", "baseline", "ours/baseline"]


def baseline(bench: Bench) -> None:
    bench.require("embedder", "xquad_index", "passages")
    bench.embedder.warm_up()
    limit = bench.sizes.recall_questions
    sets = {
        "ar-ar": bench.questions["ar"][:limit] if limit else bench.questions["ar"],
        "en-ar": bench.questions["en"][:limit] if limit else bench.questions["en"],
    }
    latency_questions = bench.mixed_questions or bench.mixed_sample(bench.sizes.big_questions)
    plain = build_plain(bench)
    base_recall = {
        name: recall_at_5([(plain.ranked(q.question), q.gold_ids) for q in qs])
        for name, qs in sets.items()
    }
    print(f"  ... baseline indexed in {plain.ingest_seconds:.1f} s and scored", flush=True)
    ours_recall, dense_recall = our_recall(bench, sets)
    print("  ... our retriever scored", flush=True)
    base_latency, ours_retrieval, ours_answer = interleaved_latency(
        bench, plain.store, latency_questions
    )
    base = {
        **plain.figures(),
        "query_ms_k4": p50_p95(base_latency),
        "recall_at_5": base_recall,
    }
    ingest = bench.results.get("ingest", {})
    mine = {
        "chunks": ingest.get("chunks"),
        "texts": ingest.get("texts"),
        "ingest_seconds": ingest.get("seconds"),
        "texts_per_s": ingest.get("texts_per_s"),
        "tokens_per_s": ingest.get("tokens_per_s"),
        "retrieval_ms": p50_p95(ours_retrieval),
        "answer_ms": p50_p95(ours_answer),
        "recall_at_5": ours_recall,
        "dense_only_recall_at_5": dense_recall,
    }
    figures = {
        "questions": {name: len(qs) for name, qs in sets.items()},
        "latency_questions": len(latency_questions),
        "baseline": base,
        "ours": mine,
        "ratios": {
            "recall_at_5_ar_ar": ratio(ours_recall["ar-ar"], base_recall["ar-ar"]),
            "recall_at_5_en_ar": ratio(ours_recall["en-ar"], base_recall["en-ar"]),
            "ingest_texts_per_s": ratio(mine["texts_per_s"], base["texts_per_s"]),
            "query_p50": ratio(mine["retrieval_ms"]["p50"], base["query_ms_k4"]["p50"]),
        },
    }
    bench.results["baseline"] = figures
    print_baseline(figures, len(bench.passages))


@dataclass
class Plain:
    """The plain LangChain pipeline, built and timed."""

    model_dir: Path
    store: Any
    chunks: int
    tokens: int
    load_seconds: float
    ingest_seconds: float

    def ranked(self, question: str) -> list[str]:
        return [d.metadata["passage_id"] for d in self.store.similarity_search(question, k=5)]

    def figures(self) -> dict[str, Any]:
        return {
            "model_dir": str(self.model_dir),
            "model_load_seconds": self.load_seconds,
            "chunks": self.chunks,
            "tokens": self.tokens,
            "ingest_seconds": self.ingest_seconds,
            "chunks_per_s": self.chunks / self.ingest_seconds,
            "texts_per_s": self.chunks / self.ingest_seconds,
            "tokens_per_s": self.tokens / self.ingest_seconds,
        }


def build_plain(bench: Bench) -> Plain:
    """The plain pipeline over the section's XQuAD paragraphs; the model load is timed apart."""
    from langchain_core.documents import Document

    from embeddings.model.backend.packaged import packaged_model_dir

    model_dir = packaged_model_dir(bench.settings.embedding.cache_dir)
    documents = [
        Document(page_content=p.text, metadata={"passage_id": p.id}) for p in bench.passages
    ]
    plain = langchain_store(documents, model_dir)
    tokens = sum(bench.embedder.count_tokens(d.page_content) for d in plain.splits)
    return Plain(
        model_dir, plain.store, len(plain.splits), tokens, plain.load_seconds, plain.ingest_seconds
    )


def langchain_embeddings(model_dir: Path) -> Any:
    """HuggingFaceEmbeddings on the model folder, as a tutorial would (no e5 prompts)."""
    import transformers
    from langchain_huggingface import HuggingFaceEmbeddings

    transformers.logging.set_verbosity_error()  # the packaged checkpoint has no pooler
    return HuggingFaceEmbeddings(
        model_name=str(model_dir),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True},
    )


@dataclass
class LangChainStore:
    """A plain store built from documents, and what building it took."""

    store: Any
    splits: list[Any]
    load_seconds: float  # the model
    ingest_seconds: float  # split and embed, wall
    ingest_cpu_seconds: float  # the same, CPU time of every thread


def langchain_store(documents: list[Any], model_dir: Path) -> LangChainStore:
    """RecursiveCharacterTextSplitter(1000, 200), `langchain_embeddings` and
    FAISS.from_documents over `documents`."""
    with warnings.catch_warnings():  # its sunset notice; FAISS is what the brief names
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    embeddings = langchain_embeddings(model_dir)
    load_seconds = time.perf_counter() - started
    started, cpu = time.perf_counter(), cpu_seconds()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    splits = splitter.split_documents(documents)
    store = FAISS.from_documents(splits, embeddings)
    seconds = time.perf_counter() - started
    return LangChainStore(store, splits, load_seconds, seconds, cpu_seconds() - cpu)


def recall_at_5(pairs: list[RankedGold]) -> float:
    from eval.metrics import retrieval_metrics

    return retrieval_metrics(pairs)["recall@5"]


def our_recall(
    bench: Bench, sets: dict[str, list[Any]]
) -> tuple[dict[str, float], dict[str, float]]:
    """recall@5 of our hybrid retriever and of its dense ranking alone, on the index of the
    same paragraphs built in section 2."""
    from eval.records import rankings
    from rag.pipeline import Pipeline

    ours = Pipeline(bench.settings, bench.embedder, bench.xquad_index)
    ours_recall: dict[str, float] = {}
    dense_recall: dict[str, float] = {}
    for name, qs in sets.items():
        ranked = [(rankings(ours.ask(q.question)), q.gold_ids) for q in qs]
        ours_recall[name] = recall_at_5([(r["hybrid"], gold) for r, gold in ranked])
        dense_recall[name] = recall_at_5([(r["dense"], gold) for r, gold in ranked])
    return ours_recall, dense_recall


def interleaved_latency(
    bench: Bench, store: Any, questions: list[str]
) -> tuple[list[float], list[float], list[float]]:
    """ms of the baseline search (k=4), our retrieval and our whole answer, per question.

    Interleaved per question so that load changes on a shared machine hit all three alike; our
    two pipelines are fresh, so no query is cached.
    """
    from rag.pipeline import Pipeline

    retrieving = Pipeline(bench.settings, bench.embedder, bench.xquad_index)
    answering = Pipeline(bench.settings, bench.embedder, bench.xquad_index)
    base_latency: list[float] = []
    ours_retrieval: list[float] = []
    ours_answer: list[float] = []
    for question in questions:
        started = time.perf_counter()
        store.similarity_search(question, k=4)
        base_latency.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        retrieving.retriever.invoke(question)
        ours_retrieval.append((time.perf_counter() - started) * 1000)
        ours_answer.append(ask_timed(answering, [question])[0]["total"])
    return base_latency, ours_retrieval, ours_answer


def compare(label: str, ours_value: Any, base_value: Any, digits: int = 1) -> list[str]:
    return [
        label,
        fmt(ours_value, digits),
        fmt(base_value, digits),
        fmt(ratio(ours_value, base_value), 2),
    ]


def print_baseline(figures: dict[str, Any], paragraphs: int) -> None:
    base, mine, questions = figures["baseline"], figures["ours"], figures["questions"]
    ours_recall, base_recall = mine["recall_at_5"], base["recall_at_5"]
    dense_recall = mine["dense_only_recall_at_5"]
    base_p50, base_p95 = base["query_ms_k4"]["p50"], base["query_ms_k4"]["p95"]
    rows = [
        compare("recall@5 ar-ar", ours_recall["ar-ar"], base_recall["ar-ar"], 3),
        compare("recall@5 en-ar", ours_recall["en-ar"], base_recall["en-ar"], 3),
        compare("ingest texts/s", mine["texts_per_s"], base["texts_per_s"]),
        compare("query p50 ms (ours: retrieval)", mine["retrieval_ms"]["p50"], base_p50),
    ]
    extra = [
        compare("recall@5 ar-ar, ours dense only", dense_recall["ar-ar"], base_recall["ar-ar"], 3),
        compare("recall@5 en-ar, ours dense only", dense_recall["en-ar"], base_recall["en-ar"], 3),
        compare("ingest tokens/s", mine["tokens_per_s"], base["tokens_per_s"], 0),
        compare("ingest seconds, end to end", mine["ingest_seconds"], base["ingest_seconds"]),
        compare("query p95 ms (ours: retrieval)", mine["retrieval_ms"]["p95"], base_p95),
        compare("query p50 ms (ours: full answer)", mine["answer_ms"]["p50"], base_p50),
        compare("query p95 ms (ours: full answer)", mine["answer_ms"]["p95"], base_p95),
    ]
    print(
        f"  baseline: RecursiveCharacterTextSplitter(1000, 200) over {paragraphs} "
        f"XQuAD Arabic paragraphs -> {base['chunks']} chunks, HuggingFaceEmbeddings on "
        f"{base['model_dir']} (no e5 prompts), FAISS.from_documents; model load "
        f"{base['model_load_seconds']:.1f} s (not in ingest)"
    )
    print(
        f"  ours: hybrid retriever on the section-2 index of the same paragraphs "
        f"({mine['chunks']} chunks + answer sentences)"
    )
    print(
        f"  recall@5 over {questions['ar-ar']} ar-ar and {questions['en-ar']} en-ar "
        f"questions (unique passage ids of the top 5 hits); latency over "
        f"{figures['latency_questions']} mixed questions, baseline similarity_search(k=4), "
        "ours a fresh query cache"
    )
    print(table(HEADERS, rows))
    print("  more detail:")
    print(table(HEADERS, extra))
    print(
        "  texts/s: ours embeds chunks and answer sentences (short texts), the baseline "
        "whole ~1000-char chunks; tokens/s compares work done."
    )
