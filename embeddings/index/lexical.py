"""BM25 over the search tokens of the indexed chunks (`corpus.search_tokens`), as arrays.

The FAISS backend stores these arrays in its index folder and memory-maps them, so a large index
starts without tokenizing a single chunk, and a query reads only the postings of its own tokens.
A database backend uses its own inverted index instead (Milvus: the same formula in the engine).

Scores are bm25s's (method and idf "lucene", k1 1.5, b 0.75, float32): for token t in chunk d,
idf(t) * tf / (tf + k1 * (1 - b + b * len(d) / mean len)). A chunk without tokens counts as one
placeholder token, as bm25s indexes it. The postings keep raw term frequencies, so an ingest can
keep the postings of unchanged chunks and add new ones (`Postings.take`, `Postings.concat`)
without tokenizing the unchanged chunks again.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.5
B = 0.75
# What bm25s indexes for a chunk that has no token.
EMPTY_TOKEN = "\u2205"


def bm25_idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency (bm25s, lucene): rare words say more about what is
    asked. The same formula for every backend."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


class Vocabulary(Sequence[str]):
    """Sorted tokens as one UTF-8 blob and the offsets of each: searchable without decoding it
    all (a binary search decodes about 20 tokens)."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def of(cls, tokens: Sequence[str]) -> Vocabulary:
        """`tokens` must be sorted and distinct."""
        encoded = [token.encode("utf-8") for token in tokens]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> str:  # type: ignore[override]
        return bytes(self.blob[self.offsets[row] : self.offsets[row + 1]]).decode("utf-8")

    def find(self, token: str) -> int | None:
        row = bisect_left(self, token)
        return row if row < len(self) and self[row] == token else None


@dataclass
class Postings:
    """For each vocabulary token (sorted), the chunks that hold it and how often: the chunk
    rows `docs[indptr[t]:indptr[t + 1]]` with term frequencies `tf[...]`; `lengths[d]` is the
    number of tokens of chunk d."""

    vocabulary: Vocabulary
    indptr: np.ndarray
    docs: np.ndarray
    tf: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, documents: Sequence[Sequence[str]]) -> Postings:
        counts = [Counter(tokens or [EMPTY_TOKEN]) for tokens in documents]
        tokens = sorted({token for count in counts for token in count})
        ids = {token: row for row, token in enumerate(tokens)}
        token_ids = np.fromiter((ids[token] for count in counts for token in count), dtype=np.int64)
        docs = np.repeat(np.arange(len(counts), dtype=np.int32), [len(c) for c in counts])
        tf = np.fromiter((n for count in counts for n in count.values()), dtype=np.int32)
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.int32)
        return cls._sorted(Vocabulary.of(tokens), token_ids, docs, tf, lengths)

    @classmethod
    def _sorted(
        cls,
        vocabulary: Vocabulary,
        token_ids: np.ndarray,
        docs: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
    ) -> Postings:
        order = np.argsort(token_ids, kind="stable")
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(token_ids, minlength=len(vocabulary)), out=indptr[1:])
        return cls(vocabulary, indptr, docs[order], tf[order], lengths)

    @property
    def size(self) -> int:
        return len(self.lengths)

    def _token_ids(self) -> np.ndarray:
        """The token of each posting."""
        return np.repeat(np.arange(len(self.vocabulary), dtype=np.int64), np.diff(self.indptr))

    def take(self, rows: np.ndarray) -> Postings:
        """The postings of chunks `rows` (in that order, renumbered from 0); tokens that no
        kept chunk holds are dropped."""
        new_row = np.full(self.size, -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        kept = new_row[self.docs] >= 0
        token_ids = self._token_ids()[kept]
        used = np.unique(token_ids)
        vocabulary = Vocabulary.of([self.vocabulary[int(t)] for t in used])
        return Postings._sorted(
            vocabulary,
            np.searchsorted(used, token_ids),
            new_row[self.docs[kept]].astype(np.int32),
            self.tf[kept],
            self.lengths[rows],
        )

    def concat(self, other: Postings) -> Postings:
        """These chunks, then `other`'s (numbered after them), over the union of tokens."""
        mine, theirs = list(self.vocabulary), list(other.vocabulary)
        tokens = sorted(set(mine) | set(theirs))
        ids = {token: row for row, token in enumerate(tokens)}
        remap_mine = np.array([ids[t] for t in mine], dtype=np.int64)
        remap_theirs = np.array([ids[t] for t in theirs], dtype=np.int64)
        token_ids = np.concatenate(
            [remap_mine[self._token_ids()], remap_theirs[other._token_ids()]]
        )
        return Postings._sorted(
            Vocabulary.of(tokens),
            token_ids,
            np.concatenate([self.docs, other.docs + self.size]).astype(np.int32),
            np.concatenate([self.tf, other.tf]),
            np.concatenate([self.lengths, other.lengths]),
        )

    def renumber(self, new_row: np.ndarray) -> Postings:
        """The same postings with chunk d renumbered `new_row[d]`."""
        lengths = np.empty_like(self.lengths)
        lengths[new_row] = self.lengths
        return Postings(
            self.vocabulary, self.indptr, new_row[self.docs].astype(np.int32), self.tf, lengths
        )


class Bm25Index:
    """BM25 search over `Postings` (held in memory or memory-mapped)."""

    def __init__(self, postings: Postings) -> None:
        self.postings = postings
        self.size = postings.size
        self._mean_length = float(postings.lengths.mean()) if self.size else 0.0

    @classmethod
    def of(cls, documents: Sequence[Sequence[str]]) -> Bm25Index:
        return cls(Postings.of(documents))

    def document_frequency(self, token: str) -> int:
        row = self.postings.vocabulary.find(token)
        return 0 if row is None else int(self.postings.indptr[row + 1] - self.postings.indptr[row])

    def idf(self, token: str) -> float:
        return bm25_idf(self.document_frequency(token), self.size)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every chunk (a repeated query token counts again, as in bm25s)."""
        postings = self.postings
        total = np.zeros(self.size, dtype=np.float32)
        for token in tokens:
            row = postings.vocabulary.find(token)
            if row is None:
                continue
            begin, end = int(postings.indptr[row]), int(postings.indptr[row + 1])
            docs, tf = postings.docs[begin:end], postings.tf[begin:end].astype(np.float32)
            idf = np.float32(bm25_idf(end - begin, self.size))
            norm = K1 * ((1 - B) + B * postings.lengths[docs] / self._mean_length)
            total[docs] += idf * (tf / (norm.astype(np.float32) + tf))
        return total

    def search(
        self, tokens: Sequence[str], k: int, rows: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """Rows of the best `k` documents with a positive BM25 score, best first; only among
        `rows` when given."""
        if not tokens or not self.size or k <= 0:
            return []
        scores = self.scores(tokens)
        if rows is not None:
            kept = np.zeros_like(scores)
            kept[list(rows)] = scores[list(rows)]
            scores = kept
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(int(row), float(scores[row])) for row in ranked if scores[row] > 0]
