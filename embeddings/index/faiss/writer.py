"""Ingest into a FAISS index: every write is a new version of `embeddings/index/faiss/store.py`, built from
the kept rows of the live one and the fresh rows, and swapped in atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.store import remove_stale_versions
from embeddings.index.manifest import IndexMissingError, Manifest
from embeddings.index.protocol import IndexChange

if TYPE_CHECKING:
    from embeddings.model.embedder import Embedder


class FaissWriter:
    """The `IndexWriter` of the FAISS index in `index_dir`."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        self.index_dir = index_dir
        self.embedder = embedder
        self.location = str(index_dir)
        self.notes: list[str] = []
        self._previous: FaissIndex | None = None

    def previous(self) -> Manifest | None:
        try:
            self._previous = FaissIndex.load_for(self.index_dir, self.embedder)
        except IndexMissingError:
            return None
        # Under the ingest lock: whatever an interrupted save left beside the live version goes.
        remove_stale_versions(self.index_dir)
        return self._previous.manifest

    def write(self, change: IndexChange) -> None:
        parts = [change.fresh]
        if not change.rebuild and self._previous is not None:
            # New articles have no rows in the previous version; changed ones are replaced.
            kept = (a for a in change.manifest.articles if a not in change.replaced)
            parts.insert(0, self._previous.rows_of(kept))
        FaissIndex.build(
            change.manifest,
            [chunk for part in parts for chunk in part.chunks],
            np.concatenate([part.chunk_vectors for part in parts]),
            [sentence for part in parts for sentence in part.sentences],
            np.concatenate([part.sentence_vectors for part in parts]),
        ).save(self.index_dir)
