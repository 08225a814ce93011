"""The answer chain on the real seed corpus with the real model: retrieval, cited answers in both
languages, refusal, follow-up questions, streaming and the `ask` CLI. The chain's tests run on
both index backends (FAISS, and Milvus on the real milvus-lite engine).

The questions here are written for these tests from the seed articles; they are not the
evaluation's seed questions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corpus import DEFAULT_CORPUS_DIR, normalize_text, search_tokens
from embeddings.model.embedder import Embedder
from rag.config import load_settings
from rag.messages import message
from rag.pipeline import Pipeline
from rag.question.language import detect_language
from rag.schema import Answer, Turn

ROOT = Path(__file__).resolve().parents[2]
CLI_TIMEOUT = 300


def _article_text(article_id: str) -> str:
    return normalize_text((DEFAULT_CORPUS_DIR / f"{article_id}.txt").read_text(encoding="utf-8"))


def _assert_grounded(answer: Answer) -> None:
    """Every answer sentence carries a marker of a citation, and each citation's sentence is a
    sentence of its passage."""
    assert answer.sentences and answer.citations, answer.render_text()
    markers = {c.marker for c in answer.citations}
    assert markers == set(range(1, len(markers) + 1))
    for sentence in answer.sentences:
        assert sentence.markers and set(sentence.markers) <= markers, sentence
    for citation in answer.citations:
        text = citation.passage.chunk.text
        assert text[citation.sentence.start : citation.sentence.end] == citation.sentence.text


def _assert_lead(answer: Answer) -> None:
    """The lead is the tier's: "the closest passages are", "most likely", or "according to
    (N) articles"."""
    if answer.tier == "related":
        assert answer.lead == message("related", answer.language)
    elif answer.tier == "likely":
        assert "likely" in answer.lead or answer.lead == message("likely", answer.language)
    else:
        assert answer.tier == "answer" and answer.lead.startswith(
            message("lead", answer.language).split()[0]
        ), answer.lead


@pytest.mark.parametrize(
    ("question", "expected", "article"),
    [
        # The Russian defence minister whom Abu Qasra met (000) ...
        ("من هو نظير وزير الدفاع السوري الذي التقاه في موسكو؟", "بيلاوسوف", "000_7bd1b27135457103"),
        # ... and the date the Russian intervention began (003, as digits in the text).
        ("منذ متى تشارك روسيا عسكريا في الصراع السوري؟", "2015", "003_60194546891453d8"),
    ],
)
def test_arabic_question_gets_an_arabic_answer_citing_the_article_that_states_it(
    pipeline: Pipeline, question: str, expected: str, article: str
) -> None:
    answer = pipeline.ask(question)
    assert answer.language == "ar" and not answer.refused
    _assert_lead(answer)
    _assert_grounded(answer)
    assert normalize_text(expected) in normalize_text(answer.text), answer.render_text()
    assert expected in _article_text(article)
    cited = {c.passage.article_id for c in answer.citations}
    assert article in cited, (cited, answer.render_text())


def test_english_question_gets_an_english_lead_and_quoted_arabic_evidence(
    pipeline: Pipeline,
) -> None:
    answer = pipeline.ask("Which Russian deputy foreign minister visited Damascus?")
    assert answer.language == "en" and not answer.refused
    _assert_lead(answer)
    _assert_grounded(answer)
    assert "بوغدانوف" in answer.text, answer.render_text()
    for sentence in answer.sentences:
        assert sentence.text.startswith("“") and sentence.text.endswith("”")
        assert detect_language(sentence.text) == "ar"


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("ما هي عاصمة أستراليا؟", "ar"),
        ("Who won the football World Cup in 1998?", "en"),
        ("How many moons does Jupiter have?", "en"),
    ],
)
def test_a_question_the_corpus_does_not_answer_is_refused_in_its_language(
    pipeline: Pipeline, question: str, language: str
) -> None:
    answer = pipeline.ask(question)
    assert answer.tier == "refused" and answer.refused, answer.render_text()
    assert answer.language == language
    assert answer.lead == message("refusal", language)
    assert answer.citations == [] and answer.sentences == []
    assert answer.confidence is not None and answer.confidence < 0.1


