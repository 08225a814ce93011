"""The answer that needs no LLM, in four tiers decided by one calibrated confidence.

- answer: "According to the articles:", then the best sentence with its marker; a second
  sentence joins only when it scores almost as well and says something else. "According to N
  articles" only when the sentences shown come from N articles, each citing its own.
- likely: the same sentences under a lead that says they most likely answer.
- related: no sentence may answer: the closest sentence of each of at most two articles, under
  a lead that says so.
- refused: nothing relevant; the assistant says so in the question's language and cites nothing.
In the answer and likely tiers the span that answers (a date, a number, a name, a place) is
highlighted, and for English questions the lead names its kind and states a date or number in
English, since the evidence is quoted in Arabic. Other good sentences (other articles reporting
the same first) go to the answer's folded evidence, not into the answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from corpus import Span
from rag.answer.confidence import (
    ConfidenceModel,
    TierThresholds,
    agreeing,
    borrowed_answer,
    confidence_features,
)
from rag.answer.direct import answer_span, english_statement
from rag.answer.selection import ScoredSentence, SentenceSelector
from rag.grounding.citations import without_marker_lookalikes
from rag.messages import arabic_count, message
from rag.question.answer_type import AnswerType
from rag.question.language import Language
from rag.schema import (
    STATING,
    Answer,
    AnswerChunk,
    AnswerSentence,
    Citation,
    Passage,
    Question,
    Tier,
    answer_deltas,
    marker_text,
    quote,
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


class Cited(Protocol):
    """A sentence of a retrieved passage, as a marker cites it."""

    @property
    def passage(self) -> int: ...
    @property
    def span(self) -> Span: ...
    @property
    def score(self) -> float: ...


class Citing:
    """Markers numbered by first use, one citation per passage (its first cited sentence): the
    extractive answer's and the broad answers' (`rag.answer.shapes.compose`)."""

    def __init__(self, question: Question, passages: Sequence[Passage]) -> None:
        self.question = question
        self.passages = passages
        self.markers: dict[int, int] = {}
        self.citations: list[Citation] = []

    def marker(self, item: Cited) -> int:
        if item.passage not in self.markers:
            self.markers[item.passage] = len(self.markers) + 1
            passage = self.passages[item.passage]
            self.citations.append(Citation(len(self.markers), passage, item.span, item.score))
        return self.markers[item.passage]

    def sentence(
        self, item: ScoredSentence, highlight: tuple[int, int] | None = None
    ) -> AnswerSentence:
        """The sentence as the answer shows it (`shown`), citing its passage, with `highlight`
        (offsets in the sentence) marking what answers."""
        text, highlight = shown(item.span.text, self.question.language, highlight)
        return AnswerSentence(text, (self.marker(item),), highlight=highlight)


def shown(
    text: str, language: Language, highlight: tuple[int, int] | None = None
) -> tuple[str, tuple[int, int] | None]:
    """An article's sentence as every answer shows it, and where `highlight` then is: without
    an article's own "[1]" (ours are the markers), and for a question not in Arabic in quotation
    marks, unless it opens or closes with one of its own."""
    clean = without_marker_lookalikes(text)
    if clean != text and highlight is not None:
        found = clean.find(text[slice(*highlight)])
        highlight = (found, found + highlight[1] - highlight[0]) if found >= 0 else None
    if language != "ar" and (quoted := quote(clean)) != clean:
        clean = quoted
        highlight = None if highlight is None else (highlight[0] + 1, highlight[1] + 1)
    return clean, highlight


def _kind(question: Question) -> str:
    return message(f"kind_{question.answer_type.value}", question.language)


def _lead(question: Question, tier: Tier, first: AnswerSentence, articles: int) -> str:
    """The lead of the answer or likely tier. For an English question whose first sentence
    states the kind of answer asked for, the lead names that kind, and states a date or number
    in English with its marker."""
    language = question.language
    if tier == "likely":
        lead = message("likely", language)
    elif articles == 1:
        lead = message("lead", language)
    else:
        lead = message("lead_reported", language, count=articles, articles=arabic_count(articles))
    if language != "en" or first.highlight is None:
        return lead
    found = first.text[slice(*first.highlight)]
    statement = english_statement(found, question.answer_type)
    prefix = "likely" if tier == "likely" else "found"
    values = {"lead": lead, "source": lead.rstrip(":"), "kind": _kind(question)}
    if statement is None:
        return message(f"{prefix}_shown", language, **values)
    markers = marker_text(first.markers)
    return message(f"{prefix}_stated", language, statement=statement, markers=markers, **values)


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
        if tier in STATING and borrowed_answer(question, scored[0].span.text, span):
            tier = "related"  # found through the borrowed context alone: stated by neither tier
        return Assessment(scored, span, features, confidence, tier)

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        return self.compose(question, passages, self.assess(question, passages))

    def compose(
        self, question: Question, passages: Sequence[Passage], assessment: Assessment
    ) -> Answer:
        """The answer of the tier `assessment` (of these passages) decided."""
        if assessment.tier in STATING:
            answer = self._stating_tier(question, passages, assessment)
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

    def _stating_tier(
        self, question: Question, passages: Sequence[Passage], assessment: Assessment
    ) -> Answer:
        """The answer or likely tier: the best sentence (and a second that adds something),
        then as evidence the other articles that report the same, and other good sentences."""
        scored = assessment.scored
        best = scored[0]
        second = next(
            (
                s
                for s in scored[1:]
                if s.score >= best.score - SECOND_SENTENCE_MARGIN
                and float(s.vector @ best.vector) < self.same_claim
            ),
            None,
        )
        shown = [best] if second is None else [best, second]
        citing = Citing(question, passages)
        sentences = [citing.sentence(best, highlight=assessment.span)]
        sentences += [citing.sentence(s) for s in shown[1:]]
        agree = agreeing(scored, passages, self.same_claim, assessment.span)
        evidence: list[ScoredSentence] = []
        for s in [*agree, *self.selector.select(scored)]:
            if not any(_same(s, t) for t in [*shown, *evidence]):
                evidence.append(s)
        articles = len({passages[s.passage].article_id for s in shown})
        return Answer(
            question=question.text,
            language=question.language,
            lead=_lead(question, assessment.tier, sentences[0], articles),
            sentences=sentences,
            citations=citing.citations,
            tier=assessment.tier,
            evidence=[citing.sentence(s) for s in evidence],
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
        citing = Citing(question, passages)
        asks = question.language == "en" and question.answer_type is not AnswerType.OTHER
        lead = message("related", question.language)
        return Answer(
            question=question.text,
            language=question.language,
            lead=message("related_kind", "en", lead=lead, kind=_kind(question)) if asks else lead,
            sentences=[citing.sentence(s) for s in picked.values()],
            citations=citing.citations,
            tier="related",
            passages=list(passages),
        )

    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        answer = self.answer(question, passages)
        yield from answer_deltas(answer)
        yield AnswerChunk(answer=answer)
