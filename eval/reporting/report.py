"""Evaluation report: `report.md` with PNG plots, and the summary table the CLI prints.

Results schema. The runner writes exactly these keys; every part except "dataset" may be
missing, empty or null, and its section of the report is then skipped:

    {
      "dataset": str,                      # e.g. "xquad.ar", "xquad.en+xquad.ar", "seed_qa"
      "created": str,                      # ISO 8601 timestamp
      "config": {str: JSON value},         # models, k, threshold, ...; echoed as given
      "methods": {
        "<method>": {                      # "bm25" | "dense" | "hybrid"
          "retrieval": {"recall@1": float, "recall@5": float, "recall@10": float,
                        "mrr@10": float, "ndcg@10": float},
          "recall_curve": {"1": float, ..., "10": float},      # mean recall@k, k = 1..10
          "by_direction": {"ar-ar": {<retrieval keys>}, "en-ar": {<retrieval keys>}},
        },
      },
      "answers": {"answer_hit": float, "evidence_hit": float, "sentence_match": float | null,
                  "token_f1": float, "by_direction": {"ar-ar": {<these keys>}, "en-ar": {...}}},
      "grounding": {"citation_validity": float | null, "citation_support": float | null,
                    "refusal_accuracy": float | null, "false_refusal_rate": float | null,
                    "false_answer_rate": float | null},
      "selective": {"coverage": {"answer": float, "likely": float, "related": float,
                                 "refused": float},
                    "stated_coverage": float, "right": {"answer": float, "likely": float},
                    "unanswerable_stated": float, "unanswerable_in_answer": float,
                    "unanswerable_refused": float,
                    "reliability": {"levels": {"<tier>": {"questions": int,
                                    "predicted": float, "observed": float | null}},
                                    "ece": float},
                    "risk_coverage": {"coverage": [float], "risk": [float], "aurc": float},
                    "by_direction": {<these keys>}},
      "scores": {"<question language>": {"answerable": [float], "unanswerable": [float],
                                         "thresholds": {"answer": float, "likely": float,
                                                        "related": float}}},
      "latency_ms": {"p50": float, "p95": float, "mean": float},
      "records": [eval.metrics.AnswerRecord, ...],                  # one per question
    }

Retrieval metric keys are `eval.metrics.RETRIEVAL_KEYS`; rates are shares in [0, 1].
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.anchors import HOW_TO_READ, PUBLISHED_ANCHORS
from eval.metrics import RETRIEVAL_KEYS
from eval.reporting.markdown import aligned, fmt, table
from eval.reporting.misses import worst_misses_section
from eval.reporting.plots import (
    methods_of,
    plot_by_direction,
    plot_confidence,
    plot_recall_curves,
    plot_risk_coverage,
)
from eval.reporting.tiers import (
    RELIABILITY_HEADER,
    SELECTIVE_HEADER,
    reliability_rows,
    selective_cells,
    selective_rows,
    selective_section,
)

RECALL_PLOT = "recall_at_k.png"
DIRECTION_PLOT = "metrics_by_direction.png"
SCORE_PLOT = "confidence_histogram.png"
RISK_PLOT = "risk_coverage.png"
ANSWER_KEYS = ("answer_hit", "evidence_hit", "sentence_match", "token_f1")
GROUNDING_KEYS = (
    "citation_validity",
    "citation_support",
    "refusal_accuracy",
    "false_refusal_rate",
    "false_answer_rate",
)


def _main_method(results: Mapping[str, Any]) -> str | None:
    methods = methods_of(results)
    if "hybrid" in methods:
        return "hybrid"
    return next(iter(methods), None)


def _retrieval_rows(results: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    rows: list[tuple[str, str, Mapping[str, Any]]] = []
    for method, data in methods_of(results).items():
        if data.get("retrieval"):
            rows.append((method, "all", data["retrieval"]))
        for direction, metrics in sorted((data.get("by_direction") or {}).items()):
            rows.append((method, direction, metrics))
    return rows


def _header(results: Mapping[str, Any]) -> list[str]:
    lines = [f"# Evaluation report: {results.get('dataset', 'unnamed')}", ""]
    if results.get("created"):
        lines += [f"Created {results['created']}.", ""]
    config = results.get("config") or {}
    if config:
        lines += ["Configuration:", ""]
        lines += [
            f"- `{key}`: `{json.dumps(value, ensure_ascii=False)}`" for key, value in config.items()
        ]
        lines.append("")
    return [*lines, "## How to read this report", "", HOW_TO_READ, ""]


def _retrieval_section(results: Mapping[str, Any], images: set[str]) -> list[str]:
    rows = _retrieval_rows(results)
    if not rows:
        return []
    lines = ["## Retrieval", ""]
    lines += table(
        ["method", "direction", *RETRIEVAL_KEYS],
        [[m, d, *(fmt(metrics.get(key)) for key in RETRIEVAL_KEYS)] for m, d, metrics in rows],
    )
    lines += ["", f"Published nDCG@10, {PUBLISHED_ANCHORS.retrieval_task}:", ""]
    lines += table(
        ["model", "nDCG@10"],
        [[model, f"{value:.3f}"] for model, value in PUBLISHED_ANCHORS.ndcg_at_10.items()],
    )
    lines.append("")
    if RECALL_PLOT in images:
        lines += [f"![Recall@k by method]({RECALL_PLOT})", ""]
    if DIRECTION_PLOT in images:
        lines += [f"![Retrieval metrics by direction]({DIRECTION_PLOT})", ""]
    return lines


def _answers_section(results: Mapping[str, Any]) -> list[str]:
    answers = results.get("answers") or {}
    rows = [("all", answers)] if any(key in answers for key in ANSWER_KEYS) else []
    rows += sorted((answers.get("by_direction") or {}).items())
    if not rows:
        return []
    lines = ["## Answers", ""]
    lines += table(
        ["direction", *ANSWER_KEYS],
        [[d, *(fmt(metrics.get(key)) for key in ANSWER_KEYS)] for d, metrics in rows],
    )
    lines += [
        "",
        f"Published EM/F1, {PUBLISHED_ANCHORS.reader_task}. They score a short extracted span;"
        " token_f1 here scores the whole answer text, so compare trends, not values:",
        "",
    ]
    lines += table(
        ["reader", "EM", "F1"],
        [
            [name, f"{em:.1f}", f"{f1:.1f}"]
            for name, (em, f1) in PUBLISHED_ANCHORS.reader_em_f1.items()
        ],
    )
    return [*lines, ""]


def _grounding_section(results: Mapping[str, Any], images: set[str]) -> list[str]:
    grounding = results.get("grounding") or {}
    present = [key for key in GROUNDING_KEYS if key in grounding]
    if not present and SCORE_PLOT not in images:
        return []
    lines = ["## Grounding and refusals", ""]
    if present:
        lines += table(["metric", "value"], [[key, fmt(grounding[key])] for key in present])
        lines.append("")
    if SCORE_PLOT in images:
        lines += [f"![Confidence, answerable vs unanswerable]({SCORE_PLOT})", ""]
    return lines


def _latency_section(results: Mapping[str, Any]) -> list[str]:
    latency = results.get("latency_ms") or {}
    if not latency:
        return []
    summary = ", ".join(
        f"{key} {latency[key]:.0f} ms" for key in ("p50", "p95", "mean") if key in latency
    )
    return ["## Latency", "", f"Per question: {summary}.", ""]


def write_report(results: Mapping[str, Any], out_dir: Path) -> Path:
    """Write report.md and its plots into out_dir (created if needed); return report.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = {
        RECALL_PLOT: plot_recall_curves,
        DIRECTION_PLOT: plot_by_direction,
        SCORE_PLOT: plot_confidence,
        RISK_PLOT: plot_risk_coverage,
    }
    images = {name for name, plot in plots.items() if plot(results, out_dir / name)}
    lines = [
        *_header(results),
        *_retrieval_section(results, images),
        *_answers_section(results),
        *_grounding_section(results, images),
        *selective_section(results, images, RISK_PLOT),
        *_latency_section(results),
        *worst_misses_section(results, _main_method(results)),
    ]
    report = out_dir / "report.md"
    report.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return report


