"""The FAISS index backend: unit vectors of chunks and answer sentences in inner-product FAISS
indexes, a JSONL chunk store, and BM25 in memory. On disk it is one version folder of
`embeddings/index/faiss/store.py`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from corpus import Chunk, Span, search_tokens
from embeddings import files
from embeddings.index.faiss.ann import build_ann_index, choose_ann_spec, exact_search
from embeddings.index.faiss.store import (
    manifest_of,
    publish,
    read_live,
    verify_files,
    write_jsonl,
    write_npy,
    writing_version,
)
from embeddings.index.faiss.version import (
    ANN_FILE,
    CHUNKS_FILE,
    DATA_FILES,
    SENTENCE_ANN_FILE,
    SENTENCE_VECTORS_FILE,
    SENTENCES_FILE,
    VECTORS_FILE,
    read_parts,
)
from embeddings.index.filters import ArticleFilter, admitted
from embeddings.index.lexical import Bm25Index
from embeddings.index.manifest import Manifest
from embeddings.index.protocol import Rows, SearchHit, Sentence, SentenceVector

if TYPE_CHECKING:
    from embeddings.model.embedder import Embedder


def _rows_by_article(records: Sequence[Chunk | Sentence]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for row, record in enumerate(records):
        rows.setdefault(record.article_id, []).append(row)
    return rows


def _by_start(chunk: Chunk) -> tuple[int, int]:
    return chunk.start, chunk.end


class FaissIndex:
    """Chunks and sentences with their unit vectors, and an inner-product FAISS index of each."""

    def __init__(
        self,
        manifest: Manifest,
        chunks: list[Chunk],
        vectors: np.ndarray,
        ann: faiss.Index,
        sentences: list[Sentence],
        sentence_vectors: np.ndarray,
        sentence_ann: faiss.Index,
    ):
        self.manifest = manifest
        self.chunks = chunks
        self.vectors = vectors
        self._ann = ann
        self.sentences = sentences
        self.sentence_vectors = sentence_vectors
        self._sentence_ann = sentence_ann
        self._row_of = {chunk.id: row for row, chunk in enumerate(chunks)}
        self._chunk_rows = _rows_by_article(chunks)
        self._sentence_rows = _rows_by_article(sentences)
        self._chunk_of_sentence = self._locate_sentences()

    def _locate_sentences(self) -> list[Chunk | None]:
        """The first chunk that holds each sentence whole (None if a chunk boundary cuts it)."""
        located: list[Chunk | None] = []
        for sentence in self.sentences:
            chunks = (self.chunks[row] for row in self.chunk_rows(sentence.article_id))
            located.append(
                next(
                    (c for c in chunks if c.start <= sentence.start and sentence.end <= c.end), None
                )
            )
        return located

    @classmethod
    def build(
        cls,
        manifest: Manifest,
        chunks: list[Chunk],
        vectors: np.ndarray,
        sentences: list[Sentence],
        sentence_vectors: np.ndarray,
    ) -> FaissIndex:
        if len(chunks) != len(vectors) or len(sentences) != len(sentence_vectors):
            raise ValueError(
                f"{len(chunks)} chunks with {len(vectors)} vectors, "
                f"{len(sentences)} sentences with {len(sentence_vectors)} vectors"
            )
        dim = manifest.dimension
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
        sentence_vectors = np.ascontiguousarray(sentence_vectors, dtype=np.float32).reshape(-1, dim)
        spec = choose_ann_spec(len(vectors), dim)
        sentence_spec = choose_ann_spec(len(sentence_vectors), dim)
        manifest.ann = spec.as_dict()
        manifest.sentence_ann = sentence_spec.as_dict()
        manifest.chunks = len(chunks)
        return cls(
            manifest,
            chunks,
            vectors,
            build_ann_index(vectors, spec),
            sentences,
            sentence_vectors,
            build_ann_index(sentence_vectors, sentence_spec),
        )

    def vectors_of(self, chunk_ids: Iterable[str]) -> np.ndarray:
        rows = [self._row_of[chunk_id] for chunk_id in chunk_ids]
        return self.vectors[rows]

    def chunk_rows(self, article_id: str) -> list[int]:
        return self._chunk_rows.get(article_id, [])

    def chunks_of(self, article_id: str) -> list[Chunk]:
        return sorted((self.chunks[row] for row in self.chunk_rows(article_id)), key=_by_start)

    def rows_of(self, article_ids: Iterable[str]) -> Rows:
        """The chunks and sentences of these articles with their vectors, in that order."""
        chunk_rows: list[int] = []
        sentence_rows: list[int] = []
        for article_id in article_ids:
            chunk_rows += self.chunk_rows(article_id)
            sentence_rows += self.sentence_rows(article_id)
        return Rows(
            [self.chunks[row] for row in chunk_rows],
            self.vectors[chunk_rows],
            [self.sentences[row] for row in sentence_rows],
            self.sentence_vectors[sentence_rows],
        )

    def sentence_rows(self, article_id: str) -> list[int]:
        return self._sentence_rows.get(article_id, [])

    def sentences_in(self, chunks: Sequence[Chunk]) -> list[list[SentenceVector]]:
        return [self._sentences_in(chunk) for chunk in chunks]

    def _sentences_in(self, chunk: Chunk) -> list[SentenceVector]:
        found = []
        for row in self.sentence_rows(chunk.article_id):
            sentence = self.sentences[row]
            if sentence.start >= chunk.start and sentence.end <= chunk.end:
                start, end = sentence.start - chunk.start, sentence.end - chunk.start
                found.append((Span(start, end, chunk.text[start:end]), self.sentence_vectors[row]))
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
            [SearchHit(self.chunks[row], score) for row, score in hits]
            for hits in self._search(self._ann, self.vectors, query_vectors, k, rows)
        ]

    def search_sentences(
        self, query_vector: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        """A precise match in one sentence is not diluted by the rest of its chunk."""
        rows = self._admitted_rows(within, self.sentence_rows)
        hits: dict[str, SearchHit] = {}
        ranked = self._search(self._sentence_ann, self.sentence_vectors, query_vector, k, rows)
        for row, score in ranked[0]:
            chunk = self._chunk_of_sentence[row]
            if chunk is not None and chunk.id not in hits:
                hits[chunk.id] = SearchHit(chunk, score)
        return list(hits.values())

    @cached_property
    def _bm25(self) -> Bm25Index:
        return Bm25Index([search_tokens(chunk.search_text) for chunk in self.chunks])

    def search_lexical(
        self, tokens: Sequence[str], k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        rows = self._admitted_rows(within, self.chunk_rows)
        return [
            SearchHit(self.chunks[row], score) for row, score in self._bm25.search(tokens, k, rows)
        ]

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        return {token: self._bm25.idf(token) for token in tokens}

    # -- persistence -------------------------------------------------------------------------

    def save(self, index_dir: Path) -> Path:
        """Write a new version beside the live one, then switch `CURRENT` to it atomically."""
        with writing_version(index_dir) as version:
            write_jsonl(version / CHUNKS_FILE, self.chunks)
            write_jsonl(version / SENTENCES_FILE, self.sentences)
            write_npy(version / VECTORS_FILE, self.vectors)
            write_npy(version / SENTENCE_VECTORS_FILE, self.sentence_vectors)
            files.write_file(version / ANN_FILE, faiss.serialize_index(self._ann).tobytes())
            files.write_file(
                version / SENTENCE_ANN_FILE, faiss.serialize_index(self._sentence_ann).tobytes()
            )
            publish(index_dir, version, self.manifest, DATA_FILES)
        return version

    @classmethod
    def load_for(cls, index_dir: Path, embedder: Embedder) -> FaissIndex:
        """Load the live version for `embedder`: refused unless built with these very weights.
        A missing or damaged manifest is refused before the model loads."""
        return cls._load(index_dir, lambda manifest: manifest.check_for(embedder, index_dir))

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
    def _load(cls, index_dir: Path, check: Callable[[Manifest], None]) -> FaissIndex:
        def read(version: Path) -> FaissIndex:
            manifest = manifest_of(version)
            check(manifest)
            return cls._open(version, manifest)

        return read_live(index_dir, read)

    @classmethod
    def _open(cls, version: Path, manifest: Manifest) -> FaissIndex:
        """Read one version's files, refusing any that is missing, modified or inconsistent."""
        verify_files(version, manifest, DATA_FILES)
        parts = read_parts(version, manifest)
        return cls(manifest, *parts)
