"""Filters in the chain, on both backends: the request's filter (the chat's control, the API's
field) and the question's own ("في تموز 2025", "according to SANA") restrict what is searched,
and the answer says so; a question's span of time rules out dated articles only; a question's
filter that matches nothing is set aside, a request's is kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings.model.embedder import Embedder
from rag.config import load_settings
from rag.messages import message
from rag.pipeline import Pipeline
from service.filters import request_filter
from tests.dated_corpus import dated_index, write_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["faiss", "milvus"])
def dated(
    request: pytest.FixtureRequest, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    root = tmp_path_factory.mktemp(f"dated-chain-{request.param}")
    corpus = write_corpus(root)
    with dated_index(request.param, corpus, root / "index", embedder) as target:
        settings = load_settings(index_backend=target.backend, index_dir=Path(target.index_dir))
        yield Pipeline.from_settings(settings, embedder)


def _searched(answer) -> set[str]:
    return {p.article_id for p in answer.passages}


def test_a_request_filter_restricts_the_search_and_the_answer_says_so(dated: Pipeline) -> None:
    answer = dated.ask("ماذا بحث الوزيران؟", filters=request_filter("2025-07", "2025-07"))
    assert _searched(answer) == {"sana-1", "sana-2", "undated-july"}
    searched = message("filter_searched", "ar", filter="تموز/يوليو 2025", articles="3 مقالات")
    assert searched in answer.notices


def test_a_questions_span_rules_out_dated_articles_only(dated: Pipeline) -> None:
    answer = dated.ask("ماذا جرى بين سوريا وروسيا في تموز 2025؟")
    assert _searched(answer) == {"sana-1", "sana-2", "undated-july", "undated-2015"}
    answer = dated.ask("What did they agree according to SANA?")
    assert _searched(answer) == {"sana-1", "sana-2"}
    assert any(n.startswith("Only the articles matching the filter (sana") for n in answer.notices)


def test_a_questions_filter_that_matches_nothing_is_set_aside(dated: Pipeline) -> None:
    answer = dated.ask("ماذا قال المسؤولون بحسب سانا في آب 2025؟")
    assert message("filter_dropped", "ar", words="آب 2025 سانا") in answer.notices
    assert len(_searched(answer)) == 5


def test_a_request_filter_that_matches_nothing_is_kept_and_nothing_is_answered(
    dated: Pipeline,
) -> None:
    answer = dated.ask("Who met in Damascus?", filters=request_filter(None, None, ["Reuters"]))
    assert answer.refused and answer.passages == []
    assert message("filter_empty", "en", filter="Reuters") in answer.notices


def test_the_seed_corpus_is_undated_so_a_questions_month_keeps_every_article(
    pipeline: Pipeline,
) -> None:
    answer = pipeline.ask("رتّب زمنياً لقاءات المسؤولين السوريين والروس في شهر شباط")
    assert len({p.article_id for p in answer.passages}) == 5 and answer.notices == []
    assert answer.shape == "timeline"
    assert {s.date for s in answer.sentences} == {"--02-23/24"}  # the timeline keeps to February
