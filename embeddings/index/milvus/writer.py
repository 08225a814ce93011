"""Ingest into a Milvus index: delete the changed and removed articles by article id, insert the
fresh rows, and commit the manifest last (see `embeddings/index/milvus/store.py`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from embeddings.index.manifest import (
    RECOVERY,
    AnnSettings,
    IndexCorruptError,
    Manifest,
    package_versions,
)
from embeddings.index.milvus import collections
from embeddings.index.milvus.collections import Collections, MilvusIndexType, ann_settings
from embeddings.index.milvus.connection import connect, is_local
from embeddings.index.milvus.engine import EngineUnavailable
from embeddings.index.milvus.store import READY, MilvusStore
from embeddings.index.protocol import IndexChange, Rows

if TYPE_CHECKING:
    from embeddings.model.embedder import Embedder


# What to do when the engine stops mid-write (the store's commit protocol makes it repairable).
INTERRUPTED = (
    "The ingest stopped before it finished; run `python -m rag ingest` again: it repairs "
    "whatever this one left half-written"
)


class MilvusWriter:
    """The `IndexWriter` of the Milvus index at `uri`."""

    def __init__(
        self,
        uri: str,
        embedder: Embedder,
        *,
        prefix: str = "rag_",
        token: str | None = None,
        index_type: MilvusIndexType = "FLAT",
    ) -> None:
        self.uri = uri
        # A rebuild makes vector indexes of this type; an update keeps the stored ones.
        self._index_type = index_type
        self._ann = ann_settings(index_type)
        self.embedder = embedder
        self.location = uri
        self.notes: list[str] = []
        self._names = Collections(prefix)
        self._token = token
        self._store: MilvusStore | None = None
        self._interrupted: set[str] = set()
        self._stored_ann: AnnSettings | None = None

    def _connect(self) -> MilvusStore:
        if self._store is None:
            client = connect(self.uri, token=self._token, must_exist=False)
            self._store = MilvusStore(client, self._names, self.uri)
        return self._store

    def previous(self) -> Manifest | None:
        if is_local(self.uri) and not Path(self.uri).is_file():
            return None
        store = self._connect()
        found = collections.present(store.client, self._names)
        if found == 0:
            return None
        if found < len(self._names.all()):
            raise IndexCorruptError(f"some index collections are missing in {self.uri}; {RECOVERY}")
        state = store.state()
        if "generation" not in state:
            self.notes.append("the first build was interrupted: building again from scratch")
            return None
        manifest = store.manifest(state)
        manifest.check_for(self.embedder, self.uri)
        collections.check(store.client, self._names, manifest.dimension)
        self._stored_ann = manifest.ann
        if state.get("state") == READY:
            return manifest
        self._interrupted = store.pending()
        self.notes.append(
            f"repairing an interrupted ingest: {len(self._interrupted)} article(s) written again"
        )
        articles = {k: v for k, v in manifest.articles.items() if k not in self._interrupted}
        return replace(manifest, articles=articles)

    def write(self, change: IndexChange) -> None:
        try:
            self._write(change)
        except EngineUnavailable as error:
            raise EngineUnavailable(f"{error}. {INTERRUPTED}") from error

    def _write(self, change: IndexChange) -> None:
        store = self._connect()
        fresh = change.fresh
        rewritten = {chunk.article_id for chunk in fresh.chunks}
        rewritten |= {sentence.article_id for sentence in fresh.sentences}
        ann = self._ann if change.rebuild or not self._stored_ann else self._stored_ann
        if change.rebuild:
            collections.create(
                store.client, self._names, change.manifest.dimension, self._index_type
            )
            store.begin_write(())
        else:
            doomed = change.replaced | rewritten | self._interrupted
            store.begin_write(doomed)
            store.delete_articles(doomed)
        store.insert(fresh, chunk_of_sentences(fresh))
        manifest = change.manifest
        manifest.ann = manifest.sentence_ann = ann
        manifest.chunks = sum(record.chunks for record in manifest.articles.values())
        manifest.packages = package_versions()
        store.commit(manifest)


def chunk_of_sentences(rows: Rows) -> list[str]:
    """For each sentence, the id of the first chunk of its article that holds it whole, or ""
    (the rule `FaissIndex` applies when it loads)."""
    by_article: dict[str, list] = {}
    for chunk in rows.chunks:
        by_article.setdefault(chunk.article_id, []).append(chunk)
    return [
        next(
            (
                c.id
                for c in by_article.get(s.article_id, [])
                if c.start <= s.start and s.end <= c.end
            ),
            "",
        )
        for s in rows.sentences
    ]