def test_the_tier_follows_the_thresholds_on_the_confidence(
    embedder: Embedder, index_settings: dict[str, Any]
) -> None:
    """The same question is answered, offered as the likely answer, shown as related passages
    or refused exactly as its confidence stands against the language's three thresholds."""
    question = "Which outlet reported that Putin received the Syrian ministers in the Kremlin?"
    base = Pipeline.from_settings(load_settings(**index_settings), embedder).ask(question)
    assert base.confidence is not None
    c = base.confidence
    for (answer, likely, related), tier in (
        ((c - 0.01, c - 0.02, c - 0.03), "answer"),
        ((c + 0.01, c - 0.01, c - 0.02), "likely"),
        ((c + 0.02, c + 0.01, c - 0.01), "related"),
        ((c + 0.03, c + 0.02, c + 0.01), "refused"),
    ):
        thresholds = {
            "en": {
                "answer": max(0.0, answer),
                "likely": max(0.0, likely),
                "related": max(0.0, related),
            }
        }
        settings = load_settings(**index_settings, tier_thresholds=thresholds)
        tiered = Pipeline.from_settings(settings, embedder).ask(question)
        assert tiered.tier == tier, (c, thresholds)
        assert tiered.confidence == pytest.approx(c)
        said = {"related": message("related", "en"), "refused": message("refusal", "en")}
        assert (tiered.lead == said[tier]) if tier in said else tiered.lead not in said.values()
        assert bool(tiered.citations) is (tier != "refused")


def test_bm25_joins_the_fusion_for_arabic_questions_only(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, ...]] = []
    original = pipeline.index.search_lexical

    def recording(tokens, k: int, within=None):
        calls.append(tuple(tokens))
        return original(tokens, k, within)

    monkeypatch.setattr(pipeline.index, "search_lexical", recording)
    pipeline.ask("Who met Lavrov in Moscow?")
    assert calls == []
    pipeline.ask("من التقى لافروف في موسكو؟")
    assert calls == [tuple(search_tokens("من التقى لافروف في موسكو؟"))]


def test_top_k_is_configurable_per_question(pipeline: Pipeline) -> None:
    question = "ماذا ناقش الشيباني مع لافروف؟"
    assert len(pipeline.ask(question, k=2).passages) == 2
    assert len(pipeline.ask(question, k=7).passages) == 7


@pytest.mark.parametrize(
    ("history", "follow_up"),
    [
        (["ماذا بحث الرئيس أحمد الشرع مع بوتين؟"], "متى زار موسكو؟"),
        (["What did President Ahmed al-Sharaa discuss with Putin?"], "When did he visit Moscow?"),
    ],
)
def test_a_follow_up_question_is_searched_with_the_conversation(
    pipeline: Pipeline, history: list[str], follow_up: str
) -> None:
    def mentions_sharaa(answer: Answer) -> bool:
        return any("الشرع" in p.chunk.text for p in answer.passages[:2])

    answer = pipeline.ask(follow_up, [Turn(question) for question in history])
    assert mentions_sharaa(answer), answer.render_text()
    assert not answer.refused
    # History that the question does not lean on is ignored.
    standalone = "What did Lavrov say about the Arab-Russian summit?"
    turns = [Turn(question) for question in history]
    assert pipeline.ask(standalone, turns).passages == pipeline.ask(standalone).passages


def test_the_stream_adds_up_to_the_final_answer(pipeline: Pipeline) -> None:
    chunks = list(pipeline.stream("من استقبل وزيري الخارجية والدفاع السوريين في الكرملين؟"))
    final = chunks[-1].answer
    assert final is not None and all(c.answer is None for c in chunks[:-1])
    assert "".join(c.delta for c in chunks) == final.text
    assert len(chunks) >= 3  # the lead, at least one sentence, then the answer
    assert set(final.timings_ms) == {"embed", "search", "answer", "verify"}


