"""Ingest into a FAISS index: every write is a new version of `embeddings/index/faiss/store.py`,
built from the kept rows of the live one and the fresh rows, and swapped in atomically.

An update does not start over: the unchanged articles keep their rows, vectors and BM25
postings (nothing of them is tokenized or embedded again), and the trained FAISS indexes are
refilled rather than trained again while the corpus stays near the size they were trained for
(`reusable`). What an update read again is said in the ingest report's notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from corpus import search_tokens
from embeddings.index.faiss.ann import AnnSpec, choose_ann_spec
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.store import remove_stale_versions
from embeddings.index.faiss.tables import ARTICLE
from embeddings.index.lexical import Postings
from embeddings.index.manifest import AnnSettings, IndexMissingError, Manifest
from embeddings.index.protocol import IndexChange

if TYPE_CHECKING:
    from embeddings.model.embedder import Embedder

# A trained IVF index is refilled while the list count the corpus calls for stays within this
# factor of its own (about 1.56x the vectors it was trained for, either way); beyond, it is
# trained again.
IVF_REUSE_FACTOR = 1.25


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
            # In memory, not mapped: its FAISS indexes may be refilled for the new version.
            self._previous = FaissIndex.load_for(self.index_dir, self.embedder, mmap=False)
        except IndexMissingError:
            return None
        # Under the ingest lock: whatever an interrupted save left beside the live version goes.
        remove_stale_versions(self.index_dir)
        return self._previous.manifest

    def write(self, change: IndexChange) -> None:
        fresh = change.fresh
        previous = None if change.rebuild else self._previous
        if previous is None:
            FaissIndex.build(
                change.manifest,
                fresh.chunks,
                fresh.chunk_vectors,
                fresh.sentences,
                fresh.sentence_vectors,
            ).save(self.index_dir)
            return
        tables = previous.tables
        gone = [tables.articles.row_of(article_id) for article_id in change.replaced]
        gone_rows = np.array([row for row in gone if row is not None], dtype=np.int64)
        chunk_rows = np.flatnonzero(~np.isin(tables.chunk_rows[:, ARTICLE], gone_rows))
        sentence_rows = np.flatnonzero(~np.isin(tables.sentence_rows[:, ARTICLE], gone_rows))
        postings = previous.parts.postings.take(chunk_rows).concat(
            Postings.of([search_tokens(chunk.search_text) for chunk in fresh.chunks])
        )
        n_chunks = len(chunk_rows) + len(fresh.chunks)
        n_sentences = len(sentence_rows) + len(fresh.sentences)
        manifest = change.manifest
        anns = (
            self._reuse(previous.parts.ann, previous.manifest.ann, n_chunks, manifest, "ann"),
            self._reuse(
                previous.parts.sentence_ann,
                previous.manifest.sentence_ann,
                n_sentences,
                manifest,
                "sentence_ann",
            ),
        )
        FaissIndex.build(
            manifest,
            [tables.chunk(int(row)) for row in chunk_rows] + list(fresh.chunks),
            np.concatenate([previous.vectors[chunk_rows], fresh.chunk_vectors]),
            [tables.sentence(int(row)) for row in sentence_rows] + list(fresh.sentences),
            np.concatenate([previous.sentence_vectors[sentence_rows], fresh.sentence_vectors]),
            postings=postings,
            anns=anns,
        ).save(self.index_dir)
        retrained = [
            name for name, ann in zip(("chunks", "sentences"), anns, strict=True) if not ann
        ]
        self.notes.append(
            f"kept {len(chunk_rows):,} chunks and {len(sentence_rows):,} sentences with their "
            f"vectors and BM25 postings; FAISS indexes "
            + (
                f"built anew for {' and '.join(retrained)}"
                if retrained
                else "refilled, not retrained"
            )
        )

    def _reuse(
        self,
        index: faiss.Index,
        settings: AnnSettings | None,
        vectors: int,
        manifest: Manifest,
        field: str,
    ) -> faiss.Index | None:
        """The previous trained index when it still suits `vectors` rows (its settings then
        go into the new manifest's `field`), else None."""
        if not reusable(AnnSpec.from_dict(settings), vectors, manifest.dimension):
            return None
        setattr(manifest, field, settings)
        return index


def reusable(trained: AnnSpec, vectors: int, dim: int) -> bool:
    """Whether an index trained as `trained` suits a corpus of `vectors` rows: the same exact
    type, or an IVF one whose list count is within `IVF_REUSE_FACTOR` of what it would get."""
    wanted = choose_ann_spec(vectors, dim)
    if wanted.factory == trained.factory:
        return True
    wanted_lists, trained_lists = _ivf_lists(wanted.factory), _ivf_lists(trained.factory)
    if wanted_lists is None or trained_lists is None:
        return False
    if wanted.factory.split(",")[1:] != trained.factory.split(",")[1:]:
        return False
    ratio = wanted_lists / trained_lists
    return 1 / IVF_REUSE_FACTOR <= ratio <= IVF_REUSE_FACTOR


def _ivf_lists(factory: str) -> int | None:
    head = factory.split(",")[0]
    return int(head[3:]) if head.startswith("IVF") and head[3:].isdigit() else None
