"""The report's tier section: what each tier delivers per direction, and the reliability table
(each tier's predicted against observed share right, and the expected calibration error)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eval.reporting.markdown import fmt, table
from rag.schema import STATING, TIERS


def selective_rows(selective: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    rows = [("all", selective)] if selective.get("coverage") else []
    return rows + sorted((selective.get("by_direction") or {}).items())


def selective_cells(m: Mapping[str, Any]) -> list[str]:
    coverage = m.get("coverage") or {}
    right = m.get("right") or {}
    return [
        *(fmt(coverage.get(tier)) for tier in TIERS),
        fmt(m.get("stated_coverage")),
        *(fmt(right.get(tier)) for tier in STATING),
        fmt(m.get("unanswerable_stated")),
        fmt((m.get("reliability") or {}).get("ece")),
        fmt((m.get("risk_coverage") or {}).get("aurc")),
    ]


SELECTIVE_HEADER = [
    "direction",
    "answerable: answer",
    "likely",
    "related",
    "refused",
    "answer+likely",
    "answer right",
    "likely right",
    "unanswerable in answer+likely",
    "ECE",
    "AURC",
]
RELIABILITY_HEADER = ["direction", "tier", "questions", "predicted right", "observed right"]


def reliability_rows(selective: Mapping[str, Any]) -> list[list[str]]:
    """Each tier's predicted (mean confidence) and observed share right, per direction."""
    rows = []
    for direction, metrics in selective_rows(selective):
        levels = (metrics.get("reliability") or {}).get("levels") or {}
        for tier in TIERS:
            level = levels.get(tier) or {}
            if level.get("questions"):
                rows.append(
                    [
                        direction,
                        tier,
                        str(level["questions"]),
                        fmt(level.get("predicted")),
                        fmt(level.get("observed")),
                    ]
                )
    return rows


def selective_section(results: Mapping[str, Any], images: set[str], risk_plot: str) -> list[str]:
    selective = results.get("selective") or {}
    rows = selective_rows(selective)
    if not rows:
        return []
    lines = ["## Selective answering (tiers)", ""]
    lines += table(SELECTIVE_HEADER, [[d, *selective_cells(m)] for d, m in rows])
    lines += [
        "",
        "### Reliability",
        "",
        "Each tier's mean confidence (the predicted share of first sentences that hold the"
        " answer) beside the observed share; a refusal shows no sentence, so its observed share"
        " is n/a. ECE: the expected calibration error over ten equal bins of confidence.",
        "",
    ]
    lines += table(RELIABILITY_HEADER, reliability_rows(selective))
    lines.append("")
    if risk_plot in images:
        lines += [f"![Risk-coverage]({risk_plot})", ""]
    return lines
