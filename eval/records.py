"""One record per question: what the chain answered, and every fact about it that a metric or a
fit needs, so every number can be recomputed from the results JSON."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from tqdm import tqdm

from corpus import Chunk
from eval.datasets import EvalQuestion
from eval.metrics import AnswerRecord, Citation, answer_hit, best_sentence_f1
from rag.pipeline import Pipeline
from rag.schema import STATING, Answer

METHODS = ("bm25", "dense", "sentences", "hybrid")
RANK_DEPTH = 10


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


def chunk_rankings(answer: Answer) -> dict[str, list[str]]:
    """Each ranking the fusion can use, as chunk ids (`article:start-end`), for fitting it."""
    return {m: [c.id for c in chunks] for m, chunks in answer.rankings.items() if m in METHODS}


def answer_record(question: EvalQuestion, answer: Answer, latency_ms: float) -> AnswerRecord:
    given = {p.chunk.id for p in answer.passages}
    citations = [
        Citation(passage_id=c.passage.article_id, valid=c.passage.chunk.id in given)
        for c in answer.citations
    ] + [Citation(passage_id=marker, valid=False) for marker in answer.invalid_markers]
    by_marker = {c.marker: c.passage.article_id for c in answer.citations}
    # What the answer states: only the answer and likely tiers state anything.
    stated = answer.text if answer.tier in STATING else ""
    with_evidence = "\n".join([stated, *(s.text for s in answer.evidence)]) if stated else ""
    aliases = question.answers
    return {
        "id": question.id,
        "question": question.question,
        "direction": question.direction,
        "lang": question.lang,
        "answerable": question.answerable,
        "gold_ids": list(question.gold_ids),
        "aliases": list(aliases),
        "answer": answer.text,
        "tier": answer.tier,
        "refused": answer.refused,
        "confidence": answer.confidence,
        "top_score": answer.top_score if answer.top_score is not None else 0.0,
        "features": answer.confidence_features,
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
        "answer_hit": bool(aliases) and answer_hit(stated, aliases),
        "first_hit": (
            bool(aliases) and answer_hit(answer.sentences[0].text, aliases)
            if answer.sentences
            else None
        ),
        "evidence_hit": bool(aliases) and answer_hit(with_evidence, aliases),
        "token_f1": best_sentence_f1(stated, aliases[0]) if aliases else 0.0,
        "latency_ms": latency_ms,
    }


def candidate_rows(pipeline: Pipeline, question: EvalQuestion, answer: Answer) -> dict[str, Any]:
    """Every candidate sentence the answer was chosen from: its ranking signals (one list per
    signal), its hand-weighed score, and whether it holds a gold alias."""
    read = pipeline.read(question.question)
    selector = pipeline.extractive.selector
    found = selector.candidates(read, answer.passages)
    if found is None:
        return {"signals": {}, "score": [], "hit": []}
    return {
        "signals": {
            name: [round(float(v), 5) for v in found.signals[name]] for name in found.signals
        },
        "score": [round(float(v), 6) for v in selector.hand_score(read, found.signals)],
        "hit": [answer_hit(c.span.text, question.answers) for c in found.items],
    }


def ask_all(
    pipeline: Pipeline,
    questions: Sequence[EvalQuestion],
    *,
    desc: str,
    with_rankings: bool = True,
    with_chunk_rankings: bool = False,
    with_candidates: bool = False,
) -> list[AnswerRecord]:
    records = []
    for question in tqdm(questions, desc=desc, unit="q"):
        started = time.perf_counter()
        answer = pipeline.ask(question.question)
        record = answer_record(question, answer, (time.perf_counter() - started) * 1000)
        if with_rankings:
            record["ranked"] = rankings(answer)
        if with_chunk_rankings:
            record["chunk_ranked"] = chunk_rankings(answer)
        if with_candidates and question.answers:
            record["candidates"] = candidate_rows(pipeline, question, answer)
        records.append(record)
    return records
