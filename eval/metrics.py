"""Evaluation metrics: pure functions over ranked ids, answer strings and per-answer records.

Retrieval: a question's gold set holds the passage (XQuAD) or article (seed set) ids that state
its answer. Ranked lists may repeat an id (several chunks of one passage); a repeat counts once,
at its best rank. Questions without gold ids have nothing to retrieve and are left out of
`retrieval_metrics` and `recall_curve`.

Answers: matching goes through `corpus.normalize.normalize_text`, the project's one definition
of "the same text" (NFKC, no tashkeel/tatweel, bare alef, ASCII digits, casefolded).
"""

from __future__ import annotations

import math
import string
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypedDict

import numpy as np

from corpus.normalize import normalize_text
from corpus.sentences import split_sentences

RETRIEVAL_KEYS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")
CURVE_MAX_K = 10

# (ranked retrieved ids, best first; gold ids) for one question.
RankedGold = tuple[Sequence[str], Collection[str]]


class Citation(TypedDict, total=False):
    passage_id: str
    valid: bool  # the cited id is one of the passages the answerer was given


class SentenceRecord(TypedDict, total=False):
    text: str
    citations: list[str]
    supported: bool  # the sentence is supported by the passage(s) it cites


class AnswerRecord(TypedDict, total=False):
    """One question's outcome, as the runner writes it to `results["records"]`."""

    id: str
    question: str
    direction: str
    lang: str  # the question's language: the confidence and its tiers are per language
    answerable: bool
    gold_ids: list[str]
    aliases: list[str]
    ranked: dict[str, list[str]]  # method -> retrieved ids, best first
    chunk_ranked: dict[str, list[str]]  # method -> retrieved chunk ids, for fitting the fusion
    answer: str
    tier: str  # "answer", "likely", "related" or "refused"
    refused: bool
    confidence: float | None  # the calibrated probability the tier was decided on
    top_score: float
    features: dict[str, float]  # the confidence signals behind it
    citations: list[Citation]
    sentences: list[SentenceRecord]
    context_ids: list[str]  # passages shown to the answerer; validates citations without a flag
    answer_hit: bool
    evidence_hit: bool  # the answer with its folded evidence holds a gold alias
    # The first sentence shown holds a gold alias (None: nothing shown, a refusal): what the
    # confidence predicts, and what makes an answer or likely tier right.
    first_hit: bool | None
    # Every candidate sentence: its ranking signals, hand-weighed score and whether it holds a
    # gold alias (collected for fitting the sentence ranker).
    candidates: dict[str, Any]
    token_f1: float
    latency_ms: float


def _top_unique(ranked: Sequence[str], k: int) -> list[str]:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return list(dict.fromkeys(ranked))[:k]


def first_gold_rank(ranked: Sequence[str], gold: Collection[str], k: int) -> int | None:
    """1-based rank of the first gold id within the top k, or None."""
    for rank, passage_id in enumerate(_top_unique(ranked, k), start=1):
        if passage_id in gold:
            return rank
    return None


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Hit rate: 1.0 when any gold id is in the top k, else 0.0.

    With several gold ids (seed questions answered by more than one article) finding one is
    enough, since one article that states the answer is all the answerer needs.
    """
    return 0.0 if first_gold_rank(ranked, gold, k) is None else 1.0


def mrr_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Reciprocal rank of the first gold id within the top k, else 0.0."""
    rank = first_gold_rank(ranked, gold, k)
    return 0.0 if rank is None else 1.0 / rank


