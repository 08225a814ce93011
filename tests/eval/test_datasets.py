import json
import logging
from pathlib import Path

import pytest

from eval.datasets import SHARED_EVAL_DIR, EvalQuestion, load_seed_qa, load_squad

SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"


def _squad(articles: list[tuple[str, list[tuple[str, list[tuple[str, str, list[str]]]]]]]) -> dict:
    """articles: (title, [(context, [(id, question, [answer texts])])])."""
    return {
        "version": "1.1",
        "data": [
            {
                "title": title,
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "id": qid,
                                "question": question,
                                "answers": [
                                    {"text": text, "answer_start": context.find(text)}
                                    for text in answers
                                ],
                            }
                            for qid, question, answers in qas
                        ],
                    }
                    for context, qas in paragraphs
                ],
            }
            for title, paragraphs in articles
        ],
    }


ARABIC = _squad(
    [
        (
            "Damascus",
            [
                ("دمشق عاصمة سوريا وأقدم المدن.", [("q1", "ما عاصمة سوريا؟", ["دمشق"])]),
                ("يمر نهر بردى في دمشق.", [("q2", "أي نهر يمر في دمشق؟", ["بردى"])]),
            ],
        ),
        ("Moscow", [("موسكو عاصمة روسيا.", [("q3", "ما عاصمة روسيا؟", ["موسكو"])])]),
    ]
)
ENGLISH = _squad(
    [
        (
            "Damascus",
            [
                (
                    "Damascus is the capital of Syria.",
                    [("q1", "What is the capital of Syria?", ["Damascus"])],
                ),
                ("The Barada flows through Damascus.", [("q2", "Which river?", ["Barada"])]),
            ],
        ),
        ("Extra", [("Only in English.", [("q9", "Which question is extra?", ["this one"])])]),
    ]
)


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_squad_single_file(tmp_path):
    squad = load_squad(_write(tmp_path / "tiny.ar.json", ARABIC))
    assert squad.name == "tiny.ar"
    assert [p.id for p in squad.passages] == ["000-000", "000-001", "001-000"]
    assert squad.passages[2].title == "Moscow"
    assert squad.questions[1] == EvalQuestion(
        id="q2",
        question="أي نهر يمر في دمشق؟",
        lang="ar",
        answers=("بردى",),
        gold_ids=("000-001",),
        answerable=True,
        direction="ar-ar",
    )
    assert squad.skipped_questions == 0


def test_load_squad_joins_parallel_questions_by_id(tmp_path, caplog):
    passages = _write(tmp_path / "tiny.ar.json", ARABIC)
    questions = _write(tmp_path / "tiny.en.json", ENGLISH)
    with caplog.at_level(logging.WARNING):
        squad = load_squad(passages, questions)
    assert squad.name == "tiny.en+tiny.ar"
    assert len(squad.passages) == 3
    assert [q.id for q in squad.questions] == ["q1", "q2"]
    first = squad.questions[0]
    assert first.question == "What is the capital of Syria?"
    assert first.lang == "en" and first.direction == "en-ar"
    # Arabic span first, the English file's answer as an extra alias.
    assert first.answers == ("دمشق", "Damascus")
    assert first.gold_ids == ("000-000",)
    assert squad.skipped_questions == 1
    assert "1 questions" in caplog.text


def test_unanswered_question_is_unanswerable(tmp_path):
    data = _squad([("T", [("نص بلا جواب.", [("q1", "سؤال؟", [])])])])
    question = load_squad(_write(tmp_path / "v2.json", data)).questions[0]
    assert not question.answerable
    assert question.gold_ids == () and question.answers == ()


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        json.dumps({"version": "1.1"}),
        json.dumps([{"id": "q01"}]),
        json.dumps({"data": [{"title": "t", "paragraphs": [{"qas": []}]}]}),
        json.dumps({"data": []}),
    ],
)
def test_non_squad_file_raises_with_path(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json"):
        load_squad(path)


def test_duplicate_question_id_raises(tmp_path):
    data = _squad([("T", [("نص.", [("q1", "أ؟", ["نص"]), ("q1", "ب؟", ["نص"])])])])
    with pytest.raises(ValueError, match="q1"):
        load_squad(_write(tmp_path / "dup.json", data))


def test_load_seed_qa():
    questions = load_seed_qa(SEED_QA)
    assert len(questions) == 24
    assert sum(not q.answerable for q in questions) == 2
    assert {q.direction for q in questions} == {"ar-ar", "en-ar"}
    assert all(q.direction == f"{q.lang}-ar" for q in questions)
    first = questions[0]
    assert first.id == "q01" and first.lang == "ar"
    assert "بوتين" in first.answers
    assert first.gold_ids[0] == "000_7bd1b27135457103"
    assert all(q.gold_ids == () for q in questions if not q.answerable)


def test_load_seed_qa_reports_bad_line(tmp_path):
    path = tmp_path / "seed.jsonl"
    path.write_text('{"id": "q1", "lang": "fr"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"seed\.jsonl:1"):
        load_seed_qa(path)
