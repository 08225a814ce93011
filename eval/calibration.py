"""Refusal thresholds chosen on data: the score below which the corpus is judged to lack the answer.

For each question language, the threshold is the highest score that still answers all but
`max_false_refusal` of the answerable questions of a calibration set. The calibration set is the
even-numbered articles of a SQuAD-format set (XQuAD by default) with its no-answer variant; the
odd-numbered articles stay held out for evaluation, and the seed questions are never used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

MAX_FALSE_REFUSAL = 0.05


def threshold_for(
    answerable: Sequence[float], max_false_refusal: float = MAX_FALSE_REFUSAL
) -> float:
    """The highest threshold that refuses at most `max_false_refusal` of the answerable scores."""
    if not answerable:
        raise ValueError("no answerable questions to calibrate on")
    return float(
        np.quantile(np.asarray(answerable, dtype=float), max_false_refusal, method="lower")
    )


def calibrate(
    scores: Mapping[str, Mapping[str, Sequence[float]]],
    max_false_refusal: float = MAX_FALSE_REFUSAL,
) -> dict[str, Any]:
    """Thresholds per language from `{"ar": {"answerable": [...], "unanswerable": [...]}, ...}`,
    with the refusal rates they give on the calibration data itself."""
    thresholds: dict[str, Any] = {}
    stats: dict[str, Any] = {}
    for language, group in sorted(scores.items()):
        answerable = list(group.get("answerable") or [])
        unanswerable = list(group.get("unanswerable") or [])
        threshold = threshold_for(answerable, max_false_refusal)
        thresholds[f"refusal_threshold_{language}"] = round(threshold, 6)
        stats[language] = {
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "false_refusal_rate": float(np.mean(np.asarray(answerable) < threshold)),
            "refusal_accuracy": float(np.mean(np.asarray(unanswerable) < threshold))
            if unanswerable
            else None,
        }
    return {
        **thresholds,
        "max_false_refusal": max_false_refusal,
        "calibration_stats": stats,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_calibration(calibration: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(calibration, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
