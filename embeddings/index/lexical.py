"""BM25 over the search tokens of the indexed chunks (`corpus.search_tokens`), in memory.

The FAISS backend builds it from its chunk store on first lexical search; a database backend
uses its own inverted index instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


def bm25_idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency (bm25s, lucene): rare words say more about what is
    asked. The same formula for every backend."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


class Bm25Index:
    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        import bm25s

        self.size = len(documents)
        self._bm25 = bm25s.BM25()
        self._document_frequency = Counter(token for tokens in documents for token in set(tokens))
        if documents:
            # bm25s cannot index an empty document; a token no query has stands in.
            self._bm25.index(
                [list(tokens) or ["\u2205"] for tokens in documents], show_progress=False
            )

    def idf(self, token: str) -> float:
        return bm25_idf(self._document_frequency.get(token, 0), self.size)

    def search(
        self, tokens: Sequence[str], k: int, rows: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """Rows of the best `k` documents with a positive BM25 score, best first; only among
        `rows` when given."""
        if not tokens or not self.size or k <= 0:
            return []
        scores = self._bm25.get_scores(list(tokens))
        if rows is not None:
            kept = np.zeros_like(scores)
            kept[list(rows)] = scores[list(rows)]
            scores = kept
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(int(row), float(scores[row])) for row in ranked if scores[row] > 0]
