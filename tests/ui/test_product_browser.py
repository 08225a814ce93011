"""The chat as a product, in real headless Chromium: right-to-left lines measured, the answer
arriving in parts, merged source cards and the article view, copy, export, examples, an empty
question, regenerate, the answer selector, the index status, and the phone layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ui.browser import PHONE, ask, bots, cited_markers, wait_for_answer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AR_QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
EN_QUESTION = "Which Russian minister did the Syrian defence minister meet in Moscow?"
# Far from every article, so it is refused (a question near them gets the closest passages).
OFF_TOPIC = "Who won the football World Cup in 1998?"
# Every quoted line: the text's line boxes, the marker's box, and the line's content box.
LINE_GEOMETRY = """line => {
    const range = document.createRange();
    range.selectNodeContents(line.querySelector('.sentence-text'));
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    const marker = line.querySelector('a.cite').getBoundingClientRect();
    const box = line.getBoundingClientRect();
    const style = getComputedStyle(line);
    return {
        direction: style.direction,
        last: rects.reduce((a, b) => (b.top > a.top + 1 ? b : a)),
        marker: {left: marker.left, right: marker.right, top: marker.top, bottom: marker.bottom},
        right: box.right - parseFloat(style.paddingRight),
        left: box.left + parseFloat(style.paddingLeft),
    };
}"""


def _assert_rtl_lines_end_with_their_markers(message) -> int:
    """Every Arabic line, the folded evidence opened first so its lines are laid out too."""
    for folded in message.locator("details.evidence:not([open]) > summary").all():
        folded.click()
    checked = 0
    for line in message.locator("li.sentence[lang='ar']").all():
        g = line.evaluate(LINE_GEOMETRY)
        assert g["direction"] == "rtl"
        last, marker = g["last"], g["marker"]
        # The last line starts at the right edge, beside the bullet, not pushed to the left.
        assert abs(last["right"] - g["right"]) <= 2, g
        # The marker ends the sentence in reading order: on its last line, to the left of it.
        on_last_line = marker["top"] < last["bottom"] and marker["bottom"] > last["top"]
        assert on_last_line and marker["right"] <= last["left"] + 1, g
        checked += 1
    return checked


def test_arabic_lines_read_right_to_left_with_the_marker_at_their_end(page):
    assert _assert_rtl_lines_end_with_their_markers(ask(page, AR_QUESTION)) >= 2
    # Arabic quoted inside an English answer: the same geometry in an LTR message.
    english = ask(page, EN_QUESTION)
    assert english.locator(".msg.answer").get_attribute("dir") == "ltr"
    assert _assert_rtl_lines_end_with_their_markers(english) >= 1


def test_the_answer_appears_in_parts_as_it_is_produced(page):
    """What the reader saw is recorded at every change of the answer: its lead alone, then one
    more sentence at a time, before the final answer."""
    page.evaluate(
        """() => {
            window.seen = [];
            new MutationObserver(() => {
                const bots = document.querySelectorAll("#chat [data-testid='bot']");
                const last = bots[bots.length - 1];
                const msg = last && last.querySelector('.msg');
                if (!msg) return;
                const state = [msg.className, msg.querySelectorAll('li.sentence').length,
                               !!msg.querySelector('.lead')].join('|');
                if (window.seen[window.seen.length - 1] !== state) window.seen.push(state);
            }).observe(document.querySelector('#chat'), {childList: true, subtree: true,
                                                        characterData: true});
        }"""
    )
    message = ask(page, AR_QUESTION)
    # The answer's own sentences: the evidence folded under them comes with the final answer.
    final = message.locator(".msg > ul.answer-sentences > li.sentence").count()
    seen = [state.split("|") for state in page.evaluate("window.seen")]
    streamed = [(int(count), lead) for classes, count, lead in seen if "streaming" in classes]
    # The lead before any sentence, then each sentence added in turn, then the final answer.
    assert streamed[0] == (0, "true"), seen
    assert sorted({count for count, _ in streamed}) == list(range(final + 1)), seen
    assert "answer" in seen[-1][0]


def test_one_card_per_article_and_the_article_opens_at_the_cited_sentence(page):
    message = ask(page, AR_QUESTION)
    markers = cited_markers(message)
    cards = page.locator("#sources section.source")
    articles = cards.evaluate_all("cards => cards.map(c => c.dataset.articleId)")
    assert len(articles) == len(set(articles))  # never two cards for one article
    assert page.locator("#sources mark.hl").count() >= len(set(markers))
    for card in cards.all():
        title = card.locator(".source-title").inner_text()
        assert title and title != card.get_attribute("data-article-id")
        assert "support" not in card.inner_text()  # said in words, the score in a tooltip
        assert card.locator("mark.hl").first.get_attribute("title")

    marker = markers[-1]
    button = page.locator(f"#sources section.source:has(#src-0-{marker}) .open-article")
    button.click()
    view = page.locator("#article-view .article-modal")
    view.wait_for(timeout=15_000)
    focus = view.locator("mark[data-focus]")
    assert focus.count() == 1
    cited = page.locator(f"#src-0-{marker}").evaluate("e => e.firstChild.textContent")
    assert focus.evaluate("e => e.firstChild.textContent") == cited
    page.wait_for_function(
        """() => {
            const card = document.querySelector('#article-view .article-card').getBoundingClientRect();
            const mark = document.querySelector('#article-view mark[data-focus]').getBoundingClientRect();
            return mark.top >= card.top && mark.bottom <= card.bottom;
        }""",
        timeout=5_000,
    )
    # The whole article: longer than the card's excerpts of it.
    card_text = page.locator(f"#sources section.source:has(#src-0-{marker}) .passage")
    assert len(view.locator(".passage").inner_text()) > len(card_text.inner_text())
    page.keyboard.press("Escape")
    view.wait_for(state="detached", timeout=5_000)


def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(served, open_page):
    page = open_page(served.url, permissions=["clipboard-read", "clipboard-write"])
    message = ask(page, AR_QUESTION)
    message.locator(".act-copy").click()
    page.wait_for_selector("#chat .act-copy.copied", timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    lines = copied.splitlines()
    # The tier as the badge and its tooltip say it, then the lead and the first sentence.
    badge = message.locator(".tier-badge")
    assert lines[0] == f"_{badge.inner_text().strip()}: {badge.get_attribute('title')}_"
    assert lines[1] == message.locator(".lead").inner_text().strip()
    assert re.fullmatch(r"- .+ (\[\d+\])+", lines[2])
    assert "المصادر:" in lines
    for marker in set(cited_markers(message)):
        assert any(line.startswith(f"[{marker}] ") for line in lines)


def test_export_downloads_the_conversation_as_markdown(page):
    ask(page, AR_QUESTION)
    ask(page, OFF_TOPIC)
    with page.expect_download() as download:
        page.click("#export")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert f"## 1. {AR_QUESTION}" in text and f"## 2. {OFF_TOPIC}" in text
    assert "المصادر:" in text and "do not contain an answer" in text


def test_an_example_is_asked_when_clicked(page):
    example = "When is the Arab-Russian summit scheduled to be held?"
    page.get_by_text(example, exact=True).click()
    message = wait_for_answer(page, 0)
    assert message.locator("a.cite").count() >= 1
    users = page.locator("#chat [data-testid='user']")
    assert users.count() == 1 and users.first.inner_text().strip() == example
    assert page.locator("#question textarea").input_value() == ""


def test_an_empty_question_cannot_be_asked(page):
    send = page.locator("#send")
    assert send.is_disabled()
    page.fill("#question textarea", "   ")
    page.keyboard.press("Enter")
    assert send.is_disabled()
    page.fill("#question textarea", AR_QUESTION)
    page.wait_for_function("!document.querySelector('#send').disabled", timeout=5_000)
    ask(page, AR_QUESTION)
    # The blank Enter made no turn: this is answer #1, alone in the chat and the selector.
    assert page.locator("#chat [data-testid='user']").count() == 1
    assert page.locator("#sources-for input").input_value().startswith("#1 ")
    assert send.is_disabled()  # the box is empty again


def test_regenerate_answers_the_last_question_again_in_its_place(page):
    ask(page, "What is the population of Damascus?")
    first = ask(page, AR_QUESTION)
    before = first.inner_text()
    first.locator(".msg.answer").evaluate("node => { window.shown = node; }")
    page.click("#regenerate")
    page.wait_for_function(
        """() => { const bots = document.querySelectorAll("#chat [data-testid='bot']");
                   const msg = bots[bots.length - 1].querySelector('.msg.answer');
                   return bots.length === 2 && msg && msg !== window.shown; }""",
        timeout=90_000,
    )
    again = bots(page).last
    assert bots(page).count() == 2 and page.locator("#chat [data-testid='user']").count() == 2
    assert again.inner_text() == before  # the extractive answer is deterministic
    page.locator("#sources-for input").click()
    options = page.locator("[role='option']").evaluate_all(
        "items => items.map(item => item.getAttribute('aria-label'))"
    )
    assert [o.split(" ·")[0] for o in options] == ["#1", "#2"]


def test_a_truncated_arabic_label_ends_with_its_ellipsis_on_the_left(page):
    ask(page, AR_QUESTION)
    page.locator("#sources-for input").click()
    option = page.locator("[role='option']").first
    geometry = option.evaluate(
        """option => {
            const walker = document.createTreeWalker(option, NodeFilter.SHOW_TEXT);
            let node; while ((node = walker.nextNode()) && !node.textContent.includes('…'));
            const text = node.textContent, range = document.createRange();
            const box = at => { range.setStart(node, at); range.setEnd(node, at + 1);
                                return range.getBoundingClientRect(); };
            const arabic = text.search(/[\\u0600-\\u06ff]/);
            return {ellipsis: box(text.indexOf('…')), first: box(arabic)};
        }"""
    )
    # Read right to left, the question starts on the right and its ellipsis ends it, left.
    assert geometry["ellipsis"]["right"] <= geometry["first"]["left"]


def _status_refresh_seconds(demo) -> list[float]:
    """The periods of the timers whose tick re-renders the index status."""
    config = demo.get_config_file()
    status = next(c["id"] for c in config["components"] if c["props"].get("elem_id") == "status")
    timers = {c["id"]: c["props"]["value"] for c in config["components"] if c["type"] == "timer"}
    return [
        timers[target]
        for dependency in config["dependencies"]
        for target, event in dependency["targets"]
        if event == "tick" and target in timers and status in dependency["outputs"]
    ]


def test_the_index_status_never_cuts_a_word_and_is_refreshed(served, page):
    # "Built 3 minutes ago" is recomputed on a timer, not only when the page loads.
    assert [seconds for seconds in _status_refresh_seconds(served.built.blocks) if seconds <= 60]
    page.click("#settings button, #settings .label-wrap")
    page.wait_for_selector("#status .status-grid", state="visible")
    cut = page.evaluate(
        """() => {
            const cut = [];
            for (const value of document.querySelectorAll('#status .status-value')) {
                const walker = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode())) {
                    for (const match of node.textContent.matchAll(/\\S+/g)) {
                        const range = document.createRange();
                        range.setStart(node, match.index);
                        range.setEnd(node, match.index + match[0].length);
                        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                        if (lines.size > 1) cut.push(match[0]);
                    }
                }
            }
            return cut;
        }"""
    )
    assert cut == []
    assert re.search(r"\((\d+ \w+ ago|just now)\)", page.locator("#status").inner_text())


def test_phone_answer_uses_the_width_and_sources_open_as_a_drawer(served, open_page):
    page = open_page(served.url, viewport=PHONE)
    message = ask(page, AR_QUESTION)
    answer = message.locator(".msg.answer").bounding_box()
    assert answer["width"] >= 0.8 * PHONE["width"]
    drawer = page.locator("#sources-col")

    def drawer_shown() -> bool:
        box = drawer.bounding_box()
        return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1

    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#sources-col')).visibility === 'hidden'"
    )
    marker = cited_markers(message)[0]
    message.locator("a.cite").first.click()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#sources-col')).transform === 'none'"
    )
    assert drawer_shown()
    # The answer's label fits the selector, so the start of its question is not hidden.
    picker = page.locator("#sources-for input")
    assert picker.evaluate("input => input.scrollWidth <= input.clientWidth"), picker.input_value()
    target = page.locator(f"#src-0-{marker}")
    page.wait_for_function(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=f"src-0-{marker}",
    )
    # The marker in the cited sentence goes back to the answer, and the drawer closes.
    target.locator("a.back").first.click()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#sources-col')).visibility === 'hidden'"
    )
    page.wait_for_function(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=f"cite-0-{marker}",
    )