def _cli(seed_index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--index", str(seed_index), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )


CITATION_KEYS = {"marker", "article_id", "chunk_id", "title", "text", "sentence", "score"}


@pytest.mark.slow
def test_cli_json_answers_one_question(seed_index: Path) -> None:
    result = _cli(seed_index, "Which Russian deputy foreign minister visited Damascus?", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    assert payload["question"].startswith("Which Russian")
    assert payload["language"] == "en" and payload["refused"] is False
    assert payload["citations"] and all(set(c) >= CITATION_KEYS for c in payload["citations"])
    for citation in payload["citations"]:
        assert citation["sentence"] in citation["text"]
        assert citation["chunk_id"].startswith(citation["article_id"] + ":")
    assert payload["unsupported_sentences"] == []
    assert {"embed", "search", "answer", "verify"} <= set(payload["timings_ms"])


@pytest.mark.slow
def test_cli_batch_answers_each_line_with_one_model_load(seed_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    questions = ["من التقى لافروف في موسكو؟", "What is the capital of Australia?"]
    batch.write_text(
        "".join(json.dumps({"question": q}, ensure_ascii=False) + "\n" for q in questions),
        encoding="utf-8",
    )
    result = _cli(seed_index, "--questions", str(batch), "--json", "--k", "3")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [line["question"] for line in lines] == questions
    assert [line["language"] for line in lines] == ["ar", "en"]
    assert lines[0]["refused"] is False and lines[0]["citations"]
    assert lines[1]["refused"] is True and lines[1]["citations"] == []
    assert all(len(line["retrieved"]) == 3 for line in lines)


@pytest.mark.slow
def test_cli_batch_reports_a_bad_line_and_goes_on(seed_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        '{"q": "no question key"}\n'
        + json.dumps({"question": "س" * 5000}, ensure_ascii=False)
        + "\nnot json\n"
        + json.dumps({"question": "من التقى لافروف في موسكو؟"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    result = _cli(seed_index, "--questions", str(batch))
    assert result.returncode == 1, result.stderr[-2000:]  # some lines failed, all were read
    assert "Traceback" not in result.stderr
    assert [
        line.split(":")[0:2] for line in result.stderr.splitlines() if line.startswith("error")
    ] == [
        ["error", " line 1"],
        ["error", " line 2"],
        ["error", " line 3"],
    ]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [("error" in line) for line in lines] == [True, True, True, False]
    assert 'no "question"' in lines[0]["error"] and "invalid JSON" in lines[2]["error"]
    assert "5000" in lines[1]["error"]  # too long: its length and the limit, in its language
    assert lines[3]["citations"]


def test_terminal_output_shows_control_characters_as_escapes() -> None:
    from rag.__main__ import terminal_safe

    assert terminal_safe("نص\x1b[2J\x07 آخر\nسطر\x9b") == "نص\\x1b[2J\\x07 آخر\nسطر\\x9b"


def test_a_follow_up_is_searched_about_the_person_the_previous_answer_named(
    pipeline: Pipeline,
) -> None:
    """ "And when did he visit Moscow?" after "Who is the Syrian defence minister?" is about
    Abu Qasra, whom the first answer named, not about the first answer's other topics."""
    for first, follow_up in (
        ("من هو وزير الدفاع السوري؟", "ومتى زار موسكو؟"),
        ("Who is the Syrian defence minister?", "And when did he visit Moscow?"),
    ):
        previous = pipeline.ask(first)
        answer = pipeline.ask(follow_up, [Turn(first, previous)])
        name = normalize_text("أبو قصرة")
        assert name in normalize_text(answer.passages[0].chunk.text), answer.render_text()
        assert name in normalize_text(answer.sentences[0].text), answer.render_text()


def test_a_standalone_who_is_question_does_not_take_the_previous_subject(
    pipeline: Pipeline,
) -> None:
    previous_question = "ماذا ناقش الشيباني مع لافروف في موسكو؟"
    previous = pipeline.ask(previous_question)
    question = "من هو وزير الدفاع الروسي؟"
    alone = pipeline.ask(question)
    after = pipeline.ask(question, [Turn(previous_question, previous)])
    assert after.passages == alone.passages
    assert after.text == alone.text


@pytest.mark.parametrize(
    "question",
    [
        "ما هي العلاقة بين روسيا وسوريا بعد سقوط الأسد؟",
        "What is the relationship of Russia with Syria after Assad?",
    ],
)
def test_section_headings_are_never_answer_sentences(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question, k=8)
    headings = {
        normalize_text(h) for h in ("لقاء على مستوى الدفاع", "علاقة روسيا مع سوريا بعد سقوط الأسد")
    }
    retrieved = "\n".join(normalize_text(p.chunk.text) for p in answer.passages)
    assert any(heading in retrieved for heading in headings)  # they were there to pick
    shown = [normalize_text(s.text.strip("“”")) for s in answer.sentences]
    assert not headings & set(shown), shown
    assert all(normalize_text(c.sentence.text) not in headings for c in answer.citations)
