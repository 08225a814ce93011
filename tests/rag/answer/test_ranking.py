"""The learned sentence ranker: its signals, its stored form (plain numbers), and that the
selector orders candidates by it when one is given, on a stub index."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.answer.ranking import RANK_FEATURES, SentenceRanker, sentence_rankers
from rag.answer.selection import SentenceSelector
from tests.rag.stubs import StubIndex, chunk, passages_of, question

TEXT = chunk(
    "summit",
    "وقال المتحدث إن القمة العربية الروسية مهمة للمنطقة. "
    "وستعقد القمة في موسكو يوم 15 تشرين الأول المقبل. "
    "وأضاف أن التحضيرات جارية.",
)


def _ranker(**weights: float) -> SentenceRanker:
    coef = tuple(weights.get(name, 0.0) for name in RANK_FEATURES)
    n = len(RANK_FEATURES)
    return SentenceRanker(RANK_FEATURES, (0.0,) * n, (1.0,) * n, coef, 0.0)


def test_every_candidate_has_every_signal() -> None:
    selector = SentenceSelector(StubIndex([TEXT]))
    found = selector.candidates(question("متى تعقد القمة العربية الروسية؟"), passages_of([TEXT]))
    assert found is not None and len(found.items) == 3
    assert set(found.signals) == set(RANK_FEATURES)
    assert all(len(values) == 3 for values in found.signals.values())
    # The date sentence has the asked-for kind of answer; the first sentence stands first.
    assert list(found.signals["type_match"]) == [0.0, 1.0, 0.0]
    assert list(found.signals["span_found"]) == [0.0, 1.0, 0.0]
    assert found.signals["position"][0] == 0.0 < found.signals["position"][1]
    assert found.signals["cosine_gap"].min() == 0.0
    # The middle sentence's neighbours are the other two.
    assert "المتحدث" in found.items[1].neighbours and "التحضيرات" in found.items[1].neighbours


def test_the_selector_orders_by_the_ranker_and_keeps_the_hand_score() -> None:
    ask = question("ماذا قال المتحدث عن القمة العربية الروسية؟")
    plain = SentenceSelector(StubIndex([TEXT])).score(ask, passages_of([TEXT]))
    assert all(s.learned is None and s.rank == s.score for s in plain)
    # A ranker that only wants the asked-for kind of answer, or the last sentence.
    last = SentenceSelector(StubIndex([TEXT]), rankers={"ar": _ranker(position=1.0)})
    ranked = last.score(ask, passages_of([TEXT]))
    assert "التحضيرات" in ranked[0].span.text
    assert [s.rank for s in ranked] == sorted((s.rank for s in ranked), reverse=True)
    # The hand score is kept for what is measured in its units (margins, confidence).
    by_span = {s.span.start: s.score for s in plain}
    assert all(s.score == pytest.approx(by_span[s.span.start]) for s in ranked)
    # Another language's ranker is not used.
    english = question("What did the spokesman say about the summit?")
    assert all(s.learned is None for s in last.score(english, passages_of([TEXT])))


def test_the_ranker_is_stored_as_plain_numbers_and_read_back() -> None:
    ranker = _ranker(cosine=2.0, overlap=1.5, position=-0.5)
    stored = json.loads(json.dumps({"ar": ranker.to_json()}))
    assert all(isinstance(v, float) for v in stored["ar"]["coef"])
    again = sentence_rankers(stored)["ar"]
    signals = {name: np.array([0.1 * i, 0.2]) for i, name in enumerate(RANK_FEATURES)}
    assert np.allclose(again.rank(signals), ranker.rank(signals))
    assert sentence_rankers(None) == {}
    with pytest.raises(ValueError, match="sentence ranker: unknown feature"):
        SentenceRanker(("shoe_size",), (0.0,), (1.0,), (1.0,), 0.0)
