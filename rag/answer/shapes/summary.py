"""A summary: a few sentences that are central to what was retrieved and say different things,
chosen by maximal marginal relevance (each next sentence scores best on its match to the
question less its likeness to the ones already chosen), across articles. A sentence another
article tells in nearly the same words is not a new point: it is cited on the line it repeats
("reported by 2 articles")."""

from __future__ import annotations

import numpy as np

from rag.answer.shapes.compose import Lines, counted
from rag.answer.shapes.pool import Found, Pool
from rag.answer.shapes.speaker import same_words
from rag.question.broad import Shape
from rag.schema import Answer

MAX_POINTS = 6
# Relevance against novelty: the weight of the match to the question (Carbonell and
# Goldstein's MMR; 0.7 is the usual balance for summaries).
RELEVANCE = 0.7


def _chosen(relevant: list[Found]) -> list[Found]:
    vectors = np.stack([f.vector for f in relevant])
    scores = np.array([f.score for f in relevant])
    chosen: list[int] = []
    likeness = np.full(len(relevant), -1.0)
    while len(chosen) < min(MAX_POINTS, len(relevant)):
        gain = RELEVANCE * scores - (1 - RELEVANCE) * np.where(likeness < -0.5, 0.0, likeness)
        gain[chosen] = -np.inf
        pick = int(np.argmax(gain))
        chosen.append(pick)
        likeness = np.maximum(likeness, vectors @ vectors[pick])
    return [relevant[i] for i in chosen]


def summary(pool: Pool, margin: float) -> Answer | None:
    """The main points of the retrieved sentences, or None when there are none."""
    relevant = pool.relevant(margin)
    if not relevant:
        return None
    points = _chosen(relevant)
    lines = Lines(pool)
    for point in points:
        others = [
            f
            for f in relevant
            if f.article_id != point.article_id and f not in points and same_words(point, f)
        ]
        also = list({f.article_id: f for f in reversed(others)}.values())
        lines.add(point, also)
    lead = counted(lines, "summary", "point", len(points))
    return lines.answer(Shape.SUMMARY, lead)
