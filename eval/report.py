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
      "answers": {"answer_hit": float, "sentence_match": float | null, "token_f1": float,
                  "by_direction": {"ar-ar": {<these three keys>}, "en-ar": {...}}},
      "grounding": {"citation_validity": float | null, "citation_support": float | null,
                    "refusal_accuracy": float | null, "false_refusal_rate": float | null,
                    "false_answer_rate": float | null},
      "scores": {"<question language>": {"answerable": [float], "unanswerable": [float],
                                         "threshold": float | null}},  # answerability
      "latency_ms": {"p50": float, "p95": float, "mean": float},
      "records": [eval.metrics.AnswerRecord, ...],                  # one per question
    }

Retrieval metric keys are `eval.metrics.RETRIEVAL_KEYS`; rates are shares in [0, 1].
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eval.metrics import RETRIEVAL_KEYS, AnswerRecord, first_gold_rank

RECALL_PLOT = "recall_at_k.png"
DIRECTION_PLOT = "metrics_by_direction.png"
SCORE_PLOT = "answerability_histogram.png"
ANSWER_KEYS = ("answer_hit", "sentence_match", "token_f1")
GROUNDING_KEYS = (
    "citation_validity",
    "citation_support",
    "refusal_accuracy",
    "false_refusal_rate",
    "false_answer_rate",
)
_DIRECTION_METRICS = ("recall@1", "recall@10", "mrr@10", "ndcg@10")
_WORST_MISSES = 10
_MISS_DEPTH = 10


@dataclass(frozen=True)
class PublishedAnchors:
    """Published numbers from /work/shared/eval/README.md, for scale beside ours."""

    retrieval_task: str
    ndcg_at_10: dict[str, float] = field(default_factory=dict)
    reader_task: str = ""
    reader_em_f1: dict[str, tuple[float, float]] = field(default_factory=dict)


PUBLISHED_ANCHORS = PublishedAnchors(
    retrieval_task="XQuAD ar-ar, 240 Arabic paragraphs (MTEB XQuADRetrieval)",
    ndcg_at_10={
        "BM25": 0.888,
        "multilingual-e5-base": 0.946,
        "multilingual-e5-large": 0.962,
        "LaBSE": 0.820,
        "paraphrase-multilingual-MiniLM-L12": 0.773,
    },
    reader_task="XQuAD-ar, extractive readers fine-tuned on English SQuAD",
    reader_em_f1={"mBERT": (45.1, 61.5), "XLM-R Large": (49.0, 68.6)},
)

