"""The evaluation CLI end to end on a tiny SQuAD file: real model, real index, real chain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.report import RECALL_PLOT, SCORE_PLOT

ROOT = Path(__file__).resolve().parents[2]

PARAGRAPHS = [
    (
        "دمشق",
        "دمشق هي عاصمة سوريا وأكبر مدنها. يمر فيها نهر بردى. يعود تاريخ المدينة إلى آلاف السنين.",
        [("q1", "ما هو النهر الذي يمر في دمشق؟", "نهر بردى")],
    ),
    (
        "القاهرة",
        "القاهرة عاصمة مصر. يقع فيها المتحف المصري الكبير. يعبرها نهر النيل من الجنوب إلى الشمال.",
        [("q2", "ما اسم المتحف الموجود في القاهرة؟", "المتحف المصري الكبير")],
    ),
    (
        "بيروت",
        "بيروت عاصمة لبنان وتقع على ساحل البحر المتوسط. مرفأ بيروت من أهم موانئ المنطقة.",
        [("q3", "على أي بحر تقع بيروت؟", "البحر المتوسط")],
    ),
]


def _squad(path: Path, english: bool = False, paragraphs=PARAGRAPHS) -> Path:
    data = []
    for title, context, questions in paragraphs:
        qas = [
            {
                "id": qid,
                "question": f"Question {qid} in English?" if english else question,
                "answers": [{"text": answer, "answer_start": context.find(answer)}],
            }
            for qid, question, answer in questions
        ]
        data.append({"title": title, "paragraphs": [{"context": context, "qas": qas}]})
    path.write_text(
        json.dumps({"version": "1.1", "data": data}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def _eval(*args: object) -> subprocess.CompletedProcess[str]:
    """`python -m eval ARGS` in the project root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "eval", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_squad_cli_writes_results_and_report(tmp_path: Path) -> None:
    passages = _squad(tmp_path / "tiny.ar.json")
    out, report = tmp_path / "results.json", tmp_path / "report"
    completed = _eval(
        "squad",
        str(passages),
        "--index",
        str(tmp_path / "index"),
        "--json",
        str(out),
        "--report",
        str(report),
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "hybrid" in completed.stdout and "ndcg@10" in completed.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert set(results["methods"]) == {"bm25", "dense", "sentences", "hybrid"}
    for method in results["methods"].values():
        assert set(method["retrieval"]) == {
            "recall@1",
            "recall@5",
            "recall@10",
            "mrr@10",
            "ndcg@10",
        }
    # Three paragraphs on different cities: every method must find each question's paragraph.
    assert results["methods"]["hybrid"]["retrieval"]["recall@5"] == 1.0
    answered = [r for r in results["records"] if r.get("variant") != "no-answer"]
    assert len(answered) == 3 and all(r["citations"] for r in answered if not r["refused"])
    assert results["grounding"]["citation_validity"] == 1.0
    assert {"answer_hit", "sentence_match", "token_f1"} <= set(results["answers"])
    assert (report / "report.md").is_file() and (report / RECALL_PLOT).is_file()
    assert (report / SCORE_PLOT).is_file()


@pytest.mark.slow
def test_squad_cli_joins_parallel_questions_by_id(tmp_path: Path) -> None:
    passages = _squad(tmp_path / "tiny.ar.json")
    questions = _squad(tmp_path / "tiny.en.json", english=True)
    out = tmp_path / "results.json"
    completed = _eval(
        "squad",
        str(passages),
        "--questions",
        str(questions),
        "--index",
        str(tmp_path / "index"),
        "--json",
        str(out),
        "--no-no-answer-variant",
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    records = json.loads(out.read_text(encoding="utf-8"))["records"]
    assert [r["direction"] for r in records] == ["en-ar"] * 3
    assert all(r["gold_ids"] for r in records)


def test_squad_cli_rejects_a_file_that_is_not_squad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    completed = _eval("squad", bad, "--index", tmp_path / "i")
    assert completed.returncode == 2
    assert "not a SQuAD" in completed.stderr and "Traceback" not in completed.stderr


CITIES = [
    ("حلب", "سوريا", "القلعة"),
    ("حمص", "سوريا", "الجامع الكبير"),
    ("الموصل", "العراق", "المنارة الحدباء"),
    ("البصرة", "العراق", "شط العرب"),
    ("صيدا", "لبنان", "القلعة البحرية"),
    ("طرابلس", "لبنان", "سوق الصاغة"),
    ("إربد", "الأردن", "جامعة اليرموك"),
    ("العقبة", "الأردن", "الشعاب المرجانية"),
    ("الإسكندرية", "مصر", "المكتبة"),
    ("أسوان", "مصر", "السد العالي"),
    ("صفاقس", "تونس", "زيت الزيتون"),
    ("وهران", "الجزائر", "موسيقى الراي"),
]


@pytest.mark.slow
def test_calibrate_cli_fits_a_model_the_settings_can_load(tmp_path: Path) -> None:
    from rag.answer.answerability import FEATURES, answerability_models

    paragraphs = [
        (
            city,
            f"{city} مدينة في {country}. يبلغ عدد سكانها {100 + 37 * n} ألف نسمة. "
            f"وتشتهر المدينة بـ{known_for} الذي يزوره السياح كل عام.",
            [(f"c{n}", f"بماذا تشتهر مدينة {city}؟", known_for)],
        )
        for n, (city, country, known_for) in enumerate(CITIES)
    ]
    passages = _squad(tmp_path / "cities.ar.json", paragraphs=paragraphs)
    english = _squad(tmp_path / "cities.en.json", english=True, paragraphs=paragraphs)
    out = tmp_path / "calibration.json"
    completed = _eval(
        "calibrate", passages, "--questions", english, "--index", tmp_path / "index", "--out", out
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    calibration = json.loads(out.read_text(encoding="utf-8"))
    models = answerability_models(calibration["answerability"])
    assert set(models) == {"ar", "en"} and models["ar"].features == FEATURES
    for language in ("ar", "en"):
        stats = calibration["calibration_stats"][language]
        assert stats["answerable"] == 6 and stats["unanswerable"] >= 1
        assert stats["false_refusal_rate"] <= 0.1
        assert isinstance(calibration[f"refusal_threshold_{language}"], float)
    assert 0 < calibration["support_threshold"] <= 1
