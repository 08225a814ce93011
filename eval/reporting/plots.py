"""The report's plots, as PNG files (matplotlib without a display)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DIRECTION_METRICS = ("recall@1", "recall@10", "mrr@10", "ndcg@10")


def methods_of(results: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return dict(results.get("methods") or {})


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def plot_recall_curves(results: Mapping[str, Any], path: Path) -> bool:
    curves = {
        method: sorted((int(k), float(v)) for k, v in data["recall_curve"].items())
        for method, data in methods_of(results).items()
        if data.get("recall_curve")
    }
    if not curves:
        return False
    figure = _new_figure(6, 4)
    axes = figure.add_subplot()
    for method, points in curves.items():
        ks, values = zip(*points, strict=True)
        axes.plot(ks, values, marker="o", label=method)
    axes.set(xlabel="k", ylabel="recall@k", ylim=(0, 1.02), title="Recall@k by method")
    axes.set_xticks(sorted({k for points in curves.values() for k, _ in points}))
    axes.grid(alpha=0.3)
    axes.legend()
    figure.savefig(path, format="png")
    return True


def plot_by_direction(results: Mapping[str, Any], path: Path) -> bool:
    methods = {m: d.get("by_direction") or {} for m, d in methods_of(results).items()}
    directions = sorted({direction for by in methods.values() for direction in by})
    if not directions:
        return False
    figure = _new_figure(5 * len(directions), 4)
    positions = np.arange(len(DIRECTION_METRICS))
    width = 0.8 / len(methods)
    for index, direction in enumerate(directions):
        axes = figure.add_subplot(1, len(directions), index + 1)
        for offset, (method, by) in enumerate(methods.items()):
            metrics = by.get(direction) or {}
            values = [metrics.get(key, np.nan) for key in DIRECTION_METRICS]
            axes.bar(positions + offset * width, values, width, label=method)
        axes.set_xticks(positions + width * (len(methods) - 1) / 2, DIRECTION_METRICS)
        axes.set(ylim=(0, 1.02), title=direction)
        axes.grid(axis="y", alpha=0.3)
        axes.legend(fontsize="small")
    figure.savefig(path, format="png")
    return True


def plot_confidence(results: Mapping[str, Any], path: Path) -> bool:
    """One histogram of the confidence per question language, with both tier thresholds."""
    by_language = {
        language: group
        for language, group in (results.get("scores") or {}).items()
        if isinstance(group, Mapping) and (group.get("answerable") or group.get("unanswerable"))
    }
    if not by_language:
        return False
    figure = _new_figure(6 * len(by_language), 4)
    for column, (language, group) in enumerate(sorted(by_language.items()), start=1):
        axes = figure.add_subplot(1, len(by_language), column)
        values = {
            name: np.asarray(group.get(name) or [], dtype=float)
            for name in ("answerable", "unanswerable")
        }
        bins = np.linspace(0, 1, 21).tolist()
        for name, v in values.items():
            if v.size:
                axes.hist(v, bins=bins, alpha=0.6, label=f"{name} (n={v.size})")
        for tier, style in (("answer", "--"), ("likely", "-."), ("related", ":")):
            threshold = (group.get("thresholds") or {}).get(tier)
            if threshold is not None:
                axes.axvline(
                    threshold, color="black", linestyle=style, label=f"{tier} ≥ {threshold:.2f}"
                )
        axes.set(xlabel="confidence", ylabel="questions", title=f"{language} questions")
        axes.legend(fontsize="small")
    figure.savefig(path, format="png")
    return True


def plot_risk_coverage(results: Mapping[str, Any], path: Path) -> bool:
    """Risk (wrong answers among those given) against coverage, per direction."""
    by_direction = (results.get("selective") or {}).get("by_direction") or {}
    curves = {
        d: m["risk_coverage"] for d, m in by_direction.items() if m["risk_coverage"]["coverage"]
    }
    if not curves:
        return False
    figure = _new_figure(6, 4)
    axes = figure.add_subplot()
    for direction, curve in sorted(curves.items()):
        axes.plot(
            curve["coverage"],
            curve["risk"],
            marker=".",
            label=f"{direction} (AURC {curve['aurc']:.3f})",
        )
    axes.set(
        xlabel="coverage (share of questions answered)",
        ylabel="risk (share answered wrongly)",
        xlim=(0, 1),
        ylim=(0, 1),
        title="Risk-coverage",
    )
    axes.grid(alpha=0.3)
    axes.legend()
    figure.savefig(path, format="png")
    return True
