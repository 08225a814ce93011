"""BM25 over Arabic-normalized, lightly stemmed tokens of the indexed chunks."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from corpus import Chunk, search_tokens


def lexical_text(chunk: Chunk) -> str:
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


class LexicalIndex:
    """An in-memory BM25 index, rebuilt from the chunk store when the index loads."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._size = len(chunks)
        self._bm25 = bm25s.BM25()
        if chunks:
            self._bm25.index(
                [search_tokens(lexical_text(c)) or ["\u2205"] for c in chunks], show_progress=False
            )

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
