"""Benchmark FAISS index types on synthetic clustered 384-dim vectors, by corpus size.

Usage: python -m bench.faiss_scale [--sizes 100000 1000000] [--queries 1000] [--quick]

Why synthetic clusters, not uniform noise: uniform random 384-d vectors have no neighborhood
structure (all distances are nearly equal), which makes every ANN index look bad and says nothing
about news embeddings. The data here is a seeded mixture of Gaussian "topics" in a 64-dim latent
space with uneven topic sizes, projected to 384 dims, plus isotropic noise, then L2-normalized.
Queries come from the same distribution but are held out (never in the base set).

Per size and index type it reports build time (with all threads), index memory (bytes of
`faiss.serialize_index` and the process RSS delta during the build), recall@10 against exact
`Flat` results, and p50/p95 latency of single-query searches with ONE FAISS thread (as a server
handling concurrent users would run), then which spec `choose_ann_spec` picks and whether it meets
the targets: recall@10 >= 0.95, p50 <= 5 ms, memory <= 1 GB.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import time
from dataclasses import dataclass

# Idle OpenMP threads sleep instead of spinning: on a small shared machine (here 2 cores, other
# jobs running) spinning workers make FAISS training several times slower. Must precede faiss.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import faiss
import numpy as np
import psutil

from bench.clustered_vectors import DIM, ClusteredData
from embeddings.index.faiss.ann import (
    AnnSpec,
    apply_search_params,
    build_ann_index,
    choose_ann_spec,
)

K = 10
TARGET_RECALL = 0.95
TARGET_P50_MS = 5.0
TARGET_MEMORY_BYTES = 1_000_000_000
MAX_FLAT_LATENCY_QUERIES = 200  # exact search at 1M is ~100+ ms per query; cap its timing loop


@dataclass(frozen=True)
class Candidate:
    spec: AnnSpec
    extra: tuple[tuple[str, float], ...] = ()  # more ParameterSpace settings (e.g. k_factor_rf)

    @property
    def params(self) -> str:
        parts = [f"nprobe={self.spec.nprobe}"] if self.spec.nprobe is not None else []
        if self.spec.ef_search is not None:
            parts.append(f"efSearch={self.spec.ef_search}")
        parts += [f"{name}={value:g}" for name, value in self.extra]
        return ",".join(parts) or "-"


def candidates(n: int) -> list[Candidate]:
    nlist = max(1, round(4 * math.sqrt(n)))
    out = [Candidate(AnnSpec("Flat"))]
    out += [Candidate(AnnSpec("HNSW32", ef_search=ef)) for ef in (64, 128)]
    out += [Candidate(AnnSpec("HNSW32,SQ8", ef_search=ef)) for ef in (64, 128)]
    out += [Candidate(AnnSpec(f"IVF{nlist},SQ8", nprobe=p)) for p in (16, 32, 64)]
    out += [Candidate(AnnSpec(f"IVF{nlist},PQ48x8", nprobe=p)) for p in (32,)]
    out += [Candidate(AnnSpec(f"IVF{nlist},PQ48x8,RFlat", nprobe=32), (("k_factor_rf", 4),))]
    chosen = Candidate(choose_ann_spec(n, DIM))
    if chosen not in out:
        out.append(chosen)
    return out


@dataclass
class Row:
    candidate: Candidate
    build_s: float
    serialized_bytes: int
    rss_delta_bytes: int
    recall: float
    p50_ms: float
    p95_ms: float
    n_timed: int

    @property
    def meets(self) -> bool:
        return (
            self.recall >= TARGET_RECALL
            and self.p50_ms <= TARGET_P50_MS
            and self.serialized_bytes <= TARGET_MEMORY_BYTES
        )


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True))
    return hits / truth.size


def time_single_queries(index: faiss.Index, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Search one query at a time on one thread; returns (ids, per-query ms)."""
    faiss.omp_set_num_threads(1)
    try:
        for q in queries[:5]:  # warm-up
            index.search(q[None, :], K)
        ids = np.empty((len(queries), K), dtype=np.int64)
        ms = np.empty(len(queries))
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            _, found = index.search(q[None, :], K)
            ms[i] = (time.perf_counter() - t0) * 1000
            ids[i] = found[0]
        return ids, ms
    finally:
        faiss.omp_set_num_threads(BUILD_THREADS)


