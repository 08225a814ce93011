"""The app follows what happens to its index outside it: a `python -m rag ingest` run while it
serves is served (its articles and count), an upload that reuses an article id is told so (not
"could not be read"), and an uploaded file the index refused can be removed from the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.serving.app_process import (
    DEADLINE,
    add_articles,
    article_text,
    call,
    running_app,
    wait_until,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DAM = article_text(
    "ترميم سد الفرات",
    "بدأت وزارة الموارد المائية أعمال ترميم سد الفرات بكلفة تبلغ أربعين مليون دولار.",
)
DAM_QUESTION = "كم تبلغ كلفة ترميم سد الفرات؟"
OTHER_DAM = article_text("سد آخر", "نص مختلف عن سد آخر في منطقة أخرى من البلاد.")


@pytest.fixture
def app(tmp_path, embedder, seed_index):
    with running_app(tmp_path, embedder, seed_index) as running:
        yield running


def _cli_ingest(corpus_dir: Path, index_dir: Path) -> None:
    command = [sys.executable, "-m", "rag", "ingest", "--quiet"]
    command += ["--corpus", str(corpus_dir), "--index", str(index_dir)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_app_serves_what_a_cli_ingest_published_and_refuses_its_ids(app):
    articles = len(app.indexed_ids())
    (app.corpus_dir / "dam.txt").write_bytes(DAM)
    _cli_ingest(app.corpus_dir, app.index_dir)
    wait_until(lambda: "dam" in app.indexed_ids(), "the app to serve the CLI's index", 60)
    assert len(app.indexed_ids()) == articles + 1
    with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
        shown = json.dumps(call(session, "respond", [DAM_QUESTION, [], 5, "extractive"]))
        assert "\\u062a\\u0631\\u0645\\u064a\\u0645" in shown  # ترميم: the new article is cited
        # The same id uploaded now is refused as a duplicate before anything is saved.
        report = add_articles(session, [("dam.txt", OTHER_DAM)])
    assert "Article id(s) already in the corpus" in report and "dam" in report
    assert not (app.corpus_dir / "uploads" / "dam.txt").exists()


def test_an_id_clash_found_while_indexing_is_told_and_the_file_can_be_removed(app):
    import gradio as gr

    from ui.article_list import ArticleList
    from ui.articles import Articles, Panel

    # Dropped into the corpus and not indexed yet, so the upload's check cannot know the id.
    (app.corpus_dir / "dam.txt").write_bytes(DAM)
    with httpx.Client(base_url=app.url, timeout=DEADLINE) as session:
        report = add_articles(session, [("dam.txt", OTHER_DAM)])
    saved = app.corpus_dir / "uploads" / "dam.txt"
    assert saved.is_file()
    assert "another file of the corpus already has their article id" in report, report
    assert "uploads/dam.txt" in report and "could not be read" not in report

    listed = ArticleList(gr.HTML(), gr.Textbox(), gr.Button(), gr.Button(), gr.State(0))
    panel = Panel(*(gr.HTML() for _ in range(6)), gr.State(None), listed)  # the handlers' keys
    articles = Articles(app.service, panel)
    choice = "uploads/dam.txt"
    listed = articles.refresh()[panel.choice]
    assert choice in [value for _, value in listed.choices], listed.choices
    asked = articles.ask_removal(choice)
    assert asked[panel.confirm].visible and asked[panel.pending] == choice
    assert "dam.txt" in asked[panel.question]
    *_, done = articles.remove_article(choice)
    report = done[panel.report]
    assert "removed from the corpus" in report and "dam.txt" in report, report
    assert not saved.exists()
    assert "dam" in app.indexed_ids()  # the corpus's own dam.txt, indexed with the removal
