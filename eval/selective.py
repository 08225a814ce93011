"""Selective answering: how the three tiers split the questions, how precise the answer tier is,
and how risk falls as the assistant answers fewer questions (the risk-coverage curve).

A question is answered correctly when its answer-tier text holds a gold alias (`answer_hit`).
An unanswerable question (its paragraph is not in the index, or it is off-topic) is never
answered correctly: for it, the only right tiers are related and refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rag.schema import TIERS

CURVE_POINTS = 20


def _share(flags: Sequence[bool]) -> float | None:
    return float(np.mean(flags)) if len(flags) else None


def tier_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Coverage of each tier among answerable questions, precision of the answer tier, and how
    many unanswerable questions reach the answer tier."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answered = [r for r in records if r["tier"] == "answer"]
    return {
        "coverage": {tier: _share([r["tier"] == tier for r in answerable]) for tier in TIERS},
        "answer_precision": _share([bool(r["answerable"] and r["answer_hit"]) for r in answered]),
        "unanswerable_in_answer": _share([r["tier"] == "answer" for r in unanswerable]),
        "unanswerable_refused": _share([r["tier"] == "refused" for r in unanswerable]),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }


def risk_coverage(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Risk (share of wrong answers among those given) when only the most confident questions
    are answered, at each coverage; `aurc` is its area (lower is better)."""
    scored = [r for r in records if r.get("confidence") is not None]
    if not scored:
        return {"coverage": [], "risk": [], "aurc": None}
    order = sorted(scored, key=lambda r: -float(r["confidence"]))
    correct = np.array([bool(r["answerable"] and r["answer_hit"]) for r in order], dtype=float)
    risk = 1.0 - np.cumsum(correct) / np.arange(1, len(order) + 1)
    coverage = np.arange(1, len(order) + 1) / len(order)
    points = np.unique(np.linspace(0, len(order) - 1, min(CURVE_POINTS, len(order))).astype(int))
    return {
        "coverage": [round(float(coverage[i]), 4) for i in points],
        "risk": [round(float(risk[i]), 4) for i in points],
        "aurc": round(float(risk.mean()), 4),
    }


def selective_section(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Tier metrics and the risk-coverage curve, overall and per direction."""
    directions = sorted({r["direction"] for r in records})
    return {
        **tier_metrics(records),
        "risk_coverage": risk_coverage(records),
        "by_direction": {
            d: {
                **tier_metrics([r for r in records if r["direction"] == d]),
                "risk_coverage": risk_coverage([r for r in records if r["direction"] == d]),
            }
            for d in directions
        },
    }
