"""Runs the real answer chain over an evaluation set and produces the results dict of report.py.

Three retrieval methods are measured in the same run, at the passage (article) level: BM25
alone, dense alone, and the hybrid fusion the product uses. Answers always come from the full
chain. For SQuAD-format sets a no-answer variant asks questions against an index that lacks their
paragraph, where refusing is the right behaviour.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from corpus import Article, Chunk
from embeddings.faiss_index import FaissIndex
from embeddings.ingest import ingest_articles, progress_bar
from embeddings.model import Embedder
from eval.datasets import (
    EvalPassage,
    EvalQuestion,
    SquadSet,
    article_of,
    load_seed_qa,
    load_squad,
)
from eval.metrics import (
    AnswerRecord,
    answer_hit,
    best_sentence_f1,
    citation_support,
    citation_validity,
    latency_summary,
    recall_curve,
    refusal_metrics,
    retrieval_metrics,
    sentence_match,
)
from rag.config import Settings
from rag.pipeline import Pipeline, embedder_for
from rag.schema import Answer

METHODS = ("bm25", "dense", "sentences", "hybrid")
RANK_DEPTH = 10
NO_ANSWER_SHARE = 0.25
NO_ANSWER_SEED = 13


def _unique_articles(chunks: Iterable[Chunk], depth: int = RANK_DEPTH) -> list[str]:
    ranked: list[str] = []
    for chunk in chunks:
        if chunk.article_id not in ranked:
            ranked.append(chunk.article_id)
        if len(ranked) == depth:
            break
    return ranked


def rankings(answer: Answer) -> dict[str, list[str]]:
    """Article ids of each method's ranking, as the search that answered built them."""
    return {method: _unique_articles(answer.rankings.get(method, ())) for method in METHODS}


def answer_record(question: EvalQuestion, answer: Answer, latency_ms: float) -> AnswerRecord:
    given = {p.chunk.id for p in answer.passages}
    citations = [
        {"passage_id": c.passage.article_id, "valid": c.passage.chunk.id in given}
        for c in answer.citations
    ] + [{"passage_id": marker, "valid": False} for marker in answer.invalid_markers]
    by_marker = {c.marker: c.passage.article_id for c in answer.citations}
    text = "" if answer.refused else answer.text
    record: AnswerRecord = {
        "id": question.id,
        "question": question.question,
        "direction": question.direction,
        "lang": question.lang,
        "answerable": question.answerable,
        "gold_ids": list(question.gold_ids),
        "aliases": list(question.answers),
        "answer": answer.text,
        "refused": answer.refused,
        "top_score": answer.top_score if answer.top_score is not None else 0.0,
        "answerability": next(
            (s for s in (answer.answerability, answer.top_score) if s is not None), 0.0
        ),
        "features": answer.answerability_features,
        "citations": citations,
        "sentences": [
            {
                "text": s.text,
                "citations": [by_marker[m] for m in s.markers if m in by_marker],
                "supported": s.supported,
            }
            for s in answer.sentences
        ],
        "context_ids": sorted({p.article_id for p in answer.passages}),
        "answer_hit": bool(question.answers) and answer_hit(text, question.answers),
        "token_f1": best_sentence_f1(text, question.answers[0]) if question.answers else 0.0,
        "latency_ms": latency_ms,
    }
    return record


def ask_all(
    pipeline: Pipeline, questions: Sequence[EvalQuestion], *, desc: str, with_rankings: bool = True
) -> list[AnswerRecord]:
    records = []
    for question in tqdm(questions, desc=desc, unit="q"):
        started = time.perf_counter()
        answer = pipeline.ask(question.question)
        record = answer_record(question, answer, (time.perf_counter() - started) * 1000)
        if with_rankings:
            record["ranked"] = rankings(answer)
        records.append(record)
    return records


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
    answerable = [r for r in records if r["answerable"]]
    if not answerable:
        return {"answer_hit": None, "sentence_match": None, "token_f1": None}
    matched = [
        sentence_match("" if r["refused"] else r["answer"], spans[r["id"]])
        for r in answerable
        if r["id"] in spans
    ]
    return {
        "answer_hit": sum(r["answer_hit"] for r in answerable) / len(answerable),
        "sentence_match": sum(matched) / len(matched) if matched else None,
        "token_f1": sum(r["token_f1"] for r in answerable) / len(answerable),
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
    refusal_source = [*records, *no_answer_records]
    refusals = refusal_metrics(refusal_source)
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in refusal_source if not r["answerable"]]
    return {
        "dataset": dataset,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "model": settings.model,
            "top_k": settings.top_k,
            "candidates": settings.candidates,
            "hybrid": settings.hybrid,
            "chunker": settings.chunker.as_dict(),
            "refusal_threshold": settings.refusal_thresholds,
            "support_threshold": settings.support_threshold,
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
            **refusals,
        },
        "scores": {
            language: {
                "answerable": [r["answerability"] for r in answerable if r["lang"] == language],
                "unanswerable": [r["answerability"] for r in unanswerable if r["lang"] == language],
                "threshold": threshold,
            }
            for language, threshold in settings.refusal_thresholds.items()
            if any(r["lang"] == language for r in refusal_source)
        },
        "latency_ms": latency_summary([r["latency_ms"] for r in records]),
        "records": [*records, *({**r, "variant": "no-answer"} for r in no_answer_records)],
    }