def ndcg_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Binary-relevance nDCG: gains 1/log2(rank + 1), ideal DCG over min(len(gold), k) hits."""
    gold_set = set(gold)
    if not gold_set:
        return 0.0
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, passage_id in enumerate(_top_unique(ranked, k), start=1)
        if passage_id in gold_set
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold_set), k) + 1))
    return dcg / ideal


def _scorable(pairs: Iterable[RankedGold]) -> list[RankedGold]:
    kept = [(ranked, gold) for ranked, gold in pairs if gold]
    if not kept:
        raise ValueError("no question with gold ids to score")
    return kept


def retrieval_metrics(pairs: Iterable[RankedGold]) -> dict[str, float]:
    """Means over (ranked ids, gold ids) pairs, keys exactly `RETRIEVAL_KEYS`."""
    kept = _scorable(pairs)
    return {
        "recall@1": float(np.mean([recall_at_k(r, g, 1) for r, g in kept])),
        "recall@5": float(np.mean([recall_at_k(r, g, 5) for r, g in kept])),
        "recall@10": float(np.mean([recall_at_k(r, g, 10) for r, g in kept])),
        "mrr@10": float(np.mean([mrr_at_k(r, g, 10) for r, g in kept])),
        "ndcg@10": float(np.mean([ndcg_at_k(r, g, 10) for r, g in kept])),
    }


def recall_curve(pairs: Iterable[RankedGold], max_k: int = CURVE_MAX_K) -> dict[str, float]:
    """Mean recall@k for k = 1..max_k, keyed by str(k) so it survives a JSON round trip."""
    kept = _scorable(pairs)
    return {
        str(k): float(np.mean([recall_at_k(r, g, k) for r, g in kept])) for k in range(1, max_k + 1)
    }


def _gold_form(text: str) -> str:
    """A gold alias or span, normalized; punctuation at its edges ("اثنين.") is not content."""
    return normalize_text(text).strip(_EDGE_PUNCTUATION)


def answer_hit(answer_text: str, aliases: Iterable[str]) -> bool:
    """The normalized answer contains at least one normalized, non-empty alias."""
    answer = normalize_text(answer_text)
    return any(alias and alias in answer for alias in map(_gold_form, aliases))


def sentence_match(answer_text: str, gold_span: str) -> bool:
    """The normalized answer contains the normalized gold span."""
    span = _gold_form(gold_span)
    return bool(span) and span in normalize_text(answer_text)


_EDGE_PUNCTUATION = string.punctuation + " .،؛؟«»“”‘’"
_ENGLISH_ARTICLES = frozenset({"a", "an", "the"})
# Longest first, so "والبيت" loses the conjunction and the article together.
_ARABIC_PREFIXES = ("وال", "ال", "و")
# A shorter remainder is more likely a whole word ("الى", "ولد") than prefix plus stem.
_MIN_REMAINDER = 2


def _is_punctuation(char: str) -> bool:
    return char in string.punctuation or unicodedata.category(char).startswith("P")


def _f1_tokens(text: str) -> list[str]:
    text = "".join(char for char in normalize_text(text) if not _is_punctuation(char))
    tokens: list[str] = []
    for token in text.split():
        if token in _ENGLISH_ARTICLES:
            continue
        for prefix in _ARABIC_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_REMAINDER:
                token = token[len(prefix) :]
                break
        tokens.append(token)
    return tokens


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 after `normalize_text`, with punctuation removed, whitespace tokens.

    Articles are dropped as in the SQuAD and MLQA evaluation scripts: English "a/an/the", and
    for Arabic the article "ال". MLQA's Arabic rule deletes every "ال" substring, even inside
    words ("سلالة"); here it is stripped only at the start of a token, together with a leading
    conjunction "و" ("والرئيس" -> "رئيس"), which MLQA leaves alone. A prefix is kept when
    fewer than two letters would remain. Two empty texts score 1.0, one empty text 0.0.
    """
    predicted, expected = _f1_tokens(prediction), _f1_tokens(gold)
    if not predicted or not expected:
        return float(predicted == expected)
    overlap = sum((Counter(predicted) & Counter(expected)).values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(predicted)
    recall = overlap / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_sentence_f1(answer_text: str, gold_span: str) -> float:
    """Highest `token_f1` of any single sentence of the answer against the gold span."""
    return max(
        (token_f1(sentence.text, gold_span) for sentence in split_sentences(answer_text)),
        default=0.0,
    )


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _citation_valid(citation: Citation, record: AnswerRecord) -> bool:
    if "valid" in citation:
        return bool(citation["valid"])
    return citation.get("passage_id") in record.get("context_ids", [])


def citation_validity(records: Iterable[AnswerRecord]) -> float | None:
    """Share of all citations that point at a passage the answerer was given; None if none."""
    return _share(
        [
            _citation_valid(citation, record)
            for record in records
            for citation in record.get("citations", [])
        ]
    )


def citation_support(records: Iterable[AnswerRecord]) -> float | None:
    """Share of answer sentences (non-refused answers) supported by what they cite.

    A sentence without a `supported` flag counts as unsupported. None when there are none.
    """
    return _share(
        [
            bool(sentence.get("supported", False))
            for record in records
            if not record.get("refused", False)
            for sentence in record.get("sentences", [])
        ]
    )


def refusal_metrics(records: Iterable[AnswerRecord]) -> dict[str, float | None]:
    """Refusal behaviour; a rate is None when its question group is empty.

    refusal_accuracy: unanswerable questions refused; false_answer_rate: unanswerable questions
    answered (the two add up to 1); false_refusal_rate: answerable questions refused.
    """
    records = list(records)
    unanswerable = [bool(r.get("refused")) for r in records if not r.get("answerable", True)]
    answerable = [bool(r.get("refused")) for r in records if r.get("answerable", True)]
    accuracy = _share(unanswerable)
    return {
        "refusal_accuracy": accuracy,
        "false_refusal_rate": _share(answerable),
        "false_answer_rate": None if accuracy is None else 1.0 - accuracy,
    }


def latency_summary(ms: list[float]) -> dict[str, float]:
    """p50, p95 (linear interpolation) and mean of latencies in milliseconds."""
    if not ms:
        raise ValueError("no latencies to summarize")
    p50, p95 = np.percentile(np.asarray(ms, dtype=float), [50, 95], method="linear")
    return {"p50": float(p50), "p95": float(p95), "mean": float(np.mean(ms))}
