"""The report's worst misses: retrieval misses first, then unanswerable questions answered,
then wrong answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eval.metrics import AnswerRecord, first_gold_rank
from eval.reporting.markdown import cell, table
from rag.schema import STATING

WORST_MISSES = 10
MISS_DEPTH = 10


def _miss(record: AnswerRecord, method: str | None) -> tuple[int, int | None] | None:
    """(severity tier, gold rank) of a miss, lower tier = worse; None when not a miss."""
    ranked = (record.get("ranked") or {}).get(method or "")
    rank = (
        None if ranked is None else first_gold_rank(ranked, record.get("gold_ids", []), MISS_DEPTH)
    )
    if not record.get("answerable", True):
        return (1, None) if record.get("tier", "answer") in STATING else None
    if ranked is not None and rank is None:
        return 0, None
    if record.get("answer_hit") is False:
        return 2, rank
    return None


def worst_misses_section(results: Mapping[str, Any], method: str | None) -> list[str]:
    misses = []
    for record in results.get("records") or []:
        miss = _miss(record, method)
        if miss is not None:
            misses.append((miss, record))
    if not misses:
        return []
    misses.sort(key=lambda item: (item[0][0], item[1].get("token_f1", 0.0), str(item[1].get("id"))))
    rows = []
    for (tier, rank), record in misses[:WORST_MISSES]:
        kind = ("gold not retrieved", "answered, has no answer", "wrong answer")[tier]
        ranked = (record.get("ranked") or {}).get(method or "") or []
        rows.append(
            [
                cell(record.get("id", "")),
                cell(record.get("direction", "")),
                kind,
                cell(record.get("question", "")),
                cell(", ".join(record.get("gold_ids", [])) or "-"),
                "-" if rank is None else str(rank),
                cell(ranked[0] if ranked else "-"),
                cell(record.get("answer", ""), limit=60) or "-",
            ]
        )
    header = ["id", "direction", "miss", "question", "gold", "gold rank", "top hit", "answer"]
    lines = [f"## Worst misses (main method: {method or 'n/a'})", "", *table(header, rows)]
    return [*lines, ""]
