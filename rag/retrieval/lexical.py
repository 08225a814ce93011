"""Word overlap weighted by rarity: how much of what a question names a text also names."""

from __future__ import annotations

from collections.abc import Mapping

from corpus import search_tokens


def idf_overlap(idf: Mapping[str, float], text: str) -> float:
    """Share of the question's IDF mass (`idf`: its search tokens and their inverse document
    frequencies) whose tokens occur in `text`, from 0 to 1."""
    total = sum(idf.values())
    if not total:
        return 0.0
    present = set(search_tokens(text))
    return sum(weight for token, weight in idf.items() if token in present) / total