# -- SQuAD-format sets ---------------------------------------------------------------------------


def passage_articles(passages: Iterable[EvalPassage]) -> list[Article]:
    return [
        Article.create(id=p.id, title=p.title or None, text=p.text, source=f"squad:{p.id}")
        for p in passages
    ]


def build_squad_index(
    squad: SquadSet, settings: Settings, embedder: Embedder, index_dir: Path
) -> FaissIndex:
    with progress_bar(f"indexing {squad.name}") as progress:
        ingest_articles(
            passage_articles(squad.passages),
            index_dir,
            embedder,
            settings.chunker,
            progress=progress,
        )
    return FaissIndex.load_for(index_dir, embedder)


def without_articles(index: FaissIndex, removed: set[str]) -> FaissIndex:
    """The same index minus some articles, from the stored vectors: nothing is embedded again."""
    keep = [c for c in index.chunks if c.article_id not in removed]
    rows = [row for row, s in enumerate(index.sentences) if s.article_id not in removed]
    manifest = replace(
        index.manifest,
        articles={k: v for k, v in index.manifest.articles.items() if k not in removed},
    )
    return FaissIndex.build(
        manifest,
        keep,
        index.vectors_of(c.id for c in keep),
        [index.sentences[row] for row in rows],
        index.sentence_vectors[rows],
    )


def no_answer_split(squad: SquadSet, share: float = NO_ANSWER_SHARE) -> set[str]:
    ids = sorted(p.id for p in squad.passages)
    return set(random.Random(NO_ANSWER_SEED).sample(ids, round(len(ids) * share)))


SPLITS = ("all", "even", "odd")


def questions_in_split(squad: SquadSet, split: str) -> list[EvalQuestion]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return [q for q in squad.questions if in_split(q, split)]


def in_split(question: EvalQuestion, split: str) -> bool:
    """Calibration uses the even-numbered articles, so evaluation can hold out the odd ones."""
    if split == "all":
        return True
    article = article_of(question.gold_ids[0]) if question.gold_ids else 0
    return (article % 2 == 0) == (split == "even")


def squad_index_dir(settings: Settings, passages_path: Path) -> Path:
    """Where a SQuAD set's own index lives unless a folder is given."""
    return settings.cache_dir / "eval-index" / passages_path.stem


@dataclass(frozen=True)
class SquadPipelines:
    """The answer chain over a SQuAD set's paragraphs, and over the same index without the
    `held_out` share of them, where their questions have no answer. Built once, asked by any
    questions file joined to the same paragraphs."""

    full: Pipeline
    without: Pipeline
    held_out: set[str]

    @classmethod
    def build(
        cls, squad: SquadSet, settings: Settings, embedder: Embedder, index_dir: Path
    ) -> SquadPipelines:
        index = build_squad_index(squad, settings, embedder, index_dir)
        held_out = no_answer_split(squad)
        return cls(
            Pipeline(settings, embedder, index, rank_unfused=True),
            Pipeline(settings, embedder, without_articles(index, held_out)),
            held_out,
        )

    def ask(
        self,
        name: str,
        questions: Sequence[EvalQuestion],
        *,
        no_answer: bool = True,
        with_rankings: bool = True,
    ) -> tuple[list[AnswerRecord], list[AnswerRecord]]:
        """Records of the questions, and of those whose paragraph is held out, asked without it."""
        records = ask_all(self.full, questions, desc=f"asking {name}", with_rankings=with_rankings)
        if not no_answer:
            return records, []
        cases = [replace(q, answerable=False) for q in questions if set(q.gold_ids) & self.held_out]
        return records, ask_all(
            self.without, cases, desc="asking without the paragraph", with_rankings=False
        )


def evaluate_squad(
    passages_path: Path,
    questions_path: Path | None,
    settings: Settings,
    *,
    index_dir: Path | None = None,
    limit: int | None = None,
    no_answer: bool = True,
    split: str = "all",
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    squad = load_squad(passages_path, questions_path)
    questions = questions_in_split(squad, split)[:limit]
    pipelines = SquadPipelines.build(
        squad,
        settings,
        embedder or embedder_for(settings),
        index_dir or squad_index_dir(settings, passages_path),
    )
    records, no_answer_records = pipelines.ask(squad.name, questions, no_answer=no_answer)
    spans = {q.id: q.answers[0] for q in questions if q.answers}
    return summarize(
        squad.name,
        settings,
        records,
        no_answer_records=no_answer_records,
        spans=spans,
        extra_config={"passages": len(squad.passages), "questions": len(questions), "split": split},
    )


def evaluate_seed_qa(
    path: Path, settings: Settings, *, embedder: Embedder | None = None
) -> dict[str, Any]:
    questions = load_seed_qa(path)
    pipeline = Pipeline.from_settings(settings, embedder, rank_unfused=True)
    records = ask_all(pipeline, questions, desc="asking seed questions")
    return summarize(path.stem, settings, records)
