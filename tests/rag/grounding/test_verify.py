"""Support of each answer sentence by the passage it cites."""

from __future__ import annotations

import numpy as np

from corpus import Span
from rag.grounding import SupportChecker, closest_sentence
from rag.messages import message
from rag.schema import Answer, AnswerSentence, Citation
from tests.rag.stubs import StubEncoder, StubIndex, chunk, passages_of, vector

TEXT = "ووقع الوزير اتفاقية للتعاون في مجال الطاقة. وتدخل الاتفاقية حيز التنفيذ العام المقبل."
PASSAGE = passages_of([chunk("energy", TEXT)])[0]


def _answer(*sentences: AnswerSentence) -> Answer:
    span = Span(0, TEXT.index(".") + 1, TEXT[: TEXT.index(".") + 1])
    return Answer(
        question="ماذا وقع الوزير؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=list(sentences),
        citations=[Citation(1, PASSAGE, span, 1.0)],
        passages=[PASSAGE],
    )


def test_a_quoted_sentence_is_supported_without_the_model() -> None:
    encoder = StubEncoder()
    checker = SupportChecker(StubIndex(), encoder, threshold=0.9)
    answer = _answer(AnswerSentence("«ووقع الوزير اتفاقية للتعاون في مجال الطاقة.»", (1,)))
    checked = checker.verify(answer)
    assert checked.sentences[0].supported and checked.sentences[0].support > 0.99
    assert checked.notices == [] and answer.sentences[0].support == 1.0  # a new answer
    assert encoder.queried == []


def test_an_unsupported_or_uncited_sentence_is_flagged_with_a_notice() -> None:
    checker = SupportChecker(StubIndex(), StubEncoder(), threshold=0.5)
    answer = _answer(
        AnswerSentence("ويبلغ عدد سكان البرازيل مئتي مليون نسمة.", (1,)),
        AnswerSentence("جملة لا تستشهد بأي مصدر.", ()),
        AnswerSentence("جملة تستشهد بمصدر غير موجود.", (9,)),
    )
    checked = checker.verify(answer)
    assert [s.supported for s in checked.sentences] == [False, False, False]
    assert checked.unsupported_sentences == [s.text for s in answer.sentences]
    assert checked.notices == [message("unsupported", "ar")]


def test_closest_sentence_is_the_best_match_to_any_claim() -> None:
    evidence = [(Span(0, 1, "أ"), vector("الطاقة اتفاقية")), (Span(2, 3, "ب"), vector("التمور"))]
    claims = np.stack([vector("مهرجان التمور"), vector("لا شيء")])
    span, score = closest_sentence(evidence, claims)
    assert span.text == "ب" and score == float(vector("التمور") @ vector("مهرجان التمور"))
    assert closest_sentence([], claims) is None
