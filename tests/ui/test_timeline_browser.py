"""A timeline answer in Arabic, in real headless Chromium: each date heads its lines, right to
left (the label's right edge at the message's, each line's marker at its left end), the dates in
calendar order, every article that reports an event cited; the article list and the source
cards show each seed article's title and outlet. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.ui.browser import ask, direction

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TIMELINE = "رتّب زمنياً اللقاءات والاتصالات بين المسؤولين السوريين والروس"
MONTHS = ["شباط", "تموز", "تشرين الأول"]  # the seed articles date these meetings
SLACK = 4  # px of rounding between boxes


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_arabic_timeline_reads_right_to_left_in_calendar_order(page):
    message = ask(page, TIMELINE)
    answer = message.locator(".msg.answer.shape-timeline")
    assert answer.count() == 1 and direction(answer) == "rtl"
    labels = answer.locator("p.line-label")
    texts = labels.all_inner_texts()
    positions = [next(i for i, t in enumerate(texts) if m in t) for m in MONTHS]
    assert positions == sorted(positions), texts
    inner = answer.evaluate(
        "e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);"
        " return r.right - parseFloat(s.paddingRight); }"
    )
    for index in range(labels.count()):
        label = labels.nth(index)
        assert direction(label) == "rtl"
        assert abs(_box(label)["x"] + _box(label)["width"] - inner) <= SLACK + 8  # its border
    for item in answer.locator("li.sentence").all():
        assert direction(item) == "rtl"
        text, cite = _box(item.locator(".sentence-text")), _box(item.locator("a.cite").last)
        # Right to left: the text starts at the right, the marker ends the line on the left.
        assert text["x"] + text["width"] <= inner + SLACK
        assert cite["x"] <= text["x"] + text["width"]
    # The 31 July meeting is told by two articles, both cited on its line.
    july = answer.locator("p.line-label", has_text="تموز").first
    assert "مقالتين" in july.inner_text()
    cards = page.locator("#sources section.source")
    assert cards.count() >= 4
    tagged = page.locator('#sources section.source[data-article-id="000_7bd1b27135457103"]')
    assert "إيصال نيوز" in tagged.locator(".source-meta").inner_text()
    assert "إيصال نيوز/" not in tagged.locator(".passage").inner_text()


def test_the_article_list_shows_each_articles_title_and_outlet(page):
    page.click("#settings button, #settings .label-wrap")
    row = page.locator('#settings tr[data-id="000_7bd1b27135457103"]')
    row.wait_for(state="visible")
    assert "لقاء بوتين- الشيباني" in row.inner_text() and "إيصال نيوز" in row.inner_text()
    untitled = page.locator('#settings tr[data-id="003_60194546891453d8"] td.made-title')
    assert "بدأت دمشق وموسكو فصلاً جديداً" in untitled.inner_text()
    assert direction(untitled.locator("bdi")) == "rtl"


def test_the_filter_control_restricts_what_is_searched(page):
    page.click("#settings button, #settings .label-wrap")
    page.locator("#date-from input, #date-from textarea").first.fill("2025-02")
    page.locator("#date-to input, #date-to textarea").first.fill("2025-02")
    page.locator("#date-to input, #date-to textarea").first.press("Tab")
    page.wait_for_timeout(500)  # the control's change event keeps it in the session
    message = ask(page, "أين التقى لافروف بالشيباني؟")
    assert "بُحث في المقالات المطابقة للمرشّح فقط (شباط/فبراير 2025)" in message.inner_text()
    cards = page.locator("#sources section.source")
    assert {cards.nth(i).get_attribute("data-article-id") for i in range(cards.count())} == {
        "004_2ac46bbe3c7d16b3"
    }
    # A date the filter cannot read is said so, in the question's language.
    page.locator("#date-from input, #date-from textarea").first.fill("غداً")
    page.locator("#date-from input, #date-from textarea").first.press("Tab")
    page.wait_for_timeout(500)
    error = ask(page, "أين التقى لافروف بالشيباني؟", final=".msg.question-error")
    assert "تعذّرت قراءة التاريخ «غداً»" in error.inner_text()