def measure(
    index: faiss.Index,
    cand: Candidate,
    build_s: float,
    rss_delta: int,
    queries: np.ndarray,
    truth: np.ndarray,
) -> Row:
    apply_search_params(index, cand.spec)
    space = faiss.ParameterSpace()
    for name, value in cand.extra:
        space.set_index_parameter(index, name, value)
    n_timed = len(queries)
    if cand.spec.factory == "Flat":
        n_timed = min(n_timed, MAX_FLAT_LATENCY_QUERIES)
    ids, ms = time_single_queries(index, queries[:n_timed])
    return Row(
        candidate=cand,
        build_s=build_s,
        serialized_bytes=int(faiss.serialize_index(index).nbytes),
        rss_delta_bytes=rss_delta,
        recall=recall_at_k(ids, truth[:n_timed]),
        p50_ms=float(np.percentile(ms, 50)),
        p95_ms=float(np.percentile(ms, 95)),
        n_timed=n_timed,
    )


def run_size(data: ClusteredData, n: int, n_queries: int) -> list[Row]:
    t0 = time.perf_counter()
    base = data.sample(n, seed=1)
    queries = data.sample(n_queries, seed=2)
    print(
        f"\n== n={n:,} dim={DIM} queries={n_queries} (data generated in "
        f"{time.perf_counter() - t0:.1f} s)",
        flush=True,
    )

    exact = faiss.IndexFlatIP(DIM)
    exact.add(base)
    scores, truth = exact.search(queries, K)
    del exact
    sample = np.random.default_rng(3).choice(n, size=(min(n_queries, 1000), 2))
    random_cos = np.einsum("ij,ij->i", base[sample[:, 0]], base[sample[:, 1]])
    print(
        f"   cosine: 1st neighbor mean {scores[:, 0].mean():.3f}, 10th neighbor mean "
        f"{scores[:, K - 1].mean():.3f}, random pair mean {random_cos.mean():.3f}",
        flush=True,
    )

    rows: list[Row] = []
    by_factory: dict[str, list[Candidate]] = {}
    for cand in candidates(n):
        by_factory.setdefault(cand.spec.factory, []).append(cand)
    proc = psutil.Process()
    for factory, cands in by_factory.items():
        gc.collect()
        rss0 = proc.memory_info().rss
        t0 = time.perf_counter()
        index = build_ann_index(base, cands[0].spec)
        build_s = time.perf_counter() - t0
        rss_delta = proc.memory_info().rss - rss0
        for cand in cands:
            row = measure(index, cand, build_s, rss_delta, queries, truth)
            rows.append(row)
            print(
                f"   done {factory} {cand.params}: build {build_s:.1f} s, "
                f"recall {row.recall:.3f}, p50 {row.p50_ms:.2f} ms",
                flush=True,
            )
        del index
    return rows


def print_table(n: int, rows: list[Row]) -> None:
    header = [
        "index",
        "params",
        "build_s",
        "ser_MB",
        "rssΔ_MB",
        "recall@10",
        "p50_ms",
        "p95_ms",
        "timed_q",
        "meets",
    ]
    lines = [
        [
            r.candidate.spec.factory,
            r.candidate.params,
            f"{r.build_s:.1f}",
            f"{r.serialized_bytes / 1e6:.0f}",
            f"{r.rss_delta_bytes / 1e6:.0f}",
            f"{r.recall:.4f}",
            f"{r.p50_ms:.3f}",
            f"{r.p95_ms:.3f}",
            str(r.n_timed),
            "yes" if r.meets else "no",
        ]
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(header, *lines, strict=True)]
    print(f"\nn={n:,}  (latency: 1 FAISS thread, single queries; build: {BUILD_THREADS} threads)")
    for i, line in enumerate([header, *lines]):
        print(
            "  ".join(
                x.ljust(w) if j < 2 else x.rjust(w)
                for j, (x, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
    chosen = choose_ann_spec(n, DIM)
    row = next(r for r in rows if r.candidate == Candidate(chosen))
    verdict = "MEETS" if row.meets else "DOES NOT MEET"
    print(
        f"choose_ann_spec({n}, {DIM}) -> {chosen.as_dict()}: {verdict} targets "
        f"(recall@10 >= {TARGET_RECALL}, p50 <= {TARGET_P50_MS} ms, "
        f"memory <= {TARGET_MEMORY_BYTES / 1e9:g} GB)",
        flush=True,
    )


BUILD_THREADS = faiss.omp_get_max_threads()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="20k vectors, 200 queries")
    args = parser.parse_args(argv)
    sizes, n_queries = ([20_000], 200) if args.quick else (args.sizes, args.queries)
    print(
        f"faiss {faiss.__version__}, {psutil.cpu_count()} cpus, build threads {BUILD_THREADS}, "
        f"search threads 1"
    )
    data = ClusteredData()
    t0 = time.perf_counter()
    for n in sizes:
        print_table(n, run_size(data, n, n_queries))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
