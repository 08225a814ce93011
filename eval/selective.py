"""Selective answering: how the four tiers split the questions, how often each stating tier is
right, how risk falls as the assistant answers fewer questions (the risk-coverage curve), and
how reliable the confidence is (predicted against observed share right, per tier and binned).

An answer is right when its first sentence holds a gold alias (`first_hit`), which is what the
confidence predicts. An unanswerable question (its paragraph is not in the index, or it is
off-topic) is never answered right: for it, the only right tiers are related and refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rag.schema import STATING, TIERS

CURVE_POINTS = 20
RELIABILITY_BINS = 10


def _share(flags: Sequence[float]) -> float | None:
    return float(np.mean(flags)) if len(flags) else None


def right(record: Mapping[str, Any]) -> bool:
    """The first sentence shown holds a gold alias of an answerable question."""
    return bool(record["answerable"] and record.get("first_hit"))


def tier_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Coverage of each tier among answerable questions, how often the answer and likely tiers
    are right, and how many unanswerable questions reach them or are refused."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    return {
        "coverage": {tier: _share([r["tier"] == tier for r in answerable]) for tier in TIERS},
        "stated_coverage": _share([r["tier"] in STATING for r in answerable]),
        "right": {
            tier: _share([right(r) for r in records if r["tier"] == tier]) for tier in STATING
        },
        "unanswerable_stated": _share([r["tier"] in STATING for r in unanswerable]),
        "unanswerable_in_answer": _share([r["tier"] == "answer" for r in unanswerable]),
        "unanswerable_refused": _share([r["tier"] == "refused" for r in unanswerable]),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }


def reliability(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per tier: its questions, their mean confidence (predicted share right) and the share
    right (observed, over those that show a first sentence: a refusal shows none); and the
    expected calibration error over `RELIABILITY_BINS` equal bins of confidence."""
    levels = {}
    for tier in TIERS:
        group = [r for r in records if r["tier"] == tier and r.get("confidence") is not None]
        shown = [r for r in group if r.get("first_hit") is not None]
        levels[tier] = {
            "questions": len(group),
            "predicted": _share([float(r["confidence"]) for r in group]),
            "observed": _share([right(r) for r in shown]),
        }
    known = [
        r for r in records if r.get("confidence") is not None and r.get("first_hit") is not None
    ]
    if not known:
        return {"levels": levels, "ece": None}
    confidence = np.array([float(r["confidence"]) for r in known])
    correct = np.array([right(r) for r in known], dtype=float)
    bins = np.minimum((confidence * RELIABILITY_BINS).astype(int), RELIABILITY_BINS - 1)
    ece = sum(
        abs(confidence[bins == b].mean() - correct[bins == b].mean()) * (bins == b).sum()
        for b in np.unique(bins)
    ) / len(known)
    return {"levels": levels, "ece": round(float(ece), 4), "questions": len(known)}


def risk_coverage(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Risk (share of wrong answers among those given) when only the most confident questions
    are answered, at each coverage; `aurc` is its area (lower is better)."""
    scored = [r for r in records if r.get("confidence") is not None]
    if not scored:
        return {"coverage": [], "risk": [], "aurc": None}
    order = sorted(scored, key=lambda r: -float(r["confidence"]))
    correct = np.array([right(r) for r in order], dtype=float)
    risk = 1.0 - np.cumsum(correct) / np.arange(1, len(order) + 1)
    coverage = np.arange(1, len(order) + 1) / len(order)
    points = np.unique(np.linspace(0, len(order) - 1, min(CURVE_POINTS, len(order))).astype(int))
    return {
        "coverage": [round(float(coverage[i]), 4) for i in points],
        "risk": [round(float(risk[i]), 4) for i in points],
        "aurc": round(float(risk.mean()), 4),
    }


def _section(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        **tier_metrics(records),
        "reliability": reliability(records),
        "risk_coverage": risk_coverage(records),
    }


def selective_section(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Tier metrics, reliability and the risk-coverage curve, overall and per direction."""
    directions = sorted({r["direction"] for r in records})
    return {
        **_section(records),
        "by_direction": {
            d: _section([r for r in records if r["direction"] == d]) for d in directions
        },
    }
