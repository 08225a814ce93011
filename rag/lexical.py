"""BM25 over Arabic-normalized, lightly stemmed tokens of the indexed chunks."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import bm25s
import numpy as np

from corpus import Chunk, search_tokens


class LexicalIndex:
    """An in-memory BM25 index, rebuilt from the chunk store when the index loads."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._size = len(chunks)
        self._bm25 = bm25s.BM25()
        tokenized = [search_tokens(c.search_text) for c in chunks]
        self._document_frequency = Counter(token for tokens in tokenized for token in set(tokens))
        if chunks:
            self._bm25.index([tokens or ["\u2205"] for tokens in tokenized], show_progress=False)

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency: rare words say more about what is asked."""
        df = self._document_frequency.get(token, 0)
        return math.log(1 + (self._size - df + 0.5) / (df + 0.5))

    def overlap(self, query_tokens: Sequence[str], text: str) -> float:
        """Share of the query's IDF mass whose tokens occur in `text` (0 to 1)."""
        wanted = {token: self.idf(token) for token in query_tokens}
        total = sum(wanted.values())
        if not total:
            return 0.0
        present = set(search_tokens(text))
        return sum(weight for token, weight in wanted.items() if token in present) / total

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Rows of the best `k` chunks with a positive BM25 score, best first."""
        tokens = search_tokens(query)
        if not tokens or not self._size or k <= 0:
            return []
        scores = self._bm25.get_scores(tokens)
        k = min(k, self._size)
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(int(row), float(scores[row])) for row in ranked if scores[row] > 0]
