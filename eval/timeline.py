"""How well a timeline answer lists the events a question asks for: which expected events it
shows (coverage), whether it shows them in calendar order (order), and whether each event's line
cites the articles that report it (citations).

The file is JSON lines, one question each (broad questions of other shapes are skipped):

    {"id": "t1", "lang": "ar", "shape": "timeline", "question": "...",
     "events": [{"date": "--02-23/24", "articles": ["004_..."]}, ...]}

`events` are in calendar order; a date is ISO as far as the articles state it ("2025-07-31",
"--07-31" when they give no year, "--10" for a month). A line shows an event when its date gives
the event's month and day (the year too when the event has one); the lines of one event are
those of its date (a line about a report of another day included). Order is the share of pairs
of shown events that the answer lists in the expected order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from corpus.dates import PartialDate
from rag.pipeline import Pipeline
from rag.schema import Answer


@dataclass(frozen=True)
class Expected:
    date: PartialDate
    articles: frozenset[str]


def read_questions(path: Path) -> list[dict[str, Any]]:
    """The timeline questions of a broad-questions file; ValueError names a bad line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("shape") != "timeline":
            continue
        for event in record.get("events", []):
            if PartialDate.from_iso(event.get("date")) is None:
                raise ValueError(f"{path}:{number}: event date {event.get('date')!r} is not ISO")
        questions.append(record)
    return questions


def _shows(line_date: str | None, expected: PartialDate) -> bool:
    date = PartialDate.from_iso(line_date)
    if date is None or date.month != expected.month or date.day != expected.day:
        return False
    return expected.year is None or date.year == expected.year


def score_timeline(answer: Answer, events: list[Expected]) -> dict[str, Any]:
    """Coverage, order and citations of one answer against its expected events."""
    cited_by = {c.marker: c.passage.article_id for c in answer.citations}
    positions: list[int] = []
    recalls: list[float] = []
    for event in events:
        lines = [i for i, s in enumerate(answer.sentences) if _shows(s.date, event.date)]
        if not lines:
            positions.append(-1)
            continue
        positions.append(lines[0])
        cited = {cited_by[m] for i in lines for m in answer.sentences[i].markers}
        recalls.append(len(cited & event.articles) / len(event.articles) if event.articles else 1)
    shown = [p for p in positions if p >= 0]
    pairs = list(combinations(shown, 2))
    dated = [s for s in answer.sentences if s.date]
    return {
        "events": len(events),
        "shown": len(shown),
        "coverage": len(shown) / len(events) if events else 1.0,
        "order": sum(a < b for a, b in pairs) / len(pairs) if pairs else 1.0,
        "citations": sum(recalls) / len(recalls) if recalls else 0.0,
        "lines": len(dated),
        "shape": answer.shape,
    }


def evaluate_timelines(path: Path, pipeline: Pipeline) -> dict[str, Any]:
    """Every timeline question of `path` asked, scored, and the means over them."""
    records = []
    for record in read_questions(path):
        events = [
            Expected(PartialDate.from_iso(e["date"]) or PartialDate(), frozenset(e["articles"]))
            for e in record["events"]
        ]
        answer = pipeline.ask(record["question"])
        scores = score_timeline(answer, events)
        records.append(
            {"id": record["id"], "lang": record.get("lang"), **scores, "answer": answer.text}
        )
    means = {
        key: sum(r[key] for r in records) / len(records) if records else 0.0
        for key in ("coverage", "order", "citations")
    }
    return {"questions": records, "mean": means}


def format_timelines(results: dict[str, Any]) -> str:
    rows = [
        f"{'id':<6}{'lang':<6}{'shown':>8}{'coverage':>10}{'order':>8}{'citations':>11}{'lines':>7}"
    ]
    for r in results["questions"]:
        rows.append(
            f"{r['id']:<6}{r['lang'] or '':<6}{r['shown']:>4}/{r['events']:<3}{r['coverage']:>10.3f}"
            f"{r['order']:>8.3f}{r['citations']:>11.3f}{r['lines']:>7}"
        )
    mean = results["mean"]
    rows.append(
        f"{'mean':<12}{'':>8}{mean['coverage']:>10.3f}{mean['order']:>8.3f}{mean['citations']:>11.3f}"
    )
    return "\n".join(rows)
