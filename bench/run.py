"""Benchmark suite: model load, ingest throughput, query latency, memory, cold start, a
plain LangChain baseline with the same model, and cold start and RSS per embedding backend.
See bench/README.md for what each figure means.

Usage: python -m bench.run [--quick] [--json OUT]

Everything it builds goes to one temporary folder that is removed at the end, also on errors.
Measurements that need a fresh process (cold model load, the app process on the large index,
cold start of the CLI) run in subprocesses; this script re-invokes itself with a hidden
`--worker` argument for the first two.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eval.datasets import SHARED_EVAL_DIR

ROOT = Path(__file__).resolve().parent.parent

XQUAD_AR = SHARED_EVAL_DIR / "xquad" / "xquad.ar.json"
XQUAD_EN = SHARED_EVAL_DIR / "xquad" / "xquad.en.json"
SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"

FULL = {"paragraphs": 240, "big_chunks": 10_000, "big_questions": 100, "recall_questions": None}
QUICK = {"paragraphs": 30, "big_chunks": 2_000, "big_questions": 20, "recall_questions": 50}
REPLICA_NOISE = 0.01
INGEST_ROUNDS = 2
SEED = 13
PARTS = ("embed", "search", "answer", "verify")
MB = 1024 * 1024


# -- small helpers ------------------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def p50_p95(values: Sequence[float]) -> dict[str, float | None]:
    """`latency_summary` and the count; None figures when there are no values."""
    from eval.metrics import latency_summary

    summary = latency_summary(list(values)) if values else dict.fromkeys(("p50", "p95", "mean"))
    return {**summary, "n": len(values)}


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(ours: float | None, baseline: float | None) -> float | None:
    return ours / baseline if ours is not None and baseline else None


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return indent + "  ".join([first, *rest]).rstrip()

    rule = indent + "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / MB


def peak_rss_mb() -> float:
    """High-water mark of this process's resident memory (VmHWM; ru_maxrss as a fallback)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(kind: str, *args: str, out: Path) -> tuple[dict[str, Any], float]:
    """Run this script as a fresh process; returns its JSON result and launch-to-exit seconds."""
    command = [sys.executable, "-m", "bench.run", "--worker", kind, str(out), *args]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"worker '{kind}' exited with {done.returncode}:\n{tail}")
    return json.loads(out.read_text(encoding="utf-8")), wall


# -- workers (fresh processes) ------------------------------------------------------------------


