"""The answer that needs no LLM, in three tiers decided by one calibrated confidence.

- answer: the lead states it, then the best sentence with its marker (and the markers of other
  articles that say the same: "according to 2 articles"); a second sentence joins only when it
  scores almost as well and says something else. For English questions a date or number is
  stated in English in the lead, and the Arabic evidence is quoted.
- related: the articles touch the subject but no sentence clearly answers: the closest sentence
  of each of at most two articles, under a lead that says so.
- refused: nothing relevant; the assistant says so in the question's language and cites nothing.
Other good sentences go to the answer's folded evidence, not into the answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from rag.answer.confidence import (
    ConfidenceModel,
    TierThresholds,
    agreeing,
    borrowed_answer,
    confidence_features,
)
from rag.answer.direct import answer_span, english_statement
from rag.answer.selection import ScoredSentence, SentenceSelector
from rag.messages import arabic_count, message
from rag.question.answer_type import AnswerType
from rag.schema import (
    Answer,
    AnswerChunk,
    AnswerSentence,
    Citation,
    Passage,
    Question,
    Tier,
    answer_deltas,
    marker_text,
)

# A second sentence joins the answer when it scores at most this much below the first.
SECOND_SENTENCE_MARGIN = 0.02
RELATED_ARTICLES = 2


def top_dense_score(passages: Sequence[Passage]) -> float | None:
    scores = [p.dense_score for p in passages if p.dense_score is not None]
    return max(scores) if scores else None


def refusal(question: Question, passages: Sequence[Passage], mode: str = "extractive") -> Answer:
    """The answer that says, in the question's language, that the articles do not answer."""
    return Answer(
        question=question.text,
        language=question.language,
        lead=message("refusal", question.language),
        sentences=[],
        citations=[],
        tier="refused",
        mode=mode,
        passages=list(passages),
        top_score=top_dense_score(passages),
    )


@dataclass(frozen=True)
class Assessment:
    """What the extractive path knows before it composes: the scored sentences, the signals
    and the confidence (None without a fitted model), and the tier they decide."""

    scored: list[ScoredSentence]
    # Offsets of the answer span (a date, number, name) in the best sentence, if it states one.
    span: tuple[int, int] | None
    features: dict[str, float]
    confidence: float | None
    tier: Tier


class _Citing:
    """Markers numbered by first use, one citation per passage (its first cited sentence)."""

    def __init__(self, question: Question, passages: Sequence[Passage]) -> None:
        self.question = question
        self.passages = passages
        self.markers: dict[int, int] = {}
        self.citations: list[Citation] = []

    def marker(self, item: ScoredSentence) -> int:
        if item.passage not in self.markers:
            self.markers[item.passage] = len(self.markers) + 1
            passage = self.passages[item.passage]
            self.citations.append(Citation(len(self.markers), passage, item.span, item.score))
        return self.markers[item.passage]

    def sentence(
        self,
        item: ScoredSentence,
        *also: ScoredSentence,
        highlight: tuple[int, int] | None = None,
    ) -> AnswerSentence:
        """The sentence as the answer shows it (quoted for English questions), citing its
        passage and those of `also` (other articles saying the same), with `highlight` (offsets
        in the sentence) marking what answers."""
        markers = tuple(dict.fromkeys(self.marker(s) for s in (item, *also)))
        quoted = self.question.language != "ar"
        text = f"“{item.span.text}”" if quoted else item.span.text
        if highlight is not None and quoted:
            highlight = (highlight[0] + 1, highlight[1] + 1)
        return AnswerSentence(text, markers, highlight=highlight)


def _lead(question: Question, first: AnswerSentence, articles: int) -> str:
    """ "According to the articles:" (or to N articles), and for an English question asking for
    a date or a number, that date or number in English with its markers."""
    language = question.language
    lead = (
        message("lead", language)
        if articles == 1
        else message("lead_reported", language, count=articles, articles=arabic_count(articles))
    )
    if language != "en" or first.highlight is None:
        return lead
    statement = english_statement(first.text[slice(*first.highlight)], question.answer_type)
    if statement is None:
        return lead
    key = "direct_date" if question.answer_type is AnswerType.DATE else "direct_number"
    return message(
        key, language, lead=lead, statement=statement, markers=marker_text(first.markers)
    )


