"""What each tier says, on a stub index with the tier forced by a fixed confidence: the lead of
every tier in both languages, "according to N articles" only over N articles' sentences, no
doubled quotation marks, and English leads that name the kind of answer found."""

from __future__ import annotations

import math
import re

import pytest

from rag.answer.confidence import ConfidenceModel, TierThresholds
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.selection import SentenceSelector
from rag.messages import message
from rag.schema import Answer, Tier
from tests.rag.stubs import StubIndex, chunk, passages_of, question

THRESHOLDS = TierThresholds(answer=0.9, likely=0.6, related=0.2)
CONFIDENCE = {"answer": 0.95, "likely": 0.7, "related": 0.4, "refused": 0.1}

SUMMIT = chunk(
    "summit",
    "وقال المتحدث إن المحادثات كانت مثمرة. "
    "وستعقد القمة العربية الروسية في موسكو يوم 15 تشرين الأول المقبل.",
)
SUMMIT_COPY = chunk("copy", "وستعقد القمة العربية الروسية في موسكو يوم 15 تشرين الأول المقبل.")
QUOTE = chunk("quote", "“نسعى إلى شراكة استراتيجية مع روسيا” قال الوزير في موسكو.")


def _generator(tier: Tier, chunks: list) -> ExtractiveGenerator:
    """Every question gets the confidence of `tier`."""
    p = CONFIDENCE[tier]
    model = ConfidenceModel(("top",), (0.0,), (1.0,), (0.0,), math.log(p / (1 - p)))
    selector = SentenceSelector(StubIndex(chunks))
    return ExtractiveGenerator(
        selector, 0.99, {"ar": model, "en": model}, {"ar": THRESHOLDS, "en": THRESHOLDS}
    )


def _ask(tier: Tier, text: str, chunks: list) -> Answer:
    answer = _generator(tier, chunks).answer(question(text), passages_of(chunks))
    assert answer.tier == tier, answer.render_text()
    return answer


@pytest.mark.parametrize("tier", ["answer", "likely", "related", "refused"])
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ماذا قال المتحدث عن المحادثات؟", "ar"),
        ("What did the spokesman say about the talks?", "en"),
    ],
)
def test_each_tier_has_its_own_lead_in_the_questions_language(
    tier: Tier, text: str, language: str
) -> None:
    answer = _ask(tier, text, [SUMMIT])
    assert answer.language == language
    key = {"answer": "lead", "likely": "likely", "related": "related", "refused": "refusal"}[tier]
    assert answer.lead == message(key, language)
    others = {k for k in ("lead", "likely", "related", "refusal") if k != key}
    assert all(message(k, language) != answer.lead for k in others)
    assert bool(answer.sentences) is (tier != "refused")
    # What a follow-up leans on: what the answer showed first, unless it was refused.
    assert bool(answer.statement) is (tier != "refused")


@pytest.mark.parametrize("tier", ["answer", "likely"])
def test_the_same_report_in_two_articles_is_one_sentence_under_according_to_the_articles(
    tier: Tier,
) -> None:
    answer = _ask(tier, "متى تعقد القمة العربية الروسية؟", [SUMMIT, SUMMIT_COPY])
    shown = {
        c.passage.article_id for c in answer.citations if c.marker in answer.sentences[0].markers
    }
    assert len(answer.sentences) == 1 and len(shown) == 1
    assert "2" not in answer.lead and "مقالتين" not in answer.lead
    # The other article's sentence is evidence, citing its own article.
    assert answer.evidence and answer.evidence[0].markers != answer.sentences[0].markers


def test_according_to_n_articles_counts_the_articles_whose_sentences_are_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = chunk("a", "وستعقد القمة العربية الروسية في موسكو.")
    second = chunk("b", "وتعقد القمة العربية الروسية بمشاركة القادة العرب.")
    # Any sentence that says something else joins the answer, whatever its score.
    monkeypatch.setattr("rag.answer.extractive.SECOND_SENTENCE_MARGIN", 1.0)
    answer = _ask("answer", "أين تعقد القمة العربية الروسية؟", [first, second])
    assert len(answer.sentences) == 2
    assert answer.lead == message("lead_reported", "ar", count=2, articles="مقالتين")
    # Each shown sentence cites exactly the article it is quoted from, and only it.
    cited = []
    for sentence in answer.sentences:
        (marker,) = sentence.markers
        citation = next(c for c in answer.citations if c.marker == marker)
        assert citation.sentence.text == sentence.text
        cited.append(citation.passage.article_id)
    assert sorted(cited) == ["a", "b"]
    # One article's two sentences are one article.
    both = chunk("c", f"{first.text} {second.text}")
    answer = _ask("answer", "أين تعقد القمة العربية الروسية؟", [both])
    assert len(answer.sentences) == 2 and answer.lead == message("lead", "ar")


@pytest.mark.parametrize("tier", ["answer", "likely", "related"])
def test_a_sentence_that_opens_with_a_quotation_mark_is_not_quoted_again(tier: Tier) -> None:
    answer = _ask(tier, "What partnership does the minister seek with Russia?", [QUOTE])
    for sentence in [*answer.sentences, *answer.evidence]:
        assert not re.search(r"[“”\"«»]{2}", sentence.text), sentence.text
        assert sentence.text.count("“") == 1
    assert not re.search(r"[“”\"«»]{2}", answer.text)


@pytest.mark.parametrize(
    ("text", "kind", "stated"),
    [
        ("When will the Arab-Russian summit be held?", "date", "15 October"),
        ("Where will the Arab-Russian summit be held?", "place", None),
    ],
)
@pytest.mark.parametrize("tier", ["answer", "likely"])
def test_an_english_lead_names_the_kind_of_answer_and_the_span_stays_highlighted(
    tier: Tier, text: str, kind: str, stated: str | None
) -> None:
    answer = _ask(tier, text, [SUMMIT])
    assert f"the {kind} " in answer.lead.lower() or f"give the {kind}" in answer.lead, answer.lead
    if stated:
        assert stated in answer.lead and "[1]" in answer.lead
    else:
        assert "highlighted" in answer.lead
    first = answer.sentences[0]
    assert first.highlight is not None
    start, end = first.highlight
    assert first.text[start:end] in ("15 تشرين الأول", "موسكو"), first.text[start:end]
    # The Arabic lead of the same tier names nothing: the span is highlighted in the sentence.
    arabic = _ask(tier, "متى تعقد القمة العربية الروسية؟", [SUMMIT])
    assert arabic.lead == message("lead" if tier == "answer" else "likely", "ar")


def test_a_related_english_lead_names_the_kind_asked_for() -> None:
    answer = _ask("related", "When will the Arab-Russian summit be held?", [SUMMIT])
    assert answer.lead == message("related_kind", "en", lead="", kind="date")
