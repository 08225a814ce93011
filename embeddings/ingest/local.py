"""Embedding in this process, the default `Embed` of an ingest: texts in order of length, so each
batch pads to similar lengths, in groups that report progress; and a terminal progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from embeddings.model.embedder import Embedder

EMBED_BATCH = 32
# Texts per progress update; large enough that length-sorted batches stay homogeneous.
PROGRESS_STEP = 256
Progress = Callable[[int, int], None]


def embed_passages_sorted(
    embedder: Embedder, texts: Sequence[str], progress: Progress | None = None
) -> np.ndarray:
    """Embed in order of length, so each batch pads to similar lengths, and restore the order."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for begin in range(0, len(order), PROGRESS_STEP):
        rows = order[begin : begin + PROGRESS_STEP]
        vectors[rows] = embedder.embed_passages([texts[i] for i in rows], batch_size=EMBED_BATCH)
        if progress is not None:
            progress(begin + len(rows), len(order))
    return vectors


@contextmanager
def progress_bar(desc: str, *, disable: bool = False) -> Iterator[Progress]:
    """A terminal progress bar for the embedding step, as a `Progress` callback."""
    from tqdm import tqdm

    with tqdm(total=0, unit="text", desc=desc, disable=disable) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield progress
