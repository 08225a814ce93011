"""Stopping an answer while it is produced, and feedback that outlives the app, in headless
Chromium. The stop test serves a pipeline that holds its answer after the lead until the test
lets it go, so the answer is caught mid-way without racing a clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from rag.messages import message
from rag.pipeline import Pipeline
from service.feedback import FeedbackStore
from tests.serving.app_thread import app_folders, serve_app
from tests.ui.browser import ask, bots

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AR_QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
GATE = threading.Event()


class HeldPipeline(Pipeline):
    """Streams the lead, then waits for `GATE` before the rest of the answer."""

    def stream(self, question, history=(), **options):
        chunks = super().stream(question, history, **options)
        for number, chunk in enumerate(chunks):
            if number == 1:
                GATE.wait(120)
            yield chunk


@pytest.fixture(scope="module")
def held(tmp_path_factory, embedder, seed_index) -> Iterator:
    index_dir, corpus_dir = app_folders(tmp_path_factory.mktemp("held"), seed_index)
    app = serve_app(index_dir, corpus_dir, embedder, pipeline_class=HeldPipeline)
    try:
        yield app
    finally:
        GATE.set()
        app.close()


def test_stop_keeps_what_was_shown_and_marks_it_stopped(held, open_page):
    GATE.clear()
    page = open_page(held.url)
    page.fill("#question textarea", AR_QUESTION)
    page.click("#send")
    # The answer in parts: its lead is shown while the rest is still being produced.
    page.wait_for_selector("#chat .msg.streaming .lead", timeout=90_000)
    assert page.locator("#chat .msg.streaming li.sentence").count() == 0
    assert page.locator("#send").is_hidden()
    page.click("#stop")
    stopped = page.locator("#chat .msg.stopped")
    stopped.wait_for(timeout=10_000)
    shown = stopped.inner_text()
    assert shown.startswith(("بحسب ", message("likely", "ar"))) and "أُوقفت الإجابة" in shown
    page.locator("#send").wait_for(state="visible", timeout=10_000)
    assert page.locator("#stop").is_hidden()
    assert page.locator("#sources .no-sources").is_visible()

    GATE.set()  # the held answer finishes in the background; it must not replace the stop
    ask(page, "What is the population of Damascus?")
    assert bots(page).first.locator(".msg.stopped").count() == 1
    assert bots(page).count() == 2


def test_feedback_is_kept_across_a_restart(tmp_path, embedder, seed_index, open_page):
    index_dir, corpus_dir = app_folders(tmp_path, seed_index)
    app = serve_app(index_dir, corpus_dir, embedder)
    try:
        page = open_page(app.url)
        ask(page, AR_QUESTION)
        page.locator("#chat button[aria-label='Dislike']").first.click()
        page.locator("#comment textarea").wait_for(state="visible", timeout=10_000)
        page.fill("#comment textarea", "الجواب لا يذكر التاريخ")
        page.click("#send-comment")
        page.locator("#comment textarea").wait_for(state="hidden", timeout=10_000)
    finally:
        app.close()

    restarted = serve_app(index_dir, corpus_dir, embedder)
    try:
        (row,) = restarted.built.feedback.export()
        assert row["rating"] == "down" and row["comments"] == ["الجواب لا يذكر التاريخ"]
        assert row["question"] == AR_QUESTION and row["citations"]
        assert row["answer"].startswith(("بحسب ", message("likely", "ar")))
        # The same file, read by the export command's store, beside the index.
        assert FeedbackStore.beside(index_dir).export() == [row]
    finally:
        restarted.close()
