"""The evaluation CLI end to end on a tiny SQuAD file: real model, real index, real chain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.reporting.report import RECALL_PLOT, SCORE_PLOT

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
                # In English, naming what the Arabic paragraph is about, so that some English
                # questions are answered right and the fits see both classes.
                "question": f"What is {title} known for?" if english else question,
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


RIVERS = [
    ("النيل", "مصر", "السد العالي"),
    ("الفرات", "سوريا", "سد الطبقة"),
    ("دجلة", "العراق", "سد الموصل"),
    ("الأردن", "الأردن", "البحر الميت"),
    ("العاصي", "لبنان", "النواعير"),
    ("السنغال", "السنغال", "سد مانانتالي"),
]


def _cities(tmp_path: Path) -> tuple[Path, Path, Path]:
    cities = [
        (
            city,
            # The answer sentence names the city, as a reader needs to find it: both classes
            # (answered right, and wrong or unanswerable) must occur for the fit.
            f"تشتهر مدينة {city} بـ{known_for} الذي يزوره السياح كل عام. "
            f"وتقع المدينة في {country}، ويبلغ عدد سكانها {100 + 37 * n} ألف نسمة.",
            [(f"c{n}", f"بماذا تشتهر مدينة {city}؟", known_for)],
        )
        for n, (city, country, known_for) in enumerate(CITIES)
    ]
    rivers = [
        (
            river,
            f"نهر {river} يجري في {country}. وأشهر ما على نهر {river} {known_for}. "
            f"ويبلغ طوله {300 + 41 * n} كيلومتراً.",
            [(f"r{n}", f"ما أشهر ما على نهر {river}؟", known_for)],
        )
        for n, (river, country, known_for) in enumerate(RIVERS)
    ]
    return (
        _squad(tmp_path / "cities.ar.json", paragraphs=cities),
        _squad(tmp_path / "cities.en.json", english=True, paragraphs=cities),
        _squad(tmp_path / "rivers.ar.json", paragraphs=rivers),
    )


@pytest.mark.slow
def test_collect_and_calibrate_fit_a_fusion_and_a_confidence_the_settings_can_load(
    tmp_path: Path,
) -> None:
    from rag.answer.confidence import FEATURES, confidence_models, tier_thresholds
    from rag.answer.ranking import RANK_FEATURES, sentence_rankers

    arabic, english, arcd = _cities(tmp_path)
    records = tmp_path / "records"
    completed = _eval(
        "collect",
        "--xquad", arabic,
        "--xquad-en", english,
        "--arcd", arcd,
        "--out", records,
        "--index-root", tmp_path / "indexes",
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    counts = json.loads(completed.stdout[completed.stdout.index("{") :])
    assert counts["xquad-ar"] == counts["xquad-en"] == len(CITIES)
    assert counts["arcd"] == len(RIVERS) and counts["offtopic-ar-on-xquad"] == len(RIVERS)
    lines = (records / "xquad-ar.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["split"] in {"even", "odd"} and set(first["features"]) == set(FEATURES)
    assert first["chunk_ranked"]["dense"] and first["tier"] == "answer"
    # Every candidate sentence with its ranking signals, hand score and gold label.
    candidates = first["candidates"]
    assert set(candidates["signals"]) == set(RANK_FEATURES)
    assert len(candidates["hit"]) == len(candidates["score"]) >= 1
    assert isinstance(first["first_hit"], bool)

    out = tmp_path / "calibration.json"
    for fit in ("fusion", "ranker", "confidence"):
        completed = _eval("calibrate", "--records", records, "--fit", fit, "--out", out)
        assert completed.returncode == 0, completed.stderr[-2000:]
    calibration = json.loads(out.read_text(encoding="utf-8"))
    assert set(calibration["fusion_weights"]) == {"ar", "en"}
    assert set(calibration["fusion_weights"]["ar"]) == {"dense", "sentences", "bm25"}
    models = confidence_models(calibration["confidence"])
    tiers = tier_thresholds(calibration["tier_thresholds"])
    assert set(models) == set(tiers) == {"ar", "en"} and models["ar"].features == FEATURES
    assert "xquad_odd" in calibration["confidence_stats"]["ar"]
    assert "arcd_cv" in calibration["confidence_stats"]["ar"]
    assert "ece" in calibration["confidence_stats"]["ar"]["xquad_odd"]["reliability"]
    # The ranker's checks are reported whether or not it was kept; kept ones are numbers.
    stats = calibration["sentence_ranker_stats"]
    assert {"hand", "learned"} <= set(stats["ar"]["xquad_odd"]) and "kept" in stats["en"]
    for language, stored in (calibration["sentence_ranker"] or {}).items():
        assert stats[language]["kept"]
        assert sentence_rankers({language: stored})[language].features == RANK_FEATURES
