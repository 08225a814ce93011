"""Records for fitting and checking the fusion and the confidence: every question of XQuAD
(Arabic and English questions over the Arabic paragraphs) and ARCD train, their no-answer
variants, and off-topic questions (one set's questions asked of the other's index), all asked
with the tiers off, so each record carries its rankings, its confidence signals and whether its
answer-tier text holds the answer. Written as JSONL, one file per set, read by `calibrate`."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

from embeddings.model.embedder import Embedder
from eval.datasets import EvalQuestion, article_of, load_squad
from eval.metrics import AnswerRecord
from eval.records import ask_all
from eval.runs import SquadPipelines, squad_index_dir
from rag.config import Settings

OFF_TOPIC_QUESTIONS = 300
OFF_TOPIC_SEED = 29


def split_of(record: AnswerRecord) -> str:
    """ "even" or "odd": the article of the question's gold paragraph (none: "even")."""
    gold = record["gold_ids"]
    return "even" if not gold or article_of(gold[0]) % 2 == 0 else "odd"


def _write(path: Path, records: list[AnswerRecord], name: str) -> None:
    lines = (
        json.dumps({**r, "set": name, "split": split_of(r)}, ensure_ascii=False) for r in records
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_records(folder: Path) -> dict[str, list[dict]]:
    """Every `*.jsonl` set that `collect` wrote, by name."""
    return {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted(folder.glob("*.jsonl"))
    }


def _off_topic(questions: list[EvalQuestion]) -> list[EvalQuestion]:
    picked = random.Random(OFF_TOPIC_SEED).sample(
        questions, min(OFF_TOPIC_QUESTIONS, len(questions))
    )
    return [replace(q, answerable=False, gold_ids=()) for q in picked]


def collect(
    xquad_ar: Path,
    xquad_en: Path,
    arcd: Path,
    settings: Settings,
    embedder: Embedder,
    out: Path,
    index_root: Path | None = None,
) -> dict[str, int]:
    """Ask every set and write its records into `out`; returns the count per set. Each set's
    index is kept under `index_root` (by default the cache's `eval-index`)."""

    def index_dir(path: Path) -> Path:
        return index_root / path.stem if index_root else squad_index_dir(settings, path)

    settings = settings.updated(confidence=None, tier_thresholds=None)
    out.mkdir(parents=True, exist_ok=True)
    xquad, xquad_english, arcd_set = (
        load_squad(xquad_ar),
        load_squad(xquad_ar, xquad_en),
        load_squad(arcd),
    )
    on_xquad = SquadPipelines.build(xquad, settings, embedder, index_dir(xquad_ar))
    on_arcd = SquadPipelines.build(arcd_set, settings, embedder, index_dir(arcd))
    counts = {}
    for name, pipelines, squad in (
        ("xquad-ar", on_xquad, xquad),
        ("xquad-en", on_xquad, xquad_english),
        ("arcd", on_arcd, arcd_set),
    ):
        answered, unanswerable = pipelines.ask(name, squad.questions, for_fitting=True)
        _write(out / f"{name}.jsonl", answered, name)
        _write(out / f"{name}-noanswer.jsonl", unanswerable, f"{name}-noanswer")
        counts[name], counts[f"{name}-noanswer"] = len(answered), len(unanswerable)
    for name, pipelines, squad in (
        ("offtopic-ar-on-xquad", on_xquad, arcd_set),
        ("offtopic-ar-on-arcd", on_arcd, xquad),
        ("offtopic-en-on-arcd", on_arcd, xquad_english),
    ):
        records = ask_all(
            pipelines.full, _off_topic(squad.questions), desc=name, with_rankings=False
        )
        _write(out / f"{name}.jsonl", records, name)
        counts[name] = len(records)
    return counts