def format_summary_table(results: Mapping[str, Any]) -> str:
    """Plain-text summary for the terminal: retrieval per method and direction, then one line
    each for answers, grounding and latency when present."""
    lines = [f"dataset: {results.get('dataset', 'unnamed')}"]
    rows = _retrieval_rows(results)
    if rows:
        table = [["method", "direction", *RETRIEVAL_KEYS]]
        table += [
            [m, d, *(fmt(metrics.get(key)) for key in RETRIEVAL_KEYS)] for m, d, metrics in rows
        ]
        lines += aligned(table)
    answers = results.get("answers") or {}
    if any(key in answers for key in ANSWER_KEYS):
        lines.append(
            "answers: " + "  ".join(f"{key} {fmt(answers.get(key))}" for key in ANSWER_KEYS)
        )
    grounding = results.get("grounding") or {}
    present = [key for key in GROUNDING_KEYS if key in grounding]
    if present:
        lines.append("grounding: " + "  ".join(f"{key} {fmt(grounding[key])}" for key in present))
    selective = results.get("selective") or {}
    for direction, metrics in selective_rows(selective):
        cells = dict(zip(SELECTIVE_HEADER[1:], selective_cells(metrics), strict=True))
        lines.append(f"tiers {direction}: " + "  ".join(f"{k} {v}" for k, v in cells.items()))
    reliability = reliability_rows(selective)
    if reliability:
        lines += ["reliability (predicted vs observed share right):"]
        lines += aligned([RELIABILITY_HEADER, *reliability])
    latency = results.get("latency_ms") or {}
    if latency:
        lines.append(
            "latency ms: " + "  ".join(f"{key} {value:.0f}" for key, value in latency.items())
        )
    return "\n".join(lines)