_HOW_TO_READ = """\
Retrieval is scored per question against its gold passages (XQuAD: the paragraph the question
was asked on; seed set: the articles that state the answer). recall@k is the share of questions
with at least one gold passage in the top k; mrr@10 averages 1/rank of the first gold passage
(0 beyond rank 10); ndcg@10 uses binary relevance and a log2 rank discount. Directions are
question language - passage language: "en-ar" is an English question over Arabic passages.
Answer metrics: answer_hit means the normalized answer contains an accepted alias;
sentence_match that it contains the gold answer span; token_f1 is SQuAD-style token overlap.
Grounding: citation_validity is the share of citations pointing at a passage the answerer was
given, citation_support the share of answer sentences backed by what they cite. For questions
the corpus cannot answer, refusing is right: refusal_accuracy and false_answer_rate add up to 1;
false_refusal_rate counts answerable questions that were refused. The published anchors hold
only for their task (XQuAD ar-ar over 240 paragraphs); on other sets they give scale, not a
target. Worst misses list retrieval misses first (no gold passage in the top 10 of the main
method), then unanswerable questions that were answered, then wrong answers."""


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _cell(text: Any, limit: int = 80) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _methods(results: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return dict(results.get("methods") or {})


def _main_method(results: Mapping[str, Any]) -> str | None:
    methods = _methods(results)
    if "hybrid" in methods:
        return "hybrid"
    return next(iter(methods), None)


def _retrieval_rows(results: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    rows: list[tuple[str, str, Mapping[str, Any]]] = []
    for method, data in _methods(results).items():
        if data.get("retrieval"):
            rows.append((method, "all", data["retrieval"]))
        for direction, metrics in sorted((data.get("by_direction") or {}).items()):
            rows.append((method, direction, metrics))
    return rows


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _plot_recall_curves(results: Mapping[str, Any], path: Path) -> bool:
    curves = {
        method: sorted((int(k), float(v)) for k, v in data["recall_curve"].items())
        for method, data in _methods(results).items()
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


def _plot_by_direction(results: Mapping[str, Any], path: Path) -> bool:
    methods = {m: d.get("by_direction") or {} for m, d in _methods(results).items()}
    directions = sorted({direction for by in methods.values() for direction in by})
    if not directions:
        return False
    figure = _new_figure(5 * len(directions), 4)
    positions = np.arange(len(_DIRECTION_METRICS))
    width = 0.8 / len(methods)
    for index, direction in enumerate(directions):
        axes = figure.add_subplot(1, len(directions), index + 1)
        for offset, (method, by) in enumerate(methods.items()):
            metrics = by.get(direction) or {}
            values = [metrics.get(key, np.nan) for key in _DIRECTION_METRICS]
            axes.bar(positions + offset * width, values, width, label=method)
        axes.set_xticks(positions + width * (len(methods) - 1) / 2, _DIRECTION_METRICS)
        axes.set(ylim=(0, 1.02), title=direction)
        axes.grid(axis="y", alpha=0.3)
        axes.legend(fontsize="small")
    figure.savefig(path, format="png")
    return True


def _plot_scores(results: Mapping[str, Any], path: Path) -> bool:
    """One histogram per question language: thresholds differ because cross-lingual scores
    run lower."""
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
        values = {name: v for name, v in values.items() if v.size}
        bins = np.histogram_bin_edges(np.concatenate(list(values.values())), bins=20)
        for name, v in values.items():
            axes.hist(v, bins=bins, alpha=0.6, label=f"{name} (n={v.size})")
        threshold = group.get("threshold")
        if threshold is not None:
            axes.axvline(
                threshold, color="black", linestyle="--", label=f"threshold {threshold:.3f}"
            )
        axes.set(
            xlabel="answerability score (refused below the threshold)",
            ylabel="questions",
            title=f"{language} questions",
        )
        axes.legend()
    figure.savefig(path, format="png")
    return True


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
    return [*lines, "## How to read this report", "", _HOW_TO_READ, ""]


def _retrieval_section(results: Mapping[str, Any], images: set[str]) -> list[str]:
    rows = _retrieval_rows(results)
    if not rows:
        return []
    lines = ["## Retrieval", ""]
    lines += _table(
        ["method", "direction", *RETRIEVAL_KEYS],
        [[m, d, *(_fmt(metrics.get(key)) for key in RETRIEVAL_KEYS)] for m, d, metrics in rows],
    )
    lines += ["", f"Published nDCG@10, {PUBLISHED_ANCHORS.retrieval_task}:", ""]
    lines += _table(
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
    lines += _table(
        ["direction", *ANSWER_KEYS],
        [[d, *(_fmt(metrics.get(key)) for key in ANSWER_KEYS)] for d, metrics in rows],
    )
    lines += [
        "",
        f"Published EM/F1, {PUBLISHED_ANCHORS.reader_task}. They score a short extracted span;"
        " token_f1 here scores the whole answer text, so compare trends, not values:",
        "",
    ]
    lines += _table(
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
        lines += _table(["metric", "value"], [[key, _fmt(grounding[key])] for key in present])
        lines.append("")
    if SCORE_PLOT in images:
        lines += [f"![Answerability score, answerable vs unanswerable]({SCORE_PLOT})", ""]
    return lines


def _latency_section(results: Mapping[str, Any]) -> list[str]:
    latency = results.get("latency_ms") or {}
    if not latency:
        return []
    summary = ", ".join(
        f"{key} {latency[key]:.0f} ms" for key in ("p50", "p95", "mean") if key in latency
    )
    return ["## Latency", "", f"Per question: {summary}.", ""]


def _miss(record: AnswerRecord, method: str | None) -> tuple[int, int | None] | None:
    """(severity tier, gold rank) of a miss, lower tier = worse; None when not a miss."""
    ranked = (record.get("ranked") or {}).get(method or "")
    rank = (
        None if ranked is None else first_gold_rank(ranked, record.get("gold_ids", []), _MISS_DEPTH)
    )
    if not record.get("answerable", True):
        return None if record.get("refused", False) else (1, None)
    if ranked is not None and rank is None:
        return 0, None
    if record.get("answer_hit") is False:
        return 2, rank
    return None


def _worst_misses_section(results: Mapping[str, Any]) -> list[str]:
    method = _main_method(results)
    misses = []
    for record in results.get("records") or []:
        miss = _miss(record, method)
        if miss is not None:
            misses.append((miss, record))
    if not misses:
        return []
    misses.sort(key=lambda item: (item[0][0], item[1].get("token_f1", 0.0), str(item[1].get("id"))))
    rows = []
    for (tier, rank), record in misses[:_WORST_MISSES]:
        kind = ("gold not retrieved", "answered, should refuse", "wrong answer")[tier]
        ranked = (record.get("ranked") or {}).get(method or "") or []
        rows.append(
            [
                _cell(record.get("id", "")),
                _cell(record.get("direction", "")),
                kind,
                _cell(record.get("question", "")),
                _cell(", ".join(record.get("gold_ids", [])) or "-"),
                "-" if rank is None else str(rank),
                _cell(ranked[0] if ranked else "-"),
                _cell(record.get("answer", ""), limit=60) or "-",
            ]
        )
    header = ["id", "direction", "miss", "question", "gold", "gold rank", "top hit", "answer"]
    lines = [f"## Worst misses (main method: {method or 'n/a'})", "", *_table(header, rows)]
    return [*lines, ""]


def write_report(results: Mapping[str, Any], out_dir: Path) -> Path:
    """Write report.md and its plots into out_dir (created if needed); return report.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = {
        RECALL_PLOT: _plot_recall_curves,
        DIRECTION_PLOT: _plot_by_direction,
        SCORE_PLOT: _plot_scores,
    }
    images = {name for name, plot in plots.items() if plot(results, out_dir / name)}
    lines = [
        *_header(results),
        *_retrieval_section(results, images),
        *_answers_section(results),
        *_grounding_section(results, images),
        *_latency_section(results),
        *_worst_misses_section(results),
    ]
    report = out_dir / "report.md"
    report.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return report


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def format_summary_table(results: Mapping[str, Any]) -> str:
    """Plain-text summary for the terminal: retrieval per method and direction, then one line
    each for answers, grounding and latency when present."""
    lines = [f"dataset: {results.get('dataset', 'unnamed')}"]
    rows = _retrieval_rows(results)
    if rows:
        table = [["method", "direction", *RETRIEVAL_KEYS]]
        table += [
            [m, d, *(_fmt(metrics.get(key)) for key in RETRIEVAL_KEYS)] for m, d, metrics in rows
        ]
        lines += _aligned(table)
    answers = results.get("answers") or {}
    if any(key in answers for key in ANSWER_KEYS):
        lines.append(
            "answers: " + "  ".join(f"{key} {_fmt(answers.get(key))}" for key in ANSWER_KEYS)
        )
    grounding = results.get("grounding") or {}
    present = [key for key in GROUNDING_KEYS if key in grounding]
    if present:
        lines.append("grounding: " + "  ".join(f"{key} {_fmt(grounding[key])}" for key in present))
    latency = results.get("latency_ms") or {}
    if latency:
        lines.append(
            "latency ms: " + "  ".join(f"{key} {value:.0f}" for key, value in latency.items())
        )
    return "\n".join(lines)
