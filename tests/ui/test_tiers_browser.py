"""The tier of an answer as the reader sees it, in real headless Chromium, with the shipped
calibration on the seed corpus: for a `likely` answer the badge, the lead and the badge's
tooltip say the same thing (the words of `rag.messages`), and the span that answers is
highlighted in the first sentence. The question is written for this test from the seed
articles; it is neither an evaluation question nor one of the app's examples."""

from __future__ import annotations

import re

import pytest

from rag.messages import message, tier_badge, tier_meaning
from rag.question.language import Language
from rag.schema import TIERS
from tests.ui.browser import ask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIKELY = {
    "ar": "متى التقى لافروف بنظيره السوري في أنقرة؟",
    "en": "When did Lavrov meet the Syrian foreign minister in Ankara?",
}


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_likely_answers_badge_lead_and_tooltip_agree(page, language: Language) -> None:
    reply = ask(page, LIKELY[language])
    answer = reply.locator(".msg.answer")
    assert "tier-likely" in (answer.get_attribute("class") or ""), reply.inner_html()
    badge = answer.locator(".answer-head .tier-badge")
    assert badge.count() == 1
    assert "badge-likely" in (badge.get_attribute("class") or "")
    assert badge.inner_text().strip() == tier_badge("likely", language)
    # The tooltip is the tier's meaning, then the confidence it was decided on.
    title = badge.get_attribute("title") or ""
    percent = re.search(r"(\d+)[%٪]$", title)
    assert percent is not None, title
    assert title == tier_meaning("likely", language, int(percent.group(1)) / 100)
    # The lead is the likely tier's (for English, naming the kind of answer it found).
    lead = answer.locator("p.lead").inner_text().strip()
    if language == "ar":
        assert lead == message("likely", language)
    else:
        assert "most likely" in lead.lower(), lead
    # Nothing on the message says another tier's words.
    text = answer.inner_text()
    for other in TIERS:
        if other != "likely":
            assert tier_badge(other, language) not in text
    assert message("related", language) not in text and message("lead", language) not in text
    # The first sentence is shown with the span that answers highlighted.
    first = answer.locator("ul.answer-sentences > li.sentence").first
    assert first.locator("mark.key").count() == 1
