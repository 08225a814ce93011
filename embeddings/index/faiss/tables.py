"""The rows of a FAISS index as arrays, read from memory-mapped files when it is loaded: no
chunk, sentence or article record is parsed before a query asks for it.

- the article records (`ArticleTable`, sorted by id): row a is the a-th article id;
- the article texts, one UTF-8 blob with each article's byte range (a chunk's text is its
  article's text between its character offsets, so overlapping chunks are stored once);
- chunk rows (article row, start, end), sorted by article and start, so an article's chunks are
  one slice (`chunk_begin[a]:chunk_begin[a + 1]`);
- sentence rows (article row, start, end, row of the first chunk that holds it whole), sorted
  the same way.

`Chunk` and `Sentence` records are made on demand, and the two lists (`ChunkList`,
`SentenceList`) read like the lists they replace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

import numpy as np

from corpus import Chunk
from embeddings.index.articles import ArticleTable
from embeddings.index.protocol import Sentence

ARTICLE, START, END, CHUNK = 0, 1, 2, 3


@dataclass
class Tables:
    articles: ArticleTable
    text_blob: np.ndarray  # uint8
    text_offsets: np.ndarray  # int64, one more than articles
    chunk_rows: np.ndarray  # int32 (chunks, 3)
    sentence_rows: np.ndarray  # int32 (sentences, 4)

    @cached_property
    def chunk_begin(self) -> np.ndarray:
        return _begins(self.chunk_rows[:, ARTICLE], len(self.articles))

    @cached_property
    def sentence_begin(self) -> np.ndarray:
        return _begins(self.sentence_rows[:, ARTICLE], len(self.articles))

    def text(self, article_row: int) -> str:
        begin, end = self.text_offsets[article_row], self.text_offsets[article_row + 1]
        return bytes(self.text_blob[begin:end]).decode("utf-8")

    def chunk(self, row: int) -> Chunk:
        article, start, end = (int(v) for v in self.chunk_rows[row])
        article_id = self.articles.article_id(article)
        return Chunk(
            f"{article_id}:{start}-{end}",
            article_id,
            self.articles.record(article).title,
            self.text(article)[start:end],
            start,
            end,
        )

    def sentence(self, row: int) -> Sentence:
        article, start, end = (int(v) for v in self.sentence_rows[row, :CHUNK])
        return Sentence(self.articles.article_id(article), start, end)

    def chunk_range(self, article_id: str) -> range:
        """The chunk rows of an article (empty for an unknown id)."""
        article = self.articles.row_of(article_id)
        if article is None:
            return range(0)
        return range(int(self.chunk_begin[article]), int(self.chunk_begin[article + 1]))

    def sentence_range(self, article_id: str) -> range:
        article = self.articles.row_of(article_id)
        if article is None:
            return range(0)
        return range(int(self.sentence_begin[article]), int(self.sentence_begin[article + 1]))

    def chunk_row(self, chunk_id: str) -> int:
        """The row of a chunk id (`<article id>:<start>-<end>`); KeyError when not indexed."""
        article_id, _, span = chunk_id.rpartition(":")
        start, _, end = span.partition("-")
        for row in self.chunk_range(article_id):
            if str(self.chunk_rows[row, START]) == start and str(self.chunk_rows[row, END]) == end:
                return row
        raise KeyError(chunk_id)


def _begins(article_of_row: np.ndarray, articles: int) -> np.ndarray:
    """Where each article's rows begin in rows sorted by article (one more than articles)."""
    return np.searchsorted(article_of_row, np.arange(articles + 1)).astype(np.int64)


class _Rows(Sequence[Any]):
    def __init__(self, tables: Tables, size: int) -> None:
        self.tables = tables
        self.size = size

    def __len__(self) -> int:
        return self.size

    def _one(self, row: int) -> Any:
        raise NotImplementedError

    @overload
    def __getitem__(self, row: int) -> Any: ...

    @overload
    def __getitem__(self, row: slice) -> list[Any]: ...

    def __getitem__(self, row: int | slice) -> Any:
        if isinstance(row, slice):
            return [self._one(i) for i in range(*row.indices(self.size))]
        if not -self.size <= row < self.size:
            raise IndexError(row)
        return self._one(row % self.size)

    def __iter__(self) -> Iterator[Any]:
        return (self._one(row) for row in range(self.size))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class ChunkList(_Rows):
    """The chunks of an index in row order, each made when read."""

    def __init__(self, tables: Tables) -> None:
        super().__init__(tables, len(tables.chunk_rows))

    def _one(self, row: int) -> Chunk:
        return self.tables.chunk(row)


