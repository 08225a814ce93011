"""The results dict of an evaluation run (what report.py renders): retrieval per method,
answers, grounding, selective answering, latency, and every record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from eval.metrics import (
    AnswerRecord,
    citation_support,
    citation_validity,
    latency_summary,
    recall_curve,
    refusal_metrics,
    retrieval_metrics,
    sentence_match,
)
from eval.records import METHODS
from eval.selective import selective_section
from rag.config import Settings
from rag.schema import STATING


def _retrieval_section(records: Sequence[AnswerRecord]) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    scorable = [r for r in records if r.get("gold_ids") and "ranked" in r]
    directions = sorted({r["direction"] for r in scorable})
    for method in METHODS:
        pairs = [(r["ranked"][method], r["gold_ids"]) for r in scorable]
        if not pairs:
            continue
        methods[method] = {
            "retrieval": retrieval_metrics(pairs),
            "recall_curve": recall_curve(pairs),
            "by_direction": {
                d: retrieval_metrics(
                    [(r["ranked"][method], r["gold_ids"]) for r in scorable if r["direction"] == d]
                )
                for d in directions
            },
        }
    return methods


def _answer_metrics(
    records: Sequence[AnswerRecord], spans: dict[str, str]
) -> dict[str, float | None]:
    """Over answerable questions: the answer states a gold alias (`answer_hit`), or does with
    its folded evidence (`evidence_hit`); the stated text holds the gold span
    (`sentence_match`); token F1 of its best sentence."""
    answerable = [r for r in records if r["answerable"]]
    if not answerable:
        return {"answer_hit": None, "evidence_hit": None, "sentence_match": None, "token_f1": None}
    matched = [
        sentence_match(r["answer"] if r["tier"] in STATING else "", spans[r["id"]])
        for r in answerable
        if r["id"] in spans
    ]
    return {
        "answer_hit": sum(r["answer_hit"] for r in answerable) / len(answerable),
        "evidence_hit": sum(r["evidence_hit"] for r in answerable) / len(answerable),
        "sentence_match": sum(matched) / len(matched) if matched else None,
        "token_f1": sum(r["token_f1"] for r in answerable) / len(answerable),
    }


def _scores(settings: Settings, records: Sequence[AnswerRecord]) -> dict[str, Any]:
    """Confidence of answerable and unanswerable questions per language, with the thresholds."""
    thresholds = settings.answer.tier_thresholds or {}
    return {
        language: {
            "answerable": [r["confidence"] for r in group if r["answerable"]],
            "unanswerable": [r["confidence"] for r in group if not r["answerable"]],
            "thresholds": thresholds.get(language),
        }
        for language in sorted({r["lang"] for r in records})
        if (group := [r for r in records if r["lang"] == language and r["confidence"] is not None])
    }


def summarize(
    dataset: str,
    settings: Settings,
    records: list[AnswerRecord],
    *,
    no_answer_records: Sequence[AnswerRecord] = (),
    spans: dict[str, str] | None = None,
    extra_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    spans = spans or {}
    directions = sorted({r["direction"] for r in records})
    everything = [*records, *no_answer_records]
    return {
        "dataset": dataset,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "model": settings.embedding.model,
            "top_k": settings.retrieval.top_k,
            "candidates": settings.retrieval.candidates,
            "hybrid": settings.retrieval.hybrid,
            "fusion_weights": settings.retrieval.fusion_weights,
            "chunker": settings.ingest.chunker.as_dict(),
            "tier_thresholds": settings.answer.tier_thresholds,
            "support_threshold": settings.answer.support_threshold,
            **(extra_config or {}),
        },
        "methods": _retrieval_section(records),
        "answers": {
            **_answer_metrics(records, spans),
            "by_direction": {
                d: _answer_metrics([r for r in records if r["direction"] == d], spans)
                for d in directions
            },
        },
        "grounding": {
            "citation_validity": citation_validity(records),
            "citation_support": citation_support(records),
            **refusal_metrics(everything),
        },
        "selective": selective_section(everything),
        "scores": _scores(settings, everything),
        "latency_ms": latency_summary([r["latency_ms"] for r in records]),
        "records": [*records, *({**r, "variant": "no-answer"} for r in no_answer_records)],
    }
