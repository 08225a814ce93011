"""Feedback that cannot be written is told to the reader: the index folder on a real 4 MB tmpfs,
filled while the page is open; the thumb then says, in both languages, that nothing was saved,
and once there is room again the next thumb is kept."""

from __future__ import annotations

import shutil

import pytest

from corpus import DEFAULT_CORPUS_DIR
from service.feedback import FeedbackStore
from tests.serving.app_thread import serve_app
from tests.serving.small_disk import empty, fill, small_disk
from tests.ui.browser import AR_QUESTION, ask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOT_SAVED_EN = "Your feedback was not saved, because the server's disk is full."
NOT_SAVED_AR = "لم تُحفظ ملاحظتك لأن قرص الخادم ممتلئ."


def test_a_rating_the_full_disk_refuses_is_told_and_the_next_one_is_kept(
    tmp_path, embedder, seed_index, open_page
):
    with small_disk(tmp_path / "disk", 4) as disk:
        index = shutil.copytree(seed_index, disk / "index")
        corpus = shutil.copytree(DEFAULT_CORPUS_DIR, tmp_path / "corpus")
        app = serve_app(index, corpus, embedder)
        try:
            page = open_page(app.url)
            ask(page, AR_QUESTION)
            fill(disk)
            page.locator("#chat button[aria-label='Like']").first.click()
            page.get_by_text(NOT_SAVED_EN).wait_for(timeout=15_000)
            assert NOT_SAVED_AR in page.inner_text("body")
            assert page.locator("#comment textarea").is_hidden()
            assert FeedbackStore.beside(index).export() == []

            empty(disk)
            page.locator("#chat button[aria-label='Dislike']").first.click()
            page.locator("#comment textarea").wait_for(state="visible", timeout=15_000)
            (row,) = FeedbackStore.beside(index).export()
            assert row["rating"] == "down" and row["question"] == AR_QUESTION
        finally:
            app.close()
