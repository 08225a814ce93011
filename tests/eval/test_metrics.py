import math

import pytest

from eval.metrics import (
    RETRIEVAL_KEYS,
    answer_hit,
    best_sentence_f1,
    citation_support,
    citation_validity,
    latency_summary,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    recall_curve,
    refusal_metrics,
    retrieval_metrics,
    sentence_match,
    token_f1,
)

RANKED = ["p1", "p2", "gold", "p4", "p5", "p6"]


def test_recall_is_a_hit_within_k():
    assert recall_at_k(RANKED, {"gold"}, 2) == 0.0
    assert recall_at_k(RANKED, {"gold"}, 3) == 1.0
    # Several gold articles: finding any one of them is a hit.
    assert recall_at_k(RANKED, {"p2", "missing"}, 2) == 1.0
    assert recall_at_k(RANKED, set(), 10) == 0.0


def test_mrr_and_ndcg_for_gold_at_rank_3():
    assert mrr_at_k(RANKED, {"gold"}, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(RANKED, {"gold"}, 2) == 0.0
    assert ndcg_at_k(RANKED, {"gold"}, 10) == pytest.approx(1 / math.log2(4)) == 0.5
    assert ndcg_at_k(["gold"], {"gold"}, 10) == 1.0


def test_ndcg_ideal_covers_min_of_gold_and_k():
    # Two gold ids at ranks 1 and 3: (1 + 0.5) / (1 + 1/log2(3)).
    expected = 1.5 / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}, 10) == pytest.approx(expected)
    # With k = 1 the ideal is a single hit, so a hit at rank 1 is perfect.
    assert ndcg_at_k(["a", "b"], {"a", "b", "c"}, 1) == 1.0


def test_repeated_ids_count_once_at_best_rank():
    ranked = ["x", "x", "x", "gold"]
    assert mrr_at_k(ranked, {"gold"}, 2) == 0.5
    assert ndcg_at_k(["gold", "gold"], {"gold"}, 10) == 1.0


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        recall_at_k(RANKED, {"gold"}, 0)


def test_retrieval_metrics_means_and_skips_questions_without_gold():
    pairs = [(RANKED, {"gold"}), (["gold"], {"gold"}), (["x"], set())]
    metrics = retrieval_metrics(pairs)
    assert tuple(metrics) == RETRIEVAL_KEYS
    assert metrics["recall@1"] == 0.5
    assert metrics["recall@5"] == 1.0
    assert metrics["mrr@10"] == pytest.approx((1 / 3 + 1) / 2)
    assert metrics["ndcg@10"] == pytest.approx(0.75)
    with pytest.raises(ValueError):
        retrieval_metrics([(["x"], set())])


def test_recall_curve_keys_are_strings_1_to_10():
    curve = recall_curve([(RANKED, {"gold"})])
    assert list(curve) == [str(k) for k in range(1, 11)]
    assert curve["2"] == 0.0 and curve["3"] == 1.0


def test_answer_hit_survives_tashkeel_alef_and_digit_variants():
    answer = "التقى الوزيران في أنقرةَ يوم ٣١ تموز"
    assert answer_hit(answer, ["انقرة"])
    assert answer_hit(answer, ["31 تموز"])
    assert answer_hit("استقبله فلاديمير بوتين", ["Putin", "بوتين"])
    assert answer_hit("Met President PUTIN", ["putin"])
    assert not answer_hit(answer, ["موسكو", ""])
    assert not answer_hit(answer, [])


def test_sentence_match_is_normalized_containment_of_the_span():
    assert sentence_match("قال إنّ الإجتماع كان مفيداً جداً.", "الاجتماع كان مفيدا")
    assert not sentence_match("قال إن الاجتماع كان مفيدا", "غير مفيد")
    assert not sentence_match("anything", "  ")


def test_token_f1_strips_arabic_article_and_conjunction():
    assert token_f1("البيت الأبيض", "بيت ابيض") == 1.0
    assert token_f1("والرئيس", "الرئيس") == 1.0
    # Two of three predicted tokens match the two gold tokens: P = 2/3, R = 1.
    assert token_f1("في البيت الأبيض", "بيت أبيض") == pytest.approx(0.8)
    assert token_f1("the White House.", "White House") == 1.0
    assert token_f1("موسكو", "أنقرة") == 0.0
    assert token_f1("", "") == 1.0
    assert token_f1("", "أنقرة") == 0.0


def test_best_sentence_f1_takes_the_best_sentence():
    answer = "التقى الوزيران أمس. استقبله بوتين في الكرملين."
    assert best_sentence_f1(answer, "استقبله بوتين في الكرملين") == 1.0
    assert best_sentence_f1("", "بوتين") == 0.0


def test_citation_validity_uses_flag_or_context_ids():
    records = [
        {"citations": [{"passage_id": "a", "valid": True}, {"passage_id": "b", "valid": False}]},
        {"citations": [{"passage_id": "c"}, {"passage_id": "z"}], "context_ids": ["c"]},
        {"refused": True, "citations": []},
    ]
    assert citation_validity(records) == 0.5
    assert citation_validity([{"citations": []}]) is None


def test_citation_support_counts_sentences_of_answered_questions():
    records = [
        {"sentences": [{"supported": True}, {"supported": False}, {"supported": True}]},
        {"sentences": [{"text": "no flag"}]},
        {"refused": True, "sentences": [{"supported": False}]},
    ]
    assert citation_support(records) == 0.5
    assert citation_support([]) is None


def test_refusal_metrics():
    records = [
        {"answerable": False, "refused": True},
        {"answerable": False, "refused": False},
        {"answerable": False, "refused": True},
        {"answerable": True, "refused": True},
        {"answerable": True, "refused": False},
        {"answerable": True, "refused": False},
        {"answerable": True, "refused": False},
    ]
    metrics = refusal_metrics(records)
    assert metrics["refusal_accuracy"] == pytest.approx(2 / 3)
    assert metrics["false_answer_rate"] == pytest.approx(1 / 3)
    assert metrics["false_refusal_rate"] == 0.25


def test_refusal_metrics_without_unanswerable_questions():
    metrics = refusal_metrics([{"answerable": True, "refused": False}])
    assert metrics == {
        "refusal_accuracy": None,
        "false_refusal_rate": 0.0,
        "false_answer_rate": None,
    }


def test_latency_summary_uses_linear_percentiles():
    summary = latency_summary([10.0, 20.0, 30.0, 40.0, 100.0])
    assert summary == {"p50": 30.0, "p95": pytest.approx(88.0), "mean": 40.0}
    with pytest.raises(ValueError):
        latency_summary([])
