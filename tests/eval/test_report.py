from eval.reporting.report import (
    DIRECTION_PLOT,
    RECALL_PLOT,
    RISK_PLOT,
    SCORE_PLOT,
    format_summary_table,
    write_report,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _retrieval(base: float) -> dict[str, float]:
    return {
        "recall@1": base,
        "recall@5": base + 0.1,
        "recall@10": base + 0.15,
        "mrr@10": base + 0.05,
        "ndcg@10": base + 0.07,
    }


def _method(base: float) -> dict:
    return {
        "retrieval": _retrieval(base),
        "recall_curve": {str(k): min(1.0, base + 0.02 * k) for k in range(1, 11)},
        "by_direction": {"ar-ar": _retrieval(base + 0.05), "en-ar": _retrieval(base - 0.2)},
    }


def _tiers(answer: float) -> dict:
    return {
        "coverage": {"answer": answer, "likely": 0.2, "related": 0.7 - answer, "refused": 0.1},
        "stated_coverage": answer + 0.2,
        "right": {"answer": 0.93, "likely": 0.75},
        "unanswerable_stated": 0.12,
        "unanswerable_in_answer": 0.04,
        "unanswerable_refused": 0.6,
        "reliability": {
            "levels": {
                "answer": {"questions": 40, "predicted": 0.94, "observed": 0.93},
                "likely": {"questions": 20, "predicted": 0.72, "observed": 0.75},
                "related": {"questions": 30, "predicted": 0.3, "observed": 0.2},
                "refused": {"questions": 10, "predicted": 0.02, "observed": None},
            },
            "ece": 0.031,
        },
        "risk_coverage": {"coverage": [0.1, 0.5, 1.0], "risk": [0.0, 0.05, 0.3], "aurc": 0.08},
    }


def _results() -> dict:
    answers = {"answer_hit": 0.8, "sentence_match": 0.6, "token_f1": 0.45}
    return {
        "dataset": "xquad.ar",
        "created": "2025-01-01T00:00:00Z",
        "config": {"k": 10, "dense_model": "e5-small"},
        "methods": {"bm25": _method(0.6), "dense": _method(0.55), "hybrid": _method(0.7)},
        "answers": {**answers, "by_direction": {"ar-ar": answers, "en-ar": answers}},
        "grounding": {
            "citation_validity": 0.97,
            "citation_support": 0.9,
            "refusal_accuracy": 0.5,
            "false_refusal_rate": 0.05,
            "false_answer_rate": 0.5,
        },
        "scores": {
            "ar": {
                "answerable": [0.9, 0.8, 0.75, 0.6, 0.85],
                "unanswerable": [0.3, 0.55],
                "thresholds": {"answer": 0.7, "related": 0.2},
            },
            "en": {
                "answerable": [0.7, 0.65],
                "unanswerable": [0.5],
                "thresholds": {"answer": 0.8, "related": 0.3},
            },
        },
        "selective": {
            **_tiers(0.6),
            "by_direction": {"ar-ar": _tiers(0.7), "en-ar": _tiers(0.4)},
        },
        "latency_ms": {"p50": 120.0, "p95": 300.0, "mean": 150.0},
        "records": [
            {
                "id": "q1",
                "question": "ما عاصمة سوريا؟",
                "direction": "ar-ar",
                "answerable": True,
                "gold_ids": ["000-000"],
                "ranked": {"hybrid": ["001-000", "002-000"]},
                "answer": "موسكو",
                "tier": "answer",
                "refused": False,
                "answer_hit": False,
                "token_f1": 0.0,
            },
            {
                "id": "q2",
                "question": "What is the population of Damascus?",
                "direction": "en-ar",
                "answerable": False,
                "gold_ids": [],
                "ranked": {"hybrid": ["003-000"]},
                "answer": "About 2 million | maybe",
                "tier": "answer",
                "refused": False,
            },
            {
                "id": "q3",
                "question": "Fine question",
                "direction": "en-ar",
                "answerable": True,
                "gold_ids": ["000-001"],
                "ranked": {"hybrid": ["000-001"]},
                "answer": "right",
                "tier": "answer",
                "refused": False,
                "answer_hit": True,
                "token_f1": 1.0,
            },
        ],
    }


def test_write_report_writes_markdown_and_four_plots(tmp_path):
    report = write_report(_results(), tmp_path / "out")
    assert report == tmp_path / "out" / "report.md"
    markdown = report.read_text(encoding="utf-8")
    assert "## Selective answering (tiers)" in markdown
    assert (
        "| en-ar | 0.400 | 0.200 | 0.300 | 0.100 | 0.600 | 0.930 | 0.750 | 0.120 | 0.031 | 0.080 |"
        in markdown
    )
    # The reliability table: each tier's predicted against observed share right.
    assert "### Reliability" in markdown
    assert "| en-ar | likely | 20 | 0.720 | 0.750 |" in markdown
    assert "| all | refused | 10 | 0.020 | n/a |" in markdown
    for name in (RECALL_PLOT, DIRECTION_PLOT, SCORE_PLOT, RISK_PLOT):
        image = tmp_path / "out" / name
        assert image.stat().st_size > 1000
        assert image.read_bytes()[:8] == PNG_MAGIC
        assert f"]({name})" in markdown
    for anchor in ("0.888", "0.946", "0.962", "0.820", "0.773", "45.1", "61.5", "49.0", "68.6"):
        assert anchor in markdown
    assert "How to read this report" in markdown
    assert "| hybrid | en-ar |" in markdown
    # Worst misses: the retrieval miss first, the unrefused unanswerable next, the hit not at all.
    misses = markdown.split("## Worst misses")[1]
    assert misses.index("q1") < misses.index("q2")
    assert "q3" not in misses
    assert "About 2 million \\| maybe" in misses


def test_write_report_skips_missing_sections(tmp_path):
    results = {
        "dataset": "seed_qa",
        "methods": {"bm25": {"retrieval": _retrieval(0.5)}},
        "grounding": {"refusal_accuracy": None, "false_refusal_rate": 0.0},
        "scores": {"ar": {"answerable": [], "unanswerable": [], "thresholds": None}},
        "records": [],
    }
    markdown = write_report(results, tmp_path).read_text(encoding="utf-8")
    plots = (RECALL_PLOT, DIRECTION_PLOT, SCORE_PLOT, RISK_PLOT)
    assert not any((tmp_path / name).exists() for name in plots)
    assert ".png" not in markdown
    assert "| refusal_accuracy | n/a |" in markdown
    assert "## Answers" not in markdown and "## Worst misses" not in markdown
    assert "## Latency" not in markdown


def test_score_histogram_without_unanswerable_questions(tmp_path):
    results = {"dataset": "d", "scores": {"en": {"answerable": [0.2, 0.9], "thresholds": None}}}
    markdown = write_report(results, tmp_path).read_text(encoding="utf-8")
    assert (tmp_path / SCORE_PLOT).read_bytes()[:8] == PNG_MAGIC
    assert f"]({SCORE_PLOT})" in markdown


def test_format_summary_table():
    table = format_summary_table(_results())
    lines = table.splitlines()
    assert lines[0] == "dataset: xquad.ar"
    assert lines[1].split() == [
        "method",
        "direction",
        "recall@1",
        "recall@5",
        "recall@10",
        "mrr@10",
        "ndcg@10",
    ]
    assert any(line.split()[:3] == ["hybrid", "all", "0.700"] for line in lines)
    assert "token_f1 0.450" in table
    assert "false_answer_rate 0.500" in table
    assert "p95 300" in table
    assert "tiers en-ar: answerable: answer 0.400" in table and "AURC 0.080" in table
    assert "likely right 0.750" in table and "ECE 0.031" in table
    assert any(line.split() == ["ar-ar", "answer", "40", "0.940", "0.930"] for line in lines)
    assert format_summary_table({"dataset": "empty"}) == "dataset: empty"