class SentenceList(_Rows):
    """The answer sentences of an index in row order, each made when read."""

    def __init__(self, tables: Tables) -> None:
        super().__init__(tables, len(tables.sentence_rows))

    def _one(self, row: int) -> Sentence:
        return self.tables.sentence(row)


def build_tables(
    articles: ArticleTable, chunks: Sequence[Chunk], sentences: Sequence[Sentence]
) -> tuple[Tables, np.ndarray, np.ndarray]:
    """Tables of `chunks` and `sentences` (of articles in `articles`), and the order each was
    sorted in: row i of the tables is `chunks[chunk_order[i]]`, `sentences[sentence_order[i]]`.
    An article's text is rebuilt from its chunks (they cover it)."""
    row_of = {article_id: row for row, article_id in enumerate(articles.ids())}
    missing = {c.article_id for c in chunks} - row_of.keys()
    if missing:
        raise ValueError(f"chunks of articles without a record: {sorted(missing)[:3]}")
    chunk_rows = np.array(
        [(row_of[c.article_id], c.start, c.end) for c in chunks], dtype=np.int32
    ).reshape(-1, 3)
    chunk_order = np.lexsort((chunk_rows[:, START], chunk_rows[:, ARTICLE]))
    chunk_rows = chunk_rows[chunk_order]
    texts = _article_texts([chunks[i] for i in chunk_order], chunk_rows[:, ARTICLE], len(row_of))
    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    sentence_rows = np.array(
        [(row_of.get(s.article_id, -1), s.start, s.end, -1) for s in sentences], dtype=np.int32
    ).reshape(-1, 4)
    if len(sentence_rows) and sentence_rows[:, ARTICLE].min() < 0:
        raise ValueError("sentences of articles without a record")
    sentence_order = np.lexsort((sentence_rows[:, START], sentence_rows[:, ARTICLE]))
    sentence_rows = sentence_rows[sentence_order]
    tables = Tables(
        articles,
        np.frombuffer(b"".join(encoded), dtype=np.uint8),
        offsets,
        chunk_rows,
        sentence_rows,
    )
    _locate_sentences(tables)
    return tables, chunk_order, sentence_order


def _article_texts(
    sorted_chunks: Sequence[Chunk], article_rows: np.ndarray, articles: int
) -> list[str]:
    """Each article's text from its chunks in order (`article_rows[i]` is chunk i's article);
    a gap no chunk covers is kept as spaces, so every offset stays where it was."""
    parts: list[list[str]] = [[] for _ in range(articles)]
    cursor = [0] * articles
    for chunk, row in zip(sorted_chunks, article_rows.tolist(), strict=True):
        article = int(row)
        if chunk.end <= cursor[article]:
            continue
        if chunk.start > cursor[article]:
            parts[article].append(" " * (chunk.start - cursor[article]))
        parts[article].append(chunk.text[max(cursor[article], chunk.start) - chunk.start :])
        cursor[article] = chunk.end
    return ["".join(p) for p in parts]


def _locate_sentences(tables: Tables) -> None:
    """Set each sentence's chunk: the first of its article's chunks that holds it whole."""
    rows = tables.sentence_rows
    for article in np.unique(rows[:, ARTICLE]):
        chunks = tables.chunk_rows[tables.chunk_begin[article] : tables.chunk_begin[article + 1]]
        mine = slice(tables.sentence_begin[article], tables.sentence_begin[article + 1])
        inside = (chunks[None, :, START] <= rows[mine, START, None]) & (
            rows[mine, END, None] <= chunks[None, :, END]
        )
        first = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)
        rows[mine, CHUNK] = np.where(first >= 0, first + tables.chunk_begin[article], -1)
