"""A large index made from a small one without embedding new text, so query latency and memory
can be measured at a realistic index size in minutes (section 3b of `bench.run`, and
`bench.distributed`). Retrieval quality on it means nothing: every paragraph is there many times.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any


def replicate_index(source: Any, target_chunks: int, sigma: float, seed: int) -> Any:
    """A `target_chunks`-chunk index made of copies of `source` under new article ids.

    Copy 0 is the source itself; every further copy gets ids `<id>~r<copy>` and its chunk and
    sentence vectors get seeded N(0, sigma) noise and are re-normalized, so no two copies are
    identical. No text is embedded. The last copy is cut at exactly `target_chunks` chunks.
    """
    import numpy as np

    from embeddings.index.faiss.index import FaissIndex

    if not source.chunks:
        raise ValueError("cannot replicate an empty index")
    rng = np.random.default_rng(seed)
    copies = math.ceil(target_chunks / len(source.chunks))
    chunks, chunk_vectors, sentences, sentence_vectors = _copies(source, copies, rng, sigma)
    chunks = chunks[:target_chunks]
    vectors = np.concatenate(chunk_vectors)[:target_chunks]
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.article_id] = counts.get(chunk.article_id, 0) + 1
    all_sentence_vectors = np.concatenate(sentence_vectors)
    rows = [row for row, s in enumerate(sentences) if s.article_id in counts]
    return FaissIndex.build(
        _manifest(source.manifest, counts),
        chunks,
        vectors,
        [sentences[r] for r in rows],
        all_sentence_vectors[rows],
    )


def _copies(source: Any, copies: int, rng: Any, sigma: float) -> tuple[list, list, list, list]:
    """Chunks, chunk vectors, sentences and sentence vectors of `copies` renamed copies.

    The noise is drawn copy by copy, chunks before sentences, so a seed gives one index.
    """
    import numpy as np

    from embeddings.index.protocol import Sentence

    def noisy(vectors: np.ndarray) -> np.ndarray:
        moved = vectors + rng.normal(0.0, sigma, vectors.shape).astype(np.float32)
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        return (moved / np.maximum(norms, 1e-12)).astype(np.float32)

    chunks, chunk_vectors, sentences, sentence_vectors = [], [], [], []
    for copy in range(copies):

        def rename(article_id: str, copy: int = copy) -> str:
            return article_id if copy == 0 else f"{article_id}~r{copy:03d}"

        chunks += [
            dataclasses.replace(
                c, id=f"{rename(c.article_id)}:{c.start}-{c.end}", article_id=rename(c.article_id)
            )
            for c in source.chunks
        ]
        sentences += [Sentence(rename(s.article_id), s.start, s.end) for s in source.sentences]
        chunk_vectors.append(source.vectors if copy == 0 else noisy(source.vectors))
        sentence_vectors.append(
            source.sentence_vectors if copy == 0 else noisy(source.sentence_vectors)
        )
    return chunks, chunk_vectors, sentences, sentence_vectors


def _manifest(old: Any, counts: dict[str, int]) -> Any:
    """The source's manifest with one record per kept copy, each naming its chunk count."""
    from embeddings.index.manifest import ArticleRecord, Manifest

    records = {}
    for article_id, count in counts.items():
        original = old.articles[article_id.split("~r", 1)[0]]
        records[article_id] = ArticleRecord(**{**dataclasses.asdict(original), "chunks": count})
    return Manifest(
        model_id=old.model_id,
        weights_sha256=old.weights_sha256,
        dimension=old.dimension,
        chunker=dict(old.chunker),
        articles=records,
        ann=None,
    )
