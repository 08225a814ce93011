"""Pick and build the FAISS index for the chunk vectors, by corpus size.

Why: exact search (`Flat`) reads every vector for every query, so its latency and memory grow
linearly with the corpus. At 1M 384-dim float32 vectors a flat index is 1.5 GB and a single query
takes ~80 ms on one core, which misses the serving targets (recall@10 >= 0.95 against exact,
p50 <= 5 ms per single query, <= 1 GB of index memory). Small corpora keep the exact index: it is
cheap there, needs no training and is always right. Larger corpora get the approximate index that
`bench/faiss_scale.py` measured to meet the targets (clustered synthetic data, 2 cores, search on
one thread):

    1M vectors        recall@10  p50 ms  index MB
    Flat                  1.000    79.5      1536
    HNSW32 ef=128         0.958     0.4      1808   too big
    HNSW32,SQ8 ef=128     0.934     0.4       656   recall too low
    IVF4000,SQ8 np=32     0.984     0.9       398   chosen
    IVF4000,PQ48 +RFlat   0.833     0.5      1599   too big, recall too low

SQ8 (1 byte per dimension) caps recall at ~0.985 on that data; nprobe 16..64 all reach it, 32
leaves margin for less clustered real data.

Vectors are L2-normalized, so inner product is cosine (`metric="ip"`). Ids are positional: row
`i` of the added matrix is id `i`; the caller keeps the row -> chunk mapping and rebuilds on
deletes, so no `IndexIDMap` wrapper is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import faiss
import numpy as np

from embeddings.index.manifest import AnnSettings

# Exact search while a single query scans at most this many float32 scalars (30k x 384 dims,
# 46 MB): measured p50 ~3 ms on one core of a busy 2-core box. At 50k (77 MB, out of CPU cache)
# it was 7-8 ms, over the 5 ms target; IVF-SQ8 just above the threshold: 0.2 ms, recall 0.98.
FLAT_MAX_SCALARS = 30_000 * 384
# At most this many vectors are used to train a quantizer (k-means / SQ ranges); seeded sample.
MAX_TRAIN_VECTORS = 100_000
TRAIN_SEED = 1234
# Approximate search parameters chosen by bench/faiss_scale.py (see `choose_ann_spec`).
IVF_LISTS_PER_SQRT_N = 4
IVF_NPROBE = 32

_METRICS = {"ip": faiss.METRIC_INNER_PRODUCT, "l2": faiss.METRIC_L2}


@dataclass(frozen=True)
class AnnSpec:
    """What to build: a `faiss.index_factory` string plus its search-time parameters."""

    factory: str
    metric: Literal["ip", "l2"] = "ip"
    nprobe: int | None = None
    ef_search: int | None = None

    def __post_init__(self) -> None:
        if self.metric not in _METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; expected one of {sorted(_METRICS)}")
        for name in ("nprobe", "ef_search"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")

    def as_dict(self) -> AnnSettings:
        return AnnSettings(
            factory=self.factory, metric=self.metric, nprobe=self.nprobe, ef_search=self.ef_search
        )

    @classmethod
    def from_dict(cls, data: AnnSettings | None) -> AnnSpec:
        """The spec a manifest recorded; ValueError for a manifest of an index never built."""
        if data is None:
            raise ValueError("the manifest records no search settings")
        return cls(
            factory=data["factory"],
            metric=data.get("metric", "ip"),
            nprobe=data.get("nprobe"),
            ef_search=data.get("ef_search"),
        )


def ivf_nlist(n_vectors: int) -> int:
    """Number of IVF lists: ~4*sqrt(n), at least 1."""
    return max(1, round(IVF_LISTS_PER_SQRT_N * math.sqrt(n_vectors)))


def choose_ann_spec(n_vectors: int, dim: int) -> AnnSpec:
    """Exact `Flat` for small corpora, the benchmarked approximate index otherwise."""
    if n_vectors < 0 or dim <= 0:
        raise ValueError(f"bad corpus shape: n_vectors={n_vectors}, dim={dim}")
    if n_vectors * dim <= FLAT_MAX_SCALARS:
        return AnnSpec(factory="Flat")
    return approximate_spec(n_vectors)


def approximate_spec(n_vectors: int) -> AnnSpec:
    """The approximate index `choose_ann_spec` uses above the exact-search threshold."""
    return AnnSpec(factory=f"IVF{ivf_nlist(n_vectors)},SQ8", nprobe=IVF_NPROBE)


def apply_search_params(index: faiss.Index, spec: AnnSpec) -> faiss.Index:
    """Set nprobe / efSearch on `index` (also after `faiss.read_index`); returns `index`."""
    params = faiss.ParameterSpace()
    if spec.nprobe is not None:
        params.set_index_parameter(index, "nprobe", spec.nprobe)
    if spec.ef_search is not None:
        params.set_index_parameter(index, "efSearch", spec.ef_search)
    return index


def _skip_polysemous_training(index: faiss.Index) -> None:
    """PQ indexes default to polysemous training (slow, ~10x the PQ k-means) that search never uses."""
    for sub in (index, faiss.try_extract_index_ivf(index)):
        if sub is not None:
            sub = faiss.downcast_index(sub)
            if hasattr(sub, "do_polysemous_training"):
                sub.do_polysemous_training = False


def build_ann_index(vectors: np.ndarray, spec: AnnSpec) -> faiss.Index:
    """Create, train (on a seeded sample of at most MAX_TRAIN_VECTORS) and fill an index."""
    if vectors.ndim != 2:
        raise ValueError(f"expected a 2-d matrix, got shape {vectors.shape}")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    index = faiss.index_factory(dim, spec.factory, _METRICS[spec.metric])
    _skip_polysemous_training(index)
    if not index.is_trained:
        if n > MAX_TRAIN_VECTORS:
            rows = np.random.default_rng(TRAIN_SEED).choice(n, MAX_TRAIN_VECTORS, replace=False)
            sample = vectors[np.sort(rows)]
        else:
            sample = vectors
        index.train(sample)
    index.add(vectors)
    return apply_search_params(index, spec)


def exact_search(
    vectors: np.ndarray, rows: list[int], queries: np.ndarray, k: int
) -> list[list[tuple[int, float]]]:
    """(row, inner product) of the best `k` of `rows` for each query: a filtered search compares
    the query with the admitted vectors alone, so nothing admitted is missed."""
    if not rows or k <= 0:
        return [[] for _ in range(len(queries))]
    candidates = np.asarray(rows)
    scores = queries @ vectors[candidates].T
    found = []
    for row_scores in scores:
        top = np.argsort(-row_scores, kind="stable")[:k]
        found.append([(int(candidates[i]), float(row_scores[i])) for i in top])
    return found
