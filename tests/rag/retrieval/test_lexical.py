"""Word overlap weighted by rarity."""

from __future__ import annotations

import pytest

from corpus import search_tokens
from rag.retrieval import idf_overlap


def test_overlap_is_the_share_of_idf_mass_present() -> None:
    # The question's search tokens, a rare name and a common word.
    idf = dict(zip(search_tokens("لافروف وزير"), (3.0, 1.0), strict=True))
    assert idf_overlap(idf, "التقى لافروف نظيره") == pytest.approx(0.75)
    assert idf_overlap(idf, "التقى الوزير لافروف") == pytest.approx(1.0)  # stems match
    assert idf_overlap(idf, "لا شيء هنا") == 0.0


def test_no_tokens_no_overlap() -> None:
    assert idf_overlap({}, "أي نص") == 0.0