def _same(a: ScoredSentence, b: ScoredSentence) -> bool:
    return (a.passage, a.span.start) == (b.passage, b.span.start)


class ExtractiveGenerator:
    """Scores the sentences of the passages, decides the tier from the calibrated confidence,
    and composes the answer of that tier."""

    def __init__(
        self,
        selector: SentenceSelector,
        same_claim: float,
        models: Mapping[str, ConfidenceModel] | None = None,
        tiers: Mapping[str, TierThresholds] | None = None,
    ) -> None:
        self.selector = selector
        self.same_claim = same_claim
        self.models = models or {}
        self.tiers = tiers or {}

    def assess(self, question: Question, passages: Sequence[Passage]) -> Assessment:
        scored = self.selector.score(question, passages)
        if not scored:
            empty = None if question.language not in self.models else 0.0
            return Assessment([], None, {}, empty, "refused")
        span = answer_span(scored[0].span.text, question.answer_type, question.tokens)
        features = confidence_features(
            question, passages, scored, self.selector.index, self.same_claim, span
        )
        model = self.models.get(question.language)
        confidence = model.probability(features) if model is not None else None
        tiers = self.tiers.get(question.language)
        tier = tiers.tier(confidence) if tiers is not None and confidence is not None else "answer"
        if tier == "answer" and borrowed_answer(question, scored[0].span.text, span):
            tier = "related"
        return Assessment(scored, span, features, confidence, tier)

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        assessment = self.assess(question, passages)
        if assessment.tier == "answer":
            answer = self._answer_tier(question, passages, assessment)
        elif assessment.tier == "related":
            answer = self._related_tier(question, passages, assessment.scored)
        else:
            answer = refusal(question, passages)
        return replace(
            answer,
            confidence=assessment.confidence,
            confidence_features=assessment.features,
            top_score=assessment.scored[0].score if assessment.scored else None,
        )

    def _answer_tier(
        self, question: Question, passages: Sequence[Passage], assessment: Assessment
    ) -> Answer:
        scored = assessment.scored
        best = scored[0]
        agree = agreeing(scored, passages, self.same_claim, assessment.span)
        second = next(
            (
                s
                for s in scored[1:]
                if s.score >= best.score - SECOND_SENTENCE_MARGIN
                and float(s.vector @ best.vector) < self.same_claim
            ),
            None,
        )
        citing = _Citing(question, passages)
        sentences = [citing.sentence(best, *agree, highlight=assessment.span)]
        shown = [best, *agree]
        if second is not None:
            sentences.append(citing.sentence(second))
            shown.append(second)
        evidence = [
            citing.sentence(s)
            for s in self.selector.select(scored)
            if not any(_same(s, t) for t in shown)
        ]
        return Answer(
            question=question.text,
            language=question.language,
            lead=_lead(question, sentences[0], 1 + len(agree)),
            sentences=sentences,
            citations=citing.citations,
            evidence=evidence,
            passages=list(passages),
        )

    def _related_tier(
        self, question: Question, passages: Sequence[Passage], scored: Sequence[ScoredSentence]
    ) -> Answer:
        picked: dict[str, ScoredSentence] = {}
        for s in scored:
            picked.setdefault(passages[s.passage].article_id, s)
            if len(picked) == RELATED_ARTICLES:
                break
        citing = _Citing(question, passages)
        return Answer(
            question=question.text,
            language=question.language,
            lead=message("related", question.language),
            sentences=[citing.sentence(s) for s in picked.values()],
            citations=citing.citations,
            tier="related",
            passages=list(passages),
        )

    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        answer = self.answer(question, passages)
        yield from answer_deltas(answer)
        yield AnswerChunk(answer=answer)
