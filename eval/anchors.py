"""Published numbers to read ours against, and how to read the report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PublishedAnchors:
    """Published numbers from /work/shared/eval/README.md, for scale beside ours."""

    retrieval_task: str
    ndcg_at_10: dict[str, float] = field(default_factory=dict)
    reader_task: str = ""
    reader_em_f1: dict[str, tuple[float, float]] = field(default_factory=dict)


PUBLISHED_ANCHORS = PublishedAnchors(
    retrieval_task="XQuAD ar-ar, 240 Arabic paragraphs (MTEB XQuADRetrieval)",
    ndcg_at_10={
        "BM25": 0.888,
        "multilingual-e5-base": 0.946,
        "multilingual-e5-large": 0.962,
        "LaBSE": 0.820,
        "paraphrase-multilingual-MiniLM-L12": 0.773,
    },
    reader_task="XQuAD-ar, extractive readers fine-tuned on English SQuAD",
    reader_em_f1={"mBERT": (45.1, 61.5), "XLM-R Large": (49.0, 68.6)},
)

HOW_TO_READ = """\
Retrieval is scored per question against its gold passages (XQuAD: the paragraph the question
was asked on; seed set: the articles that state the answer). recall@k is the share of questions
with at least one gold passage in the top k; mrr@10 averages 1/rank of the first gold passage
(0 beyond rank 10); ndcg@10 uses binary relevance and a log2 rank discount. Directions are
question language - passage language: "en-ar" is an English question over Arabic passages.
Answer metrics: answer_hit means the normalized answer contains an accepted alias;
sentence_match that it contains the gold answer span; token_f1 is SQuAD-style token overlap.
Grounding: citation_validity is the share of citations pointing at a passage the answerer was
given, citation_support the share of answer sentences backed by what they cite. For questions
the corpus cannot answer, refusing is right: refusal_accuracy and false_answer_rate add up to 1;
false_refusal_rate counts answerable questions that were refused (a related answer counts as
not refused). Selective answering: each answer has a tier (answer, likely, related, refused)
from its calibrated confidence, the probability that its first sentence holds the answer;
coverage is the share of answerable questions in each tier, "answer right" and "likely right"
the share of each tier's answers whose first sentence holds a gold alias (unanswerable
questions count as wrong), "unanswerable in answer+likely" the share of no-answer questions
that reach a tier stating an answer. The reliability table sets each tier's mean confidence
(predicted share right) beside its observed share right; ECE is the expected calibration
error over ten equal bins of confidence. The risk-coverage curve shows the share of wrong
first sentences when only the most confident questions are answered (AURC is its area: lower
is better). answer_hit scores what the answer and likely tiers state; evidence_hit adds the
folded evidence. The published anchors hold
only for their task (XQuAD ar-ar over 240 paragraphs); on other sets they give scale, not a
target. Worst misses list retrieval misses first (no gold passage in the top 10 of the main
method), then unanswerable questions that were answered, then wrong answers."""
