"""The FAISS index backend: unit vectors of chunks and answer sentences in inner-product FAISS
indexes, the chunk, sentence and article rows as arrays (`tables.py`), and BM25 postings
(`embeddings/index/lexical.py`). On disk it is one version folder of `store.py`, laid out by
`layout.py` and read back memory-mapped: loading parses no record and builds nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from corpus import Chunk, Span, search_tokens
from embeddings.index.articles import ArticleTable, encode_articles
from embeddings.index.faiss.ann import build_ann_index, choose_ann_spec, exact_search
from embeddings.index.faiss.layout import DATA_FILES, Parts, read_parts, write_parts
from embeddings.index.faiss.store import (
    manifest_of,
    publish,
    read_live,
    verify_files,
    writing_version,
)
from embeddings.index.faiss.tables import (
    CHUNK,
    END,
    START,
    ChunkList,
    SentenceList,
    build_tables,
)
from embeddings.index.filters import ArticleFilter, admitted
from embeddings.index.lexical import Bm25Index, Postings
from embeddings.index.manifest import Manifest
from embeddings.index.protocol import Rows, SearchHit, SentenceVector

if TYPE_CHECKING:
    from embeddings.index.protocol import Sentence
    from embeddings.model.embedder import Embedder


class FaissIndex:
    """Chunks and sentences with their unit vectors, and an inner-product FAISS index of each."""

    def __init__(self, manifest: Manifest, parts: Parts) -> None:
        self.manifest = manifest
        self.parts = parts
        self.tables = parts.tables
        self.chunks = ChunkList(parts.tables)
        self.sentences = SentenceList(parts.tables)
        self.vectors = parts.vectors
        self.sentence_vectors = parts.sentence_vectors
        self._bm25 = Bm25Index(parts.postings)

    @classmethod
    def build(
        cls,
        manifest: Manifest,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentences: Sequence[Sentence],
        sentence_vectors: np.ndarray,
        *,
        postings: Postings | None = None,
        anns: tuple[faiss.Index | None, faiss.Index | None] = (None, None),
    ) -> FaissIndex:
        """An index of these rows (the FAISS type chosen by size, see `ann.py`). `postings`
        (BM25 of `chunks` in their order) and `anns` (trained FAISS indexes for the chunks and
        the sentences, whose settings the manifest already holds) are reused when given,
        instead of being made again."""
        if len(chunks) != len(vectors) or len(sentences) != len(sentence_vectors):
            raise ValueError(
                f"{len(chunks)} chunks with {len(vectors)} vectors, "
                f"{len(sentences)} sentences with {len(sentence_vectors)} vectors"
            )
        dim = manifest.dimension
        articles = ArticleTable(encode_articles(manifest.articles))
        tables, chunk_order, sentence_order = build_tables(articles, chunks, sentences)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)[chunk_order]
        sentence_vectors = np.ascontiguousarray(sentence_vectors, dtype=np.float32).reshape(
            -1, dim
        )[sentence_order]
        if postings is None:
            postings = Postings.of([search_tokens(chunk.search_text) for chunk in chunks])
        new_row = np.empty(len(chunk_order), dtype=np.int64)
        new_row[chunk_order] = np.arange(len(chunk_order))
        ann = _filled(anns[0], vectors, manifest, "ann")
        sentence_ann = _filled(anns[1], sentence_vectors, manifest, "sentence_ann")
        manifest.articles = articles
        manifest.chunks = len(chunks)
        parts = Parts(
            tables, vectors, sentence_vectors, postings.renumber(new_row), ann, sentence_ann
        )
        return cls(manifest, parts)

    def vectors_of(self, chunk_ids: Iterable[str]) -> np.ndarray:
        rows = [self.tables.chunk_row(chunk_id) for chunk_id in chunk_ids]
        return np.asarray(self.vectors[rows])

    def chunk_rows(self, article_id: str) -> list[int]:
        return list(self.tables.chunk_range(article_id))

    def sentence_rows(self, article_id: str) -> list[int]:
        return list(self.tables.sentence_range(article_id))

    def chunks_of(self, article_id: str) -> list[Chunk]:
        """In text order: the rows of an article are sorted by start."""
        return [self.tables.chunk(row) for row in self.tables.chunk_range(article_id)]

    def rows_of(self, article_ids: Iterable[str]) -> Rows:
        """The chunks and sentences of these articles with their vectors, in that order."""
        chunk_rows: list[int] = []
        sentence_rows: list[int] = []
        for article_id in article_ids:
            chunk_rows += self.tables.chunk_range(article_id)
            sentence_rows += self.tables.sentence_range(article_id)
        return Rows(
            [self.tables.chunk(row) for row in chunk_rows],
            np.asarray(self.vectors[chunk_rows]),
            [self.tables.sentence(row) for row in sentence_rows],
            np.asarray(self.sentence_vectors[sentence_rows]),
        )

    def sentences_in(self, chunks: Sequence[Chunk]) -> list[list[SentenceVector]]:
        return [self._sentences_in(chunk) for chunk in chunks]

    def _sentences_in(self, chunk: Chunk) -> list[SentenceVector]:
        rows = self.tables.sentence_range(chunk.article_id)
        if not rows:
            return []
        spans = np.asarray(self.tables.sentence_rows[rows.start : rows.stop])
        inside = np.flatnonzero((spans[:, START] >= chunk.start) & (spans[:, END] <= chunk.end))
        if not len(inside):
            return []
        vectors = np.asarray(self.sentence_vectors[rows.start + inside])
        found = []
        for i, vector in zip(inside.tolist(), vectors, strict=True):
            start, end = int(spans[i, START]) - chunk.start, int(spans[i, END]) - chunk.start
            found.append((Span(start, end, chunk.text[start:end]), vector))
        return found

    def _search(
        self,
        ann: faiss.Index,
        vectors: np.ndarray,
        query_vectors: np.ndarray,
        k: int,
        rows: list[int] | None = None,
    ) -> list[list[tuple[int, float]]]:
        """(row, score) of the best `k` per query; among `rows` only when given."""
        queries = np.ascontiguousarray(query_vectors, dtype=np.float32).reshape(
            -1, self.manifest.dimension
        )
        if rows is not None:
            return exact_search(vectors, rows, queries, k)
        if not ann.ntotal or k <= 0:
            return [[] for _ in range(len(queries))]
        scores, found = ann.search(queries, min(k, ann.ntotal))
        return [
            [(int(row), float(score)) for score, row in zip(s, r, strict=True) if row >= 0]
            for s, r in zip(scores, found, strict=True)
        ]

    def _admitted_rows(
        self, within: ArticleFilter | None, rows_of: Callable[[str], list[int]]
    ) -> list[int] | None:
        ids = admitted(within, self.manifest)
        return None if ids is None else sorted(row for i in ids for row in rows_of(i))

    def search(
        self, query_vectors: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[list[SearchHit]]:
        rows = self._admitted_rows(within, self.chunk_rows)
        return [
            [SearchHit(self.tables.chunk(row), score) for row, score in hits]
            for hits in self._search(self.parts.ann, self.vectors, query_vectors, k, rows)
        ]

    def search_sentences(
        self, query_vector: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        """A precise match in one sentence is not diluted by the rest of its chunk."""
        rows = self._admitted_rows(within, self.sentence_rows)
        hits: dict[int, SearchHit] = {}
        ranked = self._search(self.parts.sentence_ann, self.sentence_vectors, query_vector, k, rows)
        for row, score in ranked[0]:
            chunk = int(self.tables.sentence_rows[row, CHUNK])
            if chunk >= 0 and chunk not in hits:
                hits[chunk] = SearchHit(self.tables.chunk(chunk), score)
        return list(hits.values())

    def search_lexical(
        self, tokens: Sequence[str], k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        rows = self._admitted_rows(within, self.chunk_rows)
        return [
            SearchHit(self.tables.chunk(row), score)
            for row, score in self._bm25.search(tokens, k, rows)
        ]

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        return {token: self._bm25.idf(token) for token in tokens}

    # -- persistence -------------------------------------------------------------------------

    def save(self, index_dir: Path) -> Path:
        """Write a new version beside the live one, then switch `CURRENT` to it atomically."""
        with writing_version(index_dir) as version:
            write_parts(version, self.parts)
            publish(index_dir, version, self.manifest, DATA_FILES)
        return version

    @classmethod
    def load_for(cls, index_dir: Path, embedder: Embedder, *, mmap: bool = True) -> FaissIndex:
        """Load the live version for `embedder`: refused unless built with these very weights.
        A missing or damaged manifest is refused before the model loads."""
        return cls._load(
            index_dir, lambda manifest: manifest.check_for(embedder, index_dir), mmap=mmap
        )

    @classmethod
    def load(
        cls,
        index_dir: Path,
        *,
        model_id: str | None = None,
        weights_sha256: str | None = None,
        dimension: int | None = None,
    ) -> FaissIndex:
        """Load the live version; refuse one built with another model (where one is named)."""
        return cls._load(
            index_dir,
            lambda manifest: manifest.check_model(model_id, weights_sha256, dimension, index_dir),
        )

    @classmethod
    def _load(
        cls, index_dir: Path, check: Callable[[Manifest], None], *, mmap: bool = True
    ) -> FaissIndex:
        def read(version: Path) -> FaissIndex:
            manifest = manifest_of(version)
            # The data files are hashed while the model loads (the check needs its dimension):
            # both wait on the disk or run in C with the GIL released, so a large index
            # starts in about the longer of the two instead of their sum.
            with ThreadPoolExecutor(max_workers=1) as pool:
                verified = pool.submit(verify_files, version, manifest, DATA_FILES)
                check(manifest)
                verified.result()
            return cls(manifest, read_parts(version, manifest, mmap=mmap))

        return read_live(index_dir, read)


def _filled(
    trained: faiss.Index | None, vectors: np.ndarray, manifest: Manifest, field: str
) -> faiss.Index:
    """`trained` emptied and filled with `vectors`; without one, a new index of the type their
    number calls for, recorded in the manifest's `field`."""
    if trained is not None:
        trained.reset()
        trained.add(vectors)
        return trained
    spec = choose_ann_spec(len(vectors), manifest.dimension)
    setattr(manifest, field, spec.as_dict())
    return build_ann_index(vectors, spec)
