"""Runs the real answer chain over an evaluation set and produces the results dict of report.py.

Three retrieval methods are measured in the same run, at the passage (article) level: BM25
alone, dense alone, and the hybrid fusion the product uses. Answers always come from the full
chain. For SQuAD-format sets a no-answer variant asks questions against an index that lacks their
paragraph, where the right tiers are related or refused (unless another paragraph of its article
still states the answer: then it is no such variant).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from corpus import Article
from embeddings.index.faiss.index import FaissIndex
from embeddings.ingest.incremental import ingest_articles
from embeddings.ingest.local import progress_bar
from embeddings.model.embedder import Embedder
from eval.datasets import EvalPassage, EvalQuestion, SquadSet, article_of, load_seed_qa, load_squad
from eval.metrics import AnswerRecord, answer_hit
from eval.records import ask_all
from eval.reporting.summary import summarize
from rag.config import Settings
from rag.pipeline import Pipeline, embedder_for

NO_ANSWER_SHARE = 0.25
NO_ANSWER_SEED = 13


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
            settings.ingest.chunker,
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
    return settings.embedding.cache_dir / "eval-index" / passages_path.stem


def answer_left(question: EvalQuestion, siblings: Mapping[int, Sequence[str]]) -> bool:
    """A paragraph of the question's article (`siblings`: texts by article) states a gold
    answer."""
    if not question.gold_ids:
        return False
    texts = siblings.get(article_of(question.gold_ids[0]), ())
    return any(answer_hit(text, question.answers) for text in texts)


@dataclass(frozen=True)
class SquadPipelines:
    """The answer chain over a SQuAD set's paragraphs, and over the same index without the
    `held_out` share of them, where their questions have no answer. Built once, asked by any
    questions file joined to the same paragraphs."""

    full: Pipeline
    without: Pipeline
    held_out: set[str]
    # The texts of the paragraphs left in the index, by article.
    siblings: dict[int, list[str]]

    @classmethod
    def build(
        cls, squad: SquadSet, settings: Settings, embedder: Embedder, index_dir: Path
    ) -> SquadPipelines:
        index = build_squad_index(squad, settings, embedder, index_dir)
        held_out = no_answer_split(squad)
        siblings: dict[int, list[str]] = {}
        for p in squad.passages:
            if p.id not in held_out:
                siblings.setdefault(article_of(p.id), []).append(p.text)
        return cls(
            Pipeline(settings, embedder, index, rank_unfused=True),
            Pipeline(settings, embedder, without_articles(index, held_out)),
            held_out,
            siblings,
        )

    def unanswerable(self, question: EvalQuestion) -> bool:
        """Its paragraph is held out, and no paragraph left of its article states a gold answer
        (ARCD's articles repeat facts across paragraphs: such a question is still answerable)."""
        return bool(set(question.gold_ids) & self.held_out) and not answer_left(
            question, self.siblings
        )

    def ask(
        self,
        name: str,
        questions: Sequence[EvalQuestion],
        *,
        no_answer: bool = True,
        for_fitting: bool = False,
    ) -> tuple[list[AnswerRecord], list[AnswerRecord]]:
        """Records of the questions, and of those whose paragraph is held out, asked without it.
        `for_fitting`: with what the fits need (chunk rankings, candidate sentences)."""
        records = ask_all(
            self.full,
            questions,
            desc=f"asking {name}",
            with_chunk_rankings=for_fitting,
            with_candidates=for_fitting,
        )
        if not no_answer:
            return records, []
        cases = [replace(q, answerable=False) for q in questions if self.unanswerable(q)]
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