def worker_load(out: Path) -> None:
    """A cold model load: import, materialized-folder check, SentenceTransformer construction."""
    started = time.perf_counter()
    from embeddings.model import Embedder

    imported = time.perf_counter()
    embedder = Embedder()
    embedder.warm_up()
    result = {
        "import_seconds": imported - started,
        "load_seconds": embedder.load_seconds,
        "rss_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }
    out.write_text(json.dumps(result), encoding="utf-8")


def ask_timed(pipeline: Any, questions: Sequence[str]) -> list[dict[str, float]]:
    rows = []
    for question in questions:
        started = time.perf_counter()
        answer = pipeline.ask(question)
        total = (time.perf_counter() - started) * 1000
        rows.append({"total": total, **{part: answer.timings_ms.get(part, 0.0) for part in PARTS}})
    return rows


def worker_query(out: Path, index_dir: str, questions_file: str) -> None:
    """The app process on an index: load it, answer every question twice, report memory."""
    started = time.perf_counter()
    from rag.config import load_settings
    from rag.pipeline import Pipeline

    questions = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    pipeline = Pipeline.from_settings(load_settings(index_dir=Path(index_dir)))
    pipeline.embedder.embed_queries(["warm-up"])  # the model is loaded and has run once
    ready = time.perf_counter() - started
    rss_ready = rss_mb()
    cold = ask_timed(pipeline, questions)
    warm = ask_timed(pipeline, questions)
    result = {
        "ready_seconds": ready,
        "rss_ready_mb": rss_ready,
        "cold": cold,
        "warm": warm,
        "rss_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }
    out.write_text(json.dumps(result), encoding="utf-8")


WORKERS: dict[str, Callable[..., None]] = {"load": worker_load, "query": worker_query}


# -- the suite ----------------------------------------------------------------------------------


class Bench:
    def __init__(self, quick: bool, workdir: Path) -> None:
        self.quick = quick
        self.sizes = QUICK if quick else FULL
        self.workdir = workdir
        self.results: dict[str, Any] = {"quick": quick, "sizes": dict(self.sizes)}
        self.failed: list[str] = []
        # Filled in as sections run; later sections check what they need.
        self.embedder: Any = None
        self.settings: Any = None
        self.passages: list[Any] = []
        self.questions: dict[str, list[Any]] = {}
        self.xquad_index: Any = None
        self.seed_dir: Path | None = None
        self.mixed_questions: list[str] = []

    @contextmanager
    def section(self, key: str, title: str) -> Iterator[None]:
        print(f"\n== {title} ==", flush=True)
        started = time.perf_counter()
        try:
            yield
        except Exception as error:
            self.failed.append(key)
            self.results.setdefault(key, {})["error"] = f"{type(error).__name__}: {error}"
            print(f"  FAILED: {type(error).__name__}: {error}")
            traceback.print_exc(limit=3, file=sys.stderr)
        seconds = time.perf_counter() - started
        self.results.setdefault(key, {})["section_seconds"] = seconds
        print(f"  (section took {seconds:.1f} s)", flush=True)

    def require(self, *names: str) -> None:
        missing = [name for name in names if not getattr(self, name)]
        if missing:
            raise RuntimeError(f"skipped: an earlier section did not produce {', '.join(missing)}")

    # -- header --

    def header(self) -> None:
        import torch

        from rag.config import load_settings
        from rag.pipeline import embedder_for

        cpus = os.cpu_count()
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
        info = {
            "cpus": cpus,
            "usable_cpus": usable,
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "loadavg_start": loadavg(),
            "nice": os.nice(0),
        }
        self.results["machine"] = info
        mode = "QUICK (tiny sizes)" if self.quick else "FULL"
        print(f"bench: Arabic-news RAG benchmark, {mode}")
        print(
            f"machine: {cpus} CPUs ({usable} usable), torch {torch.__version__} with "
            f"{info['torch_threads']} threads, Python {info['python']}, "
            f"load average {info['loadavg_start']}, nice {info['nice']}"
        )
        print(f"sizes: {self.sizes}")
        self.settings = load_settings()
        self.embedder = embedder_for(self.settings)

    # -- 1 --

    def model_load(self) -> None:
        result, wall = run_worker("load", out=self.workdir / "load.json")
        result["process_seconds"] = wall
        self.results["model_load"] = result
        print(
            table(
                ["figure", "value"],
                [
                    ["process launch to exit (s)", fmt(wall, 2)],
                    ["  imports before load (s)", fmt(result["import_seconds"], 2)],
                    ["  Embedder.warm_up() (s)", fmt(result["load_seconds"], 2)],
                    ["RSS after load (MB)", fmt(result["rss_mb"], 0)],
                    ["peak RSS (MB)", fmt(result["peak_rss_mb"], 0)],
                ],
            )
        )
        print("  note: a fresh process; the OS file cache may already hold the weights.")
        # The rest of the suite uses a model loaded (and run once) in this process.
        self.embedder.warm_up()
        self.embedder.embed_passages(["warm-up"])

    # -- 2 --

    def ingest_encoders(self) -> dict[str, Any]:
        """The configured encoder, and fp32 torch and int8 ONNX when the model has them, so
        each ingest is compared with the fp32 one in the same run."""
        from embeddings.backend.packaged import PACKAGED_MODEL
        from embeddings.model import BACKENDS, Embedder

        encoders = {self.settings.embedding_backend: self.embedder}
        backends = BACKENDS if self.settings.model == PACKAGED_MODEL else ("torch",)
        for backend in backends:
            encoders.setdefault(backend, Embedder(self.settings.model, backend=backend))
        for embedder in encoders.values():
            embedder.warm_up()
            embedder.embed_passages(["warm-up"])
        return dict(sorted(encoders.items(), key=lambda item: item[0] != "torch"))

    def ingest_throughput(self) -> None:
        from embeddings.faiss_index import FaissIndex
        from embeddings.ingest import ingest_articles
        from eval.datasets import load_squad
        from eval.runner import passage_articles

        self.require("embedder")
        ar = load_squad(XQUAD_AR)
        en = load_squad(XQUAD_AR, XQUAD_EN)
        self.passages = ar.passages[: self.sizes["paragraphs"]]
        kept = {p.id for p in self.passages}
        self.questions = {
            "ar": [q for q in ar.questions if set(q.gold_ids) & kept],
            "en": [q for q in en.questions if set(q.gold_ids) & kept],
        }
        encoders = self.ingest_encoders()
        articles = passage_articles(self.passages)
        # Encoders take turns and the best round counts, so a burst of load from other jobs on
        # a shared machine slows both alike rather than favouring one.
        best: dict[str, Any] = {}
        for round_ in range(1, INGEST_ROUNDS + 1):
            for backend, embedder in encoders.items():
                report = ingest_articles(
                    articles,
                    self.workdir / f"xquad-index-{backend}",
                    embedder,
                    self.settings.chunker,
                    rebuild=True,
                )
                if backend not in best or report.embed_seconds < best[backend].embed_seconds:
                    best[backend] = report
                print(
                    f"  round {round_} {backend:9s} {report.embed_seconds:6.1f} s embedding, "
                    f"load average {loadavg()}"
                )
        self.xquad_index = FaissIndex.load(
            self.workdir / f"xquad-index-{self.settings.embedding_backend}"
        )
        reference = best["torch"].embed_seconds
        results: dict[str, Any] = {}
        for backend, report in best.items():
            texts = report.embedded_chunks + report.embedded_sentences
            seconds = report.embed_seconds
            results[backend] = {
                "paragraphs": len(self.passages),
                "chunks": report.embedded_chunks,
                "sentences": report.embedded_sentences,
                "texts": texts,
                "tokens": report.embedded_tokens,
                "embed_seconds": seconds,
                "seconds": report.seconds,
                "chunks_per_s": report.embedded_chunks / seconds,
                "sentences_per_s": report.embedded_sentences / seconds,
                "texts_per_s": texts / seconds,
                "tokens_per_s": report.embedded_tokens / seconds,
                "speedup_vs_fp32": reference / seconds,
            }
        self.results["ingest"] = {
            **results[self.settings.embedding_backend],
            "backend": self.settings.embedding_backend,
            "by_backend": results,
            "rounds": INGEST_ROUNDS,
            "loadavg_end": loadavg(),
        }
        first = next(iter(results.values()))
        print(
            f"  XQuAD Arabic: {first['paragraphs']} paragraphs -> {first['chunks']} chunks "
            f"+ {first['sentences']} answer sentences = {first['texts']} texts, "
            f"{first['tokens']:,} tokens (rebuild, temp index); best of {INGEST_ROUNDS} rounds"
        )
        print(
            table(
                ["encoder", "chunks/s", "texts/s", "tokens/s", "embed s", "total s", "vs fp32"],
                [
                    [
                        backend
                        + (" (configured)" if backend == self.settings.embedding_backend else ""),
                        fmt(r["chunks_per_s"]),
                        fmt(r["texts_per_s"]),
                        fmt(r["tokens_per_s"], 0),
                        fmt(r["embed_seconds"], 2),
                        fmt(r["seconds"], 2),
                        f"{r['speedup_vs_fp32']:.2f}x",
                    ]
                    for backend, r in results.items()
                ],
            )
        )
        print(
            "  rates are over embedding time; total adds chunking, token counts and saving. "
            f"Load average at end {loadavg()}."
        )

    # -- 3 --

    def latency_rows(
        self, label: str, runs: dict[str, list[dict[str, float]]]
    ) -> tuple[dict[str, Any], list[list[str]]]:
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

    LATENCY_HEADERS = (
        "run",
        "n",
        *[f"{key} {q}" for key in ("total", *PARTS) for q in ("p50", "p95")],
    )

    def query_latency(self) -> None:
        from embeddings.faiss_index import FaissIndex
        from embeddings.ingest import ingest
        from eval.datasets import load_seed_qa
        from rag.pipeline import Pipeline

        self.require("embedder")
        latency: dict[str, Any] = {}
        rows: list[list[str]] = []

        # (a) the seed corpus, in this process.
        self.seed_dir = self.workdir / "seed-index"
        report = ingest(
            self.settings.corpus_dir,
            self.seed_dir,
            self.embedder,
            self.settings.chunker,
            rebuild=True,
        )
        seed_index = FaissIndex.load(self.seed_dir)
        seed_questions = [q.question for q in load_seed_qa(SEED_QA)]
        pipeline = Pipeline(self.settings, self.embedder, seed_index)
        runs = {"cold": ask_timed(pipeline, seed_questions)}
        runs["warm"] = ask_timed(pipeline, seed_questions)
        summary, seed_rows = self.latency_rows("seed", runs)
        latency["seed"] = {
            "articles": report.articles,
            "chunks": report.chunks,
            "questions": len(seed_questions),
            **summary,
        }
        rows += seed_rows

        # (b) a large index replicated from the XQuAD one, in a fresh app process.
        self.require("xquad_index")
        big_dir = self.workdir / "replicated-index"
        big = replicate_index(self.xquad_index, self.sizes["big_chunks"], REPLICA_NOISE, SEED)
        big.save(big_dir)
        self.mixed_questions = self.mixed_sample(self.sizes["big_questions"])
        questions_file = self.workdir / "mixed-questions.json"
        questions_file.write_text(json.dumps(self.mixed_questions, ensure_ascii=False), "utf-8")
        result, wall = run_worker(
            "query", str(big_dir), str(questions_file), out=self.workdir / "query.json"
        )
        summary, big_rows = self.latency_rows(
            f"{len(big.chunks) // 1000}k", {"cold": result["cold"], "warm": result["warm"]}
        )
        latency["replicated"] = {
            "chunks": len(big.chunks),
            "sentences": len(big.sentences),
            "articles": len(big.manifest.articles),
            "source_chunks": len(self.xquad_index.chunks),
            "ann": big.manifest.ann,
            "noise_sigma": REPLICA_NOISE,
            "questions": len(self.mixed_questions),
            "ready_seconds": result["ready_seconds"],
            "process_seconds": wall,
            **summary,
        }
        rows += big_rows
        self.results["latency"] = latency
        self.results["memory"] = {
            "rss_ready_mb": result["rss_ready_mb"],
            "rss_after_answers_mb": result["rss_mb"],
            "peak_rss_mb": result["peak_rss_mb"],
            "index_chunks": len(big.chunks),
        }
        n_ar = (len(self.mixed_questions) + 1) // 2  # mixed_sample alternates, Arabic first
        print(
            f"  (a) seed index: {report.articles} articles, {report.chunks} chunks, "
            f"{len(seed_questions)} seed questions, in this process\n"
            f"  (b) REPLICATED index: {len(big.chunks):,} chunks / {len(big.sentences):,} "
            f"sentences / {len(big.manifest.articles):,} articles, made by copying the "
            f"{len(self.xquad_index.chunks)}-chunk XQuAD index with new article ids and "
            f"N(0, {REPLICA_NOISE}) noise on each copy's vectors (re-normalized), not by "
            f"embedding new text; ANN {big.manifest.ann.get('factory')}; "
            f"{len(self.mixed_questions)} XQuAD questions ({n_ar} ar, "
            f"{len(self.mixed_questions) - n_ar} en) in a fresh app process "
            f"(ready in {result['ready_seconds']:.1f} s)"
        )
        print("  cold = first pass (empty query cache), warm = same questions again; ms")
        print(table(self.LATENCY_HEADERS, rows))
        print("  total = wall time of Pipeline.ask; parts from answer.timings_ms")

    def mixed_sample(self, n: int) -> list[str]:
        """n questions, half Arabic and half English, distinct question ids, interleaved."""
        rng = random.Random(SEED)
        ids = sorted({q.id for q in self.questions["ar"]})
        rng.shuffle(ids)
        ar = {q.id: q.question for q in self.questions["ar"]}
        en = {q.id: q.question for q in self.questions["en"]}
        mixed = []
        for position, question_id in enumerate(ids[:n]):
            mixed.append((ar if position % 2 == 0 else en)[question_id])
        return mixed

    # -- 4 --

    def memory(self) -> None:
        memory = self.results.get("memory")
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

    # -- 5 --

    def cold_start(self) -> None:
        from eval.datasets import load_seed_qa

        self.require("seed_dir")
        question = next(q.question for q in load_seed_qa(SEED_QA) if q.lang == "ar")
        command = [sys.executable, "-m", "rag", "ask", question, "--index", str(self.seed_dir)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-10:])
            raise RuntimeError(f"`python -m rag ask` exited with {done.returncode}:\n{tail}")
        first_line = next((line for line in done.stdout.splitlines() if line.strip()), "")
        self.results["cold_start"] = {"seconds": seconds, "question": question}
        print(f'  python -m rag ask "{question}" --index <seed index>')
        print(table(["figure", "value"], [["launch to exit (s)", fmt(seconds, 2)]]))
        print(f"  first output line: {first_line[:100]}")

    # -- 6 --

    def baseline(self) -> None:
        import transformers

        with warnings.catch_warnings():  # its sunset notice; FAISS is what the brief names
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from embeddings.backend.packaged import packaged_model_dir
        from eval.metrics import RankedGold, retrieval_metrics
        from eval.runner import rankings
        from rag.pipeline import Pipeline

        self.require("embedder", "xquad_index", "passages")
        self.embedder.warm_up()
        model_dir = packaged_model_dir(self.settings.cache_dir)
        limit = self.sizes["recall_questions"]
        sets = {
            "ar-ar": self.questions["ar"][:limit] if limit else self.questions["ar"],
            "en-ar": self.questions["en"][:limit] if limit else self.questions["en"],
        }
        latency_questions = self.mixed_questions or self.mixed_sample(self.sizes["big_questions"])

        # The plain baseline.
        transformers.logging.set_verbosity_error()  # the packaged checkpoint has no pooler
        started = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(
            model_name=str(model_dir),
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True},
        )
        load_seconds = time.perf_counter() - started
        documents = [
            Document(page_content=p.text, metadata={"passage_id": p.id}) for p in self.passages
        ]
        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        splits = splitter.split_documents(documents)
        store = FAISS.from_documents(splits, embeddings)
        ingest_seconds = time.perf_counter() - started
        base_tokens = sum(self.embedder.count_tokens(d.page_content) for d in splits)

        def baseline_ranked(question: str) -> list[str]:
            return [d.metadata["passage_id"] for d in store.similarity_search(question, k=5)]

        def recall_at_5(pairs: list[RankedGold]) -> float:
            return retrieval_metrics(pairs)["recall@5"]

        base_recall = {
            name: recall_at_5([(baseline_ranked(q.question), q.gold_ids) for q in qs])
            for name, qs in sets.items()
        }
        print(f"  ... baseline indexed in {ingest_seconds:.1f} s and scored", flush=True)

        # Ours, on the index of the same paragraphs built in section 2.
        ingest = self.results.get("ingest", {})
        ours = Pipeline(self.settings, self.embedder, self.xquad_index)
        ours_recall: dict[str, float] = {}
        dense_recall: dict[str, float] = {}
        for name, qs in sets.items():
            ranked = [(rankings(ours.ask(q.question)), q.gold_ids) for q in qs]
            ours_recall[name] = recall_at_5([(r["hybrid"], gold) for r, gold in ranked])
            dense_recall[name] = recall_at_5([(r["dense"], gold) for r, gold in ranked])
        print("  ... our retriever scored", flush=True)
        # Latency, interleaved per question so that load changes on a shared machine hit all
        # three alike; our two pipelines are fresh, so no query is cached.
        retrieving = Pipeline(self.settings, self.embedder, self.xquad_index)
        answering = Pipeline(self.settings, self.embedder, self.xquad_index)
        base_latency: list[float] = []
        ours_retrieval: list[float] = []
        ours_answer: list[float] = []
        for question in latency_questions:
            started = time.perf_counter()
            store.similarity_search(question, k=4)
            base_latency.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            retrieving.retriever.invoke(question)
            ours_retrieval.append((time.perf_counter() - started) * 1000)
            ours_answer.append(ask_timed(answering, [question])[0]["total"])

        base = {
            "model_dir": str(model_dir),
            "model_load_seconds": load_seconds,
            "chunks": len(splits),
            "tokens": base_tokens,
            "ingest_seconds": ingest_seconds,
            "chunks_per_s": len(splits) / ingest_seconds,
            "texts_per_s": len(splits) / ingest_seconds,
            "tokens_per_s": base_tokens / ingest_seconds,
            "query_ms_k4": p50_p95(base_latency),
            "recall_at_5": base_recall,
        }
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
        questions = {name: len(qs) for name, qs in sets.items()}

        def compare(label: str, ours_value: Any, base_value: Any, digits: int = 1) -> list[str]:
            return [
                label,
                fmt(ours_value, digits),
                fmt(base_value, digits),
                fmt(ratio(ours_value, base_value), 2),
            ]

        base_p50, base_p95 = base["query_ms_k4"]["p50"], base["query_ms_k4"]["p95"]
        rows = [
            compare("recall@5 ar-ar", ours_recall["ar-ar"], base_recall["ar-ar"], 3),
            compare("recall@5 en-ar", ours_recall["en-ar"], base_recall["en-ar"], 3),
            compare("ingest texts/s", mine["texts_per_s"], base["texts_per_s"]),
            compare("query p50 ms (ours: retrieval)", mine["retrieval_ms"]["p50"], base_p50),
        ]
        extra = [
            compare(
                "recall@5 ar-ar, ours dense only", dense_recall["ar-ar"], base_recall["ar-ar"], 3
            ),
            compare(
                "recall@5 en-ar, ours dense only", dense_recall["en-ar"], base_recall["en-ar"], 3
            ),
            compare("ingest tokens/s", mine["tokens_per_s"], base["tokens_per_s"], 0),
            compare("ingest seconds, end to end", mine["ingest_seconds"], base["ingest_seconds"]),
            compare("query p95 ms (ours: retrieval)", mine["retrieval_ms"]["p95"], base_p95),
            compare("query p50 ms (ours: full answer)", mine["answer_ms"]["p50"], base_p50),
            compare("query p95 ms (ours: full answer)", mine["answer_ms"]["p95"], base_p95),
        ]
        self.results["baseline"] = {
            "questions": questions,
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
        print(
            f"  baseline: RecursiveCharacterTextSplitter(1000, 200) over {len(self.passages)} "
            f"XQuAD Arabic paragraphs -> {len(splits)} chunks, HuggingFaceEmbeddings on "
            f"{model_dir} (no e5 prompts), FAISS.from_documents; model load "
            f"{load_seconds:.1f} s (not in ingest)"
        )
        print(
            f"  ours: hybrid retriever on the section-2 index of the same paragraphs "
            f"({mine['chunks']} chunks + answer sentences)"
        )
        print(
            f"  recall@5 over {questions['ar-ar']} ar-ar and {questions['en-ar']} en-ar "
            f"questions (unique passage ids of the top 5 hits); latency over "
            f"{len(latency_questions)} mixed questions, baseline similarity_search(k=4), "
            "ours a fresh query cache"
        )
        print(table(["figure", "ours", "baseline", "ours/baseline"], rows))
        print("  more detail:")
        print(table(["figure", "ours", "baseline", "ours/baseline"], extra))
        print(
            "  texts/s: ours embeds chunks and answer sentences (short texts), the baseline "
            "whole ~1000-char chunks; tokens/s compares work done."
        )

    # -- 7 --

    def startup(self) -> None:
        from bench.startup import BACKENDS, measure, report

        count = self.sizes["big_questions"]
        results = measure(BACKENDS, self.workdir / "startup", INGEST_ROUNDS, count)
        self.results["startup"] = results
        print(report(results))


def replicate_index(source: Any, target_chunks: int, sigma: float, seed: int) -> Any:
    """A `target_chunks`-chunk index made of copies of `source` under new article ids.

    Copy 0 is the source itself; every further copy gets ids `<id>~r<copy>` and its chunk and
    sentence vectors get seeded N(0, sigma) noise and are re-normalized, so no two copies are
    identical. No text is embedded. The last copy is cut at exactly `target_chunks` chunks.
    """
    import numpy as np

    from embeddings.faiss_index import FaissIndex
    from embeddings.index import Sentence
    from embeddings.store import ArticleRecord, Manifest

    if not source.chunks:
        raise ValueError("cannot replicate an empty index")
    rng = np.random.default_rng(seed)
    copies = math.ceil(target_chunks / len(source.chunks))

    def noisy(vectors: np.ndarray) -> np.ndarray:
        moved = vectors + rng.normal(0.0, sigma, vectors.shape).astype(np.float32)
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        return (moved / np.maximum(norms, 1e-12)).astype(np.float32)

    chunks, chunk_vectors, sentences, sentence_vectors = [], [], [], []
    for copy in range(copies):

        def rename(article_id: str, copy: int = copy) -> str:
            return article_id if copy == 0 else f"{article_id}~r{copy:03d}"

        chunks += [
            dataclasses.replace(
                c, id=f"{rename(c.article_id)}:{c.start}-{c.end}", article_id=rename(c.article_id)
            )
            for c in source.chunks
        ]
        sentences += [Sentence(rename(s.article_id), s.start, s.end) for s in source.sentences]
        chunk_vectors.append(source.vectors if copy == 0 else noisy(source.vectors))
        sentence_vectors.append(
            source.sentence_vectors if copy == 0 else noisy(source.sentence_vectors)
        )
    chunks = chunks[:target_chunks]
    vectors = np.concatenate(chunk_vectors)[:target_chunks]
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.article_id] = counts.get(chunk.article_id, 0) + 1
    all_sentence_vectors = np.concatenate(sentence_vectors)
    rows = [row for row, s in enumerate(sentences) if s.article_id in counts]
    old = source.manifest
    records = {}
    for article_id, count in counts.items():
        original = old.articles[article_id.split("~r", 1)[0]]
        records[article_id] = ArticleRecord(**{**dataclasses.asdict(original), "chunks": count})
    manifest = Manifest(
        model_id=old.model_id,
        weights_sha256=old.weights_sha256,
        dimension=old.dimension,
        chunker=dict(old.chunker),
        articles=records,
        ann={},
    )
    return FaissIndex.build(
        manifest, chunks, vectors, [sentences[r] for r in rows], all_sentence_vectors[rows]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for development")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write all figures to OUT")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, out, *rest = args.worker
        WORKERS[kind](Path(out), *rest)
        return 0

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    bench = Bench(args.quick, workdir)
    try:
        with bench.section("setup", "0. Machine"):
            bench.header()
        with bench.section("model_load", "1. Model load (cold, fresh process)"):
            bench.model_load()
        with bench.section("ingest", "2. Ingest throughput (XQuAD Arabic paragraphs)"):
            bench.ingest_throughput()
        with bench.section("latency", "3. Query latency"):
            bench.query_latency()
        with bench.section("memory", "4. Peak memory of the app process"):
            bench.memory()
        with bench.section("cold_start", "5. Cold start to first answer (CLI)"):
            bench.cold_start()
        with bench.section("baseline", "6. LangChain baseline, same model folder"):
            bench.baseline()
        with bench.section("startup", "7. Cold start and RSS per embedding backend"):
            bench.startup()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    bench.results["total_seconds"] = total
    bench.results["failed_sections"] = bench.failed
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(bench.results, indent=2, ensure_ascii=False), "utf-8")
        print(f"\nfigures written to {args.json}")
    if bench.failed:
        print(f"bench: sections failed: {', '.join(bench.failed)}")
    print(f"bench: done in {total:.0f} s")
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
