"""Query and passage vectors with a bounded cache, safe to share between threads.

Repeated and follow-up questions reuse their query vectors. The sentences of indexed passages
have stored vectors; what is embedded here on the passage side is new wording, such as an LLM's
answer sentences when they are verified.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from embeddings.model.embedder import Embedder


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, key: str) -> np.ndarray | None:
        vector = self.items.get(key)
        if vector is not None:
            self.items.move_to_end(key)
        return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        self.items[key] = vector
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class CachedEncoder:
    def __init__(self, embedder: Embedder, cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self._queries = _LRU(max(1, cache_size // 10))
        self._passages = _LRU(cache_size)
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], cache: _LRU, encode) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        # The app answers several users at once; an OrderedDict is not safe to reorder from
        # two threads. The model call runs outside the lock.
        with self._lock:
            found = {text: cache.get(text) for text in dict.fromkeys(texts)}
        missing = [text for text, vector in found.items() if vector is None]
        if missing:
            vectors = encode(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    found[text] = vector
                    cache.put(text, vector)
        return np.stack([vector for text in texts if (vector := found[text]) is not None])

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._queries, self.embedder.embed_queries)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passages, self.embedder.embed_passages)

    def query(self, text: str) -> np.ndarray:
        return self.queries([text])[0]
