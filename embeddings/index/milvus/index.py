"""The Milvus index backend: chunks and answer sentences in Milvus collections (milvus-lite, a
local file, by default; a Milvus server or cluster by URI), dense search and BM25 in the engine.

`MilvusIndex` answers the `VectorIndex` protocol exactly as `FaissIndex` does: the same chunks,
the same inner-product scores, BM25 on the same scale (Milvus's BM25 is bm25s's times k1 + 1, so
it is divided back) and the same sentence ranking (the top k sentences, then the first hit of
each chunk), so `rag/` gives the same answers on either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus import Chunk, Span
from embeddings.index.filters import ArticleFilter, admitted
from embeddings.index.lexical import bm25_idf
from embeddings.index.manifest import RECOVERY, IndexCorruptError, IndexMissingError, Manifest
from embeddings.index.milvus import collections
from embeddings.index.milvus.collections import BM25_K1, STRONG, Collections
from embeddings.index.milvus.connection import connect
from embeddings.index.milvus.store import READY, MilvusStore, batches, literal
from embeddings.index.protocol import SearchHit, SentenceVector

if TYPE_CHECKING:
    from embeddings.model.embedder import Embedder

# Milvus caps the results of one search or query.
MAX_RESULTS = 16_384
CHUNK_FIELDS = ["article_id", "text", "start", "end"]
REPAIR = "run `python -m rag ingest` to repair it (it rewrites the articles that write left)"


def open_store(uri: str, names: Collections, token: str | None = None) -> MilvusStore:
    """The store at `uri`, refused when its collections are missing or not all there."""
    client = connect(uri, token=token, must_exist=True)
    store = MilvusStore(client, names, uri)
    found = collections.present(client, names)
    if found == 0:
        raise IndexMissingError(
            f"no index collections in Milvus at {uri}; run "
            "`RAG_INDEX_BACKEND=milvus python -m rag ingest` to build them"
        )
    if found < len(names.all()):
        raise IndexCorruptError(f"some index collections are missing in {uri}; {RECOVERY}")
    return store


class MilvusIndex:
    """Chunks and sentences with their unit vectors in Milvus (see `embeddings/index/milvus/`)."""

    def __init__(self, store: MilvusStore, manifest: Manifest) -> None:
        self.store = store
        self.manifest = manifest
        self.names = store.names

    @classmethod
    def load_for(
        cls, uri: str, embedder: Embedder, *, prefix: str = "rag_", token: str | None = None
    ) -> MilvusIndex:
        """The committed index at `uri`, refused unless `embedder` made it, or when it is
        damaged or half-written. The manifest is checked before the model loads."""
        store = open_store(uri, Collections(prefix), token)
        state = store.state()
        if state.get("state") != READY:
            raise IndexCorruptError(
                f"the Milvus index at {uri} was left half-written by an interrupted ingest; "
                f"{REPAIR}, or `python -m rag ingest --rebuild`"
            )
        manifest = store.manifest(state)
        manifest.check_for(embedder, uri)
        collections.check(store.client, store.names, manifest.dimension)
        counts = (store.count(store.names.chunks), store.count(store.names.sentences))
        if counts != (state.get("chunks"), state.get("sentences")):
            raise IndexCorruptError(
                f"the Milvus index at {uri} holds {counts[0]} chunks and {counts[1]} sentences, "
                f"its last ingest wrote {state.get('chunks')} and {state.get('sentences')}; "
                f"{RECOVERY}"
            )
        return cls(store, manifest)

    def generation(self) -> str | None:
        """The generation of the last commit (a new one per ingest that wrote); None while the
        engine is down (polling it does not restart it: a question does)."""
        if not self.store.client.alive():
            return None
        generation = self.store.state().get("generation")
        return str(generation) if generation is not None else None

    def health(self) -> str | None:
        """None while the engine answers, else what went wrong with it (see engine.Engine)."""
        return self.store.client.health

    # -- rows to records ---------------------------------------------------------------------

    def _chunk(self, pk: str, entity: dict[str, Any]) -> Chunk:
        record = self.manifest.articles.get(entity["article_id"])
        if record is None:
            raise IndexCorruptError(f"chunk {pk} belongs to no article of the manifest; {RECOVERY}")
        return Chunk(
            pk,
            entity["article_id"],
            record.title,
            entity["text"],
            int(entity["start"]),
            int(entity["end"]),
        )

    def _queries(self, query_vectors: np.ndarray) -> list[list[float]]:
        # Checked here: milvus-lite silently truncates or pads a vector of the wrong length.
        return (
            np.asarray(query_vectors, dtype=np.float32)
            .reshape(-1, self.manifest.dimension)
            .tolist()
        )

    def _params(self, name: str, metric: str, limit: int) -> dict[str, int]:
        if metric != "IP":
            return {}
        ann = self.manifest.ann if name == self.names.chunks else self.manifest.sentence_ann
        return collections.search_params(ann, limit)

    def _search(
        self,
        name: str,
        field: str,
        data: list,
        k: int,
        fields: list[str],
        metric: str = "IP",
        within: ArticleFilter | None = None,
    ) -> list[list[dict]]:
        limit = min(
            k, MAX_RESULTS, self.manifest.chunks if name == self.names.chunks else MAX_RESULTS
        )
        ids = admitted(within, self.manifest)
        if limit <= 0 or not data or ids == frozenset():
            return [[] for _ in data]
        return self.store.client.call(
            "search",
            name,
            data=data,
            filter=self._filter(ids),
            anns_field=field,
            limit=limit,
            output_fields=fields,
            search_params={"metric_type": metric, "params": self._params(name, metric, limit)},
            consistency_level=STRONG,
        )

    def _filter(self, ids: frozenset[str] | None) -> str:
        """The engine's filter expression for the admitted articles ("" admits all): the
        shorter of the admitted and the refused ids."""
        if ids is None:
            return ""
        refused = set(self.manifest.articles) - ids
        if len(refused) < len(ids):
            return f"article_id not in {literal(sorted(refused))}" if refused else ""
        return f"article_id in {literal(sorted(ids))}"

    # -- VectorIndex -------------------------------------------------------------------------

    def search(
        self, query_vectors: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[list[SearchHit]]:
        queries = self._queries(query_vectors)
        results = self._search(self.names.chunks, "dense", queries, k, CHUNK_FIELDS, within=within)
        return [
            [
                SearchHit(self._chunk(hit["id"], hit["entity"]), float(hit["distance"]))
                for hit in hits
            ]
            for hits in results
        ]

    def search_sentences(
        self, query_vector: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        """A precise match in one sentence is not diluted by the rest of its chunk."""
        queries = self._queries(query_vector)
        hits = self._search(
            self.names.sentences, "vector", queries, k, ["chunk_id"], within=within
        )[0]
        best: dict[str, float] = {}
        for hit in hits:
            chunk_id = hit["entity"]["chunk_id"]
            if chunk_id and chunk_id not in best:
                best[chunk_id] = float(hit["distance"])
        chunks = self._chunks_by_id(list(best))
        return [SearchHit(chunks[chunk_id], score) for chunk_id, score in best.items()]

    def search_lexical(
        self, tokens: Sequence[str], k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        if not tokens:
            return []
        query = [" ".join(tokens)]
        hits = self._search(self.names.chunks, "sparse", query, k, CHUNK_FIELDS, "BM25", within)[0]
        # Milvus's BM25 is bm25s's (lucene) times k1 + 1: the FAISS backend's scale.
        return [
            SearchHit(self._chunk(hit["id"], hit["entity"]), float(hit["distance"]) / (BM25_K1 + 1))
            for hit in hits
        ]

    @cached_property
    def _document_frequency(self) -> Counter[str]:
        # One pass over the stored tokens on first use (0.9 s per 10k chunks on milvus-lite);
        # milvus-lite has no TEXT_MATCH to count a token's chunks in the engine.
        return Counter(
            token
            for row in self.store.scan(self.names.chunks, "", ["tokens"])
            for token in set(row["tokens"].split())
        )

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        size = self.manifest.chunks
        return {token: bm25_idf(self._document_frequency.get(token, 0), size) for token in tokens}

    def vectors_of(self, chunk_ids: Iterable[str]) -> np.ndarray:
        ids = list(chunk_ids)
        found: dict[str, list[float]] = {}
        for batch in batches(list(dict.fromkeys(ids))):
            for row in self.store.query(self.names.chunks, f"pk in {literal(batch)}", ["dense"]):
                found[row["pk"]] = row["dense"]
        return np.asarray([found[i] for i in ids], dtype=np.float32).reshape(
            len(ids), self.manifest.dimension
        )

    def sentences_in(self, chunks: Sequence[Chunk]) -> list[list[SentenceVector]]:
        by_article: dict[str, list[dict]] = {}
        for batch in batches(sorted({chunk.article_id for chunk in chunks})):
            for row in self.store.scan(
                self.names.sentences,
                f"article_id in {literal(batch)}",
                ["article_id", "start", "end", "vector"],
            ):
                by_article.setdefault(row["article_id"], []).append(row)
        found = []
        for chunk in chunks:
            inside = []
            for row in sorted(
                by_article.get(chunk.article_id, []), key=lambda r: (r["start"], r["end"])
            ):
                if row["start"] >= chunk.start and row["end"] <= chunk.end:
                    start, end = row["start"] - chunk.start, row["end"] - chunk.start
                    inside.append(
                        (
                            Span(start, end, chunk.text[start:end]),
                            np.asarray(row["vector"], dtype=np.float32),
                        )
                    )
            found.append(inside)
        return found

    def chunks_of(self, article_id: str) -> list[Chunk]:
        rows = self.store.scan(
            self.names.chunks, f"article_id == {literal([article_id])[1:-1]}", ["pk", *CHUNK_FIELDS]
        )
        return sorted((self._chunk(row["pk"], row) for row in rows), key=lambda c: (c.start, c.end))

    def _chunks_by_id(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        found = {}
        for batch in batches(chunk_ids):
            for row in self.store.query(
                self.names.chunks, f"pk in {literal(batch)}", ["pk", *CHUNK_FIELDS]
            ):
                found[row["pk"]] = self._chunk(row["pk"], row)
        missing = set(chunk_ids) - set(found)
        if missing:
            raise IndexCorruptError(
                f"sentences point to missing chunks {sorted(missing)[:3]}; {RECOVERY}"
            )
        return found
