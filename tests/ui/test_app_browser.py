"""The app in real headless Chromium: answers, citations, sources, direction, refusals, uploads.

One app over a copy of the seed index and corpus (`tests/ui/conftest.py`) serves these tests;
every test opens a fresh page, that is a fresh session. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.ui.browser import (
    ANSWER_TIMEOUT_MS,
    AR_QUESTION,
    EN_QUESTION,
    ask,
    cited_markers,
    direction,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Far from every article, so it is refused; a question near them ("What is the population of
# Damascus?") gets the related tier's closest passages instead (tests/rag/answer/test_tiers.py).
UNANSWERABLE = "Who won the football World Cup in 1998?"
NEW_ARTICLE = (
    "افتتاح معرض دمشق الدولي للكتاب\n"
    "افتتحت وزارة الثقافة السورية اليوم معرض دمشق الدولي للكتاب في دورته الجديدة، "
    "بمشاركة مئة وعشرين دار نشر من اثنتي عشرة دولة عربية وأجنبية.\n"
    "وقال مدير المعرض سامر الحلبي إن المعرض يستمر عشرة أيام ويضم ندوات فكرية وأمسيات شعرية.\n"
)


def test_arabic_question_is_answered_with_citations_rtl(page):
    message = ask(page, AR_QUESTION)
    answer = message.locator(".msg.answer")
    assert "بوتين" in answer.inner_text()
    markers = cited_markers(message)
    assert markers, "the answer cites no passage"
    assert direction(answer) == "rtl"
    assert answer.get_attribute("lang") == "ar"
    user = page.locator("#chat [data-testid='user'] .msg").last
    assert direction(user) == "rtl"

    # One card per cited article; each marker links to its highlighted sentence in its card.
    sources = page.locator("#sources")
    articles = set()
    for marker in markers:
        target = sources.locator(f"#src-0-{marker}")
        assert target.count() == 1
        assert target.evaluate("element => element.tagName") == "MARK"
        card = sources.locator(f"section.source:has(#src-0-{marker})")
        assert card.count() == 1
        articles.add(card.get_attribute("data-article-id"))
        sentence = target.evaluate("e => e.firstChild.textContent").strip()
        assert sentence and sentence in card.locator(".passage").inner_text()
    assert sources.locator("section.source").count() == len(articles)
    assert direction(sources.locator(".passage").first) == "rtl"

    # A citation link brings its source card into view.
    message.locator("a.cite").first.click()
    page.wait_for_selector(f"#sources #src-0-{markers[0]}.flash", timeout=5_000)


def test_english_question_is_answered_with_citations_ltr(page):
    message = ask(page, EN_QUESTION)
    answer = message.locator(".msg.answer")
    assert direction(answer) == "ltr"
    assert direction(answer.locator(".lead")) == "ltr"
    assert answer.get_attribute("lang") == "en"
    assert "بيلاوسوف" in answer.inner_text()  # Belousov, quoted from the Arabic article
    assert cited_markers(message)
    # Quoted Arabic sentences keep right-to-left direction inside the English answer.
    assert direction(answer.locator("li.sentence").first) == "rtl"
    assert page.locator("#sources section.source mark").count() >= 1


def test_unanswerable_question_is_refused_without_sources(page):
    message = ask(page, UNANSWERABLE)
    refusal = message.locator(".msg.refusal")
    assert refusal.count() == 1
    assert "do not contain" in refusal.inner_text()
    assert direction(refusal) == "ltr"
    assert message.locator("a.cite").count() == 0
    assert page.locator("#sources section.source").count() == 0
    assert page.locator("#sources .no-sources").is_visible()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("؟؟ !! ...", "لا يحتوي السؤال على كلمات"),
        ("why " * 2500, "The question is too long"),
    ],
    ids=["punctuation", "10k-chars"],
)
def test_bad_input_gets_a_friendly_message(page, question, expected):
    message = ask(page, question, final=".msg.question-error")
    assert expected in message.inner_text()
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body
    assert page.locator("#sources section.source").count() == 0


def test_each_answer_keeps_its_own_sources_and_clear_empties_all(page):
    ask(page, AR_QUESTION)
    first_sources = page.locator("#sources").inner_html()
    assert "src-0-" in first_sources
    ask(page, UNANSWERABLE)
    assert page.locator("#sources section.source").count() == 0
    # Clicking the first answer shows its sources again.
    page.locator("#chat [data-testid='bot']").first.click()
    page.wait_for_selector("#sources #src-0-1", timeout=10_000)
    assert "#1" in page.locator("#sources-for input").input_value()
    page.locator("#chat [data-testid='bot']").last.click()
    page.wait_for_selector("#sources .no-sources", timeout=10_000)

    page.click("#clear")
    page.wait_for_function(
        "document.querySelectorAll(\"#chat [data-testid='bot']\").length === 0", timeout=10_000
    )
    page.wait_for_selector("#sources .sources-placeholder", timeout=10_000)
    # The history is gone too: a new question is turn #1 again.
    ask(page, EN_QUESTION)
    page.wait_for_selector("#sources #src-0-1", timeout=10_000)


def test_upload_adds_an_article_and_reindexes(page, tmp_path):
    good = tmp_path / "damascus_book_fair.txt"
    good.write_text(NEW_ARTICLE, encoding="utf-8")
    bad = tmp_path / "notes.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    page.click("#settings button, #settings .label-wrap")
    page.wait_for_selector("#status .status-grid", state="visible")
    assert "5" in page.locator("#status").inner_text()
    page.locator("#upload input[type=file]").set_input_files([str(good), str(bad)])
    page.wait_for_selector("#upload-report [data-phase=done]", timeout=ANSWER_TIMEOUT_MS)
    report = page.locator("#upload-report")
    assert "damascus_book_fair.txt" in report.locator(".outcome.added").inner_text()
    # A type the loader does not read is refused in the report, in both languages, not in a
    # toast of Gradio's.
    refused = report.locator(".outcome.rejected").inner_text()
    assert "notes.doc: Files of type .doc are not supported" in refused and "غير مدعوم" in refused
    assert page.locator(".toast-body").count() == 0
    assert "1 new" in report.inner_text()
    page.wait_for_function(
        "document.querySelector('#status').innerText.includes('6')", timeout=10_000
    )

    message = ask(page, "كم دار نشر شاركت في معرض دمشق الدولي للكتاب؟")
    assert message.locator(".msg.answer").count() == 1
    assert "damascus_book_fair" in page.locator("#sources").inner_text()
