"""Synthetic stand-ins for news embeddings: seeded clustered unit vectors for the FAISS index
benchmark (`bench.faiss_scale`, whose docstring says why clusters and not uniform noise).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

DIM = 384


@dataclass(frozen=True)
class ClusteredData:
    """A seeded mixture of Gaussian clusters in a latent space, projected to `dim` and normalized."""

    dim: int = DIM
    latent_dim: int = 64
    n_clusters: int = 2000
    within_sigma: float = 0.6  # per latent dim; cluster centers are N(0, 1)
    noise_sigma: float = 0.35  # per output dim, relative to ~1.17 per-dim signal std
    seed: int = 0
    _centers: np.ndarray = field(init=False, repr=False)
    _weights: np.ndarray = field(init=False, repr=False)
    _projection: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        centers = rng.standard_normal((self.n_clusters, self.latent_dim), dtype=np.float32)
        weights = rng.lognormal(0.0, 1.0, self.n_clusters)  # uneven topic sizes
        projection = rng.standard_normal((self.latent_dim, self.dim), dtype=np.float32)
        projection /= np.float32(math.sqrt(self.latent_dim))
        object.__setattr__(self, "_centers", centers)
        object.__setattr__(self, "_weights", weights / weights.sum())
        object.__setattr__(self, "_projection", projection)

    def sample(self, n: int, seed: int, batch: int = 100_000) -> np.ndarray:
        out = np.empty((n, self.dim), dtype=np.float32)
        for start, rng in _batches(n, seed, batch):
            stop = min(n, start + batch)
            m = stop - start
            labels = rng.choice(self.n_clusters, size=m, p=self._weights)
            latent = self._centers[labels]
            latent += np.float32(self.within_sigma) * rng.standard_normal(
                (m, self.latent_dim), dtype=np.float32
            )
            x = latent @ self._projection
            x += np.float32(self.noise_sigma) * rng.standard_normal((m, self.dim), dtype=np.float32)
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            out[start:stop] = x
        return out


def _batches(n: int, seed: int, batch: int) -> Iterator[tuple[int, np.random.Generator]]:
    for i, start in enumerate(range(0, n, batch)):
        yield start, np.random.default_rng([seed, i])
