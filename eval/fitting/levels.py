"""The three thresholds that make the four tiers, each chosen for what its tier must deliver.

Each target must hold on every source the thresholds are fitted on (XQuAD and ARCD; a set of
off-topic questions counts with the index it was asked of), not on their mix alone: a mix
precise enough on average can be far off on the harder source, as ARCD showed. A share counts
as met when its one-sided 95% Wilson bound meets the target, so a threshold that meets it by
the luck of a few questions is not taken.

- `answer`: the lowest threshold above which the first sentence holds the answer at least
  `answer_right` of the time (unanswerable questions count as wrong).
- `likely`: the lowest threshold below `answer` whose band is right at least `likely_right` of
  the time, while at most `stated_unanswerable` of the no-answer variants (the question's
  paragraph removed, its siblings left) reach the answer or likely tier.
- `related`: the highest threshold below `likely` under which at most `answerable_refused` of
  the answerable questions fall, and at least `refusal_right` of those under it have no answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.answer.confidence import TierThresholds

Z = 1.645  # one-sided 95%


@dataclass(frozen=True)
class Targets:
    answer_right: float = 0.90
    likely_right: float = 0.70
    stated_unanswerable: float = 0.15
    answerable_refused: float = 0.05
    refusal_right: float = 0.95


@dataclass(frozen=True)
class Scored:
    """One question as the thresholds see it."""

    confidence: float
    right: bool  # answerable, and the first sentence holds the answer
    answerable: bool
    variant: bool  # a no-answer variant: its paragraph removed from the index
    source: str  # "xquad", "arcd", ...


def wilson(successes: float, n: float, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a share `successes / n` (n > 0)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _at_least(successes: float, n: float, target: float) -> bool:
    return n == 0 or wilson(successes, n)[0] >= target


def _at_most(successes: float, n: float, target: float) -> bool:
    return n == 0 or wilson(successes, n)[1] <= target


class _Source:
    def __init__(self, items: Sequence[Scored]) -> None:
        self.c = np.array([i.confidence for i in items], dtype=float)
        self.right = np.array([i.right for i in items], dtype=bool)
        self.answerable = np.array([i.answerable for i in items], dtype=bool)
        self.variant = np.array([i.variant for i in items], dtype=bool)

    def band(self, low: float, high: float) -> np.ndarray:
        return (self.c >= low) & (self.c < high)


def _lowest(candidates: np.ndarray, valid: list[bool], default: float) -> float:
    ok = candidates[np.asarray(valid, dtype=bool)]
    return float(ok.min()) if len(ok) else default


def _right_in(source: _Source, low: float, high: float, target: float) -> bool:
    band = source.band(low, high)
    return _at_least(source.right[band].sum(), band.sum(), target)


def choose_thresholds(items: Sequence[Scored], targets: Targets = Targets()) -> TierThresholds:
    names = sorted({i.source for i in items})
    sources = [_Source([i for i in items if i.source == name]) for name in names]
    candidates = np.unique([i.confidence for i in items])
    answer = _lowest(
        candidates,
        [all(_right_in(s, t, np.inf, targets.answer_right) for s in sources) for t in candidates],
        1.0,
    )
    below = candidates[candidates <= answer]
    likely = _lowest(
        below,
        [
            all(
                _right_in(s, t, answer, targets.likely_right)
                and _at_most(
                    (s.c[s.variant] >= t).sum(), s.variant.sum(), targets.stated_unanswerable
                )
                for s in sources
            )
            for t in below
        ],
        answer,
    )
    return TierThresholds(answer=answer, likely=likely, related=_related(sources, likely, targets))


def _related(sources: Sequence[_Source], likely: float, targets: Targets) -> float:
    c = np.concatenate([s.c for s in sources])
    answerable = np.concatenate([s.answerable for s in sources])
    valid = [0.0]
    for t in np.unique(c[c <= likely]):
        under = c < t
        if under.any() and (~answerable[under]).mean() < targets.refusal_right:
            continue
        if all(
            _at_most((s.c[s.answerable] < t).sum(), s.answerable.sum(), targets.answerable_refused)
            for s in sources
        ):
            valid.append(float(t))
    return max(valid)
