"""The index's articles in the page: the list (title, date, outlet, chunks) a page at a time with
a search box, uploads, and the removal of an uploaded article after a confirmation. Every change
goes through the indexing queue; the list is read through `service.library.Library`.

`article_panel` places the list and the removal controls and wires them, the upload widget and
its report; `ui/layout.py` calls it once inside the settings accordion.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.context import Context

from service import notices as messages
from service.indexing import Job, QueueFull
from service.library import Library
from service.live import Service
from service.notices import UPLOAD_LIMIT_BYTES, Notice
from service.uploads import stage
from ui.render.answer import render_status
from ui.render.html import notice_html
from ui.render.report import (
    REMOVABLE_LABEL,
    removable_choices,
    render_articles,
    render_job,
    render_report,
)
from ui.texts import both
from ui.wiring import PRIVATE

# Outputs a refresh updates: status, list, removal choices, search box, page shown.
REFRESHED = 5
# How long a request follows its job; the job goes on after, and the list shows its result.
WATCH_SECONDS = 600
# Requests that may follow indexing jobs at once (they wait, they do not work).
WATCHERS = 8


def upload_label() -> str:
    limit = messages.megabytes(UPLOAD_LIMIT_BYTES)
    return (
        f"Add articles ({messages.KINDS}; up to {limit} MB each) · "
        f"أضف مقالات (حتى {limit} ميغابايت لكل ملف)"
    )


class Articles:
    """The handlers over one Service. The upload and removal handlers yield (their own widget,
    report, status, list, choices)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.indexer = service.indexer
        self.library = Library(service)

    def refresh(self) -> tuple[str, str, Any, str, int]:
        """The status, the list's first page (the search cleared) and the removable articles,
        afresh: the values of the outputs `REFRESHED` names."""
        manifest = self.service.manifest()
        choices = removable_choices(manifest, self.library.uploaded())
        return (
            render_status(manifest),
            render_articles(self.library.articles()),
            gr.Dropdown(choices=choices, value=None),
            "",
            0,
        )

    def show(self, query: str | None, page: int | None) -> tuple[str, int]:
        """Page `page` of the articles matching `query`; the page shown (clamped) is kept."""
        listed = self.library.articles(query or "", page or 0)
        return render_articles(listed), listed.page

    def _follow(self, job: Job, widget: Any) -> Iterator[tuple]:
        """The job's report as it goes; `widget` (the handler's own) is updated first."""
        finished = False
        for view in self.indexer.watch(job, WATCH_SECONDS):
            finished = view.finished
            refreshed = self.refresh() if finished else (gr.skip(),) * REFRESHED
            yield (widget, render_job(view), *refreshed)
            widget = gr.skip()
        if not finished:
            yield (widget, render_report([messages.STILL_RUNNING]), *self.refresh())

    def _only(self, notice: Notice) -> tuple:
        return (gr.skip(), render_report([notice]), *(gr.skip(),) * REFRESHED)

    def add_articles(self, files: list[dict] | None) -> Iterator[tuple]:
        """Stage the uploaded files, queue them, and follow their checks and indexing."""
        received = [
            (f.get("orig_name") or Path(f["path"]).name, Path(f["path"])) for f in files or []
        ]
        if not received:
            yield self._only(messages.NO_FILES)
            return
        staged = stage(received, self.indexer.staging_root, self.service.settings.max_upload_files)
        try:
            job = self.indexer.submit(Job(staged=staged))
        except QueueFull:
            shutil.rmtree(staged.folder, ignore_errors=True)
            yield self._only(messages.QUEUE_FULL)
            return
        yield from self._follow(job, gr.File(value=None))

    def ask_removal(self, article_id: str | None) -> tuple:
        """Show the confirmation for removing `article_id` (or say why it cannot be removed)."""
        uploaded = self.library.uploaded()
        path = uploaded.get(article_id or "")
        if path is None or article_id is None:
            notice = messages.CHOOSE_ARTICLE if not article_id else messages.NOT_REMOVABLE
            return gr.Group(visible=False), "", None, render_report([notice])
        record = self.service.manifest().articles[article_id]
        others = sum(1 for other in uploaded.values() if other == path) - 1
        question = messages.confirm_removal(record.title or article_id, path.name, others)
        return gr.Group(visible=True), notice_html(question), article_id, gr.skip()

    def cancel_removal(self) -> tuple:
        return gr.Group(visible=False), "", None

    def remove_article(self, article_id: str | None) -> Iterator[tuple]:
        """Queue the confirmed removal and follow its re-indexing."""
        if not article_id:
            yield self._only(messages.CHOOSE_ARTICLE)
            return
        try:
            job = self.indexer.submit(Job(remove=article_id))
        except QueueFull:
            yield self._only(messages.QUEUE_FULL)
            return
        yield from self._follow(job, gr.Group(visible=False))


def _article_list(articles: Articles) -> tuple[gr.Textbox, gr.HTML, gr.State]:
    """The search box, the page buttons and the list, wired to `Articles.show`."""
    with gr.Row(equal_height=True):
        search = gr.Textbox(
            placeholder=both("article_search"),
            show_label=False,
            container=False,
            elem_id="article-search",
            scale=4,
        )
        previous = gr.Button(both("previous_page"), size="sm", elem_id="article-previous")
        following = gr.Button(both("next_page"), size="sm", elem_id="article-next")
    listing = gr.HTML(elem_id="article-list")
    shown = gr.State(0)
    pages = {"concurrency_id": "article-list", **PRIVATE}
    search.input(
        lambda query: articles.show(query, 0),
        [search],
        [listing, shown],
        trigger_mode="always_last",
        **pages,
    )
    for button, step in ((previous, -1), (following, 1)):
        button.click(
            lambda query, page, step=step: articles.show(query, page + step),
            [search, shown],
            [listing, shown],
            **pages,
        )
    return search, listing, shown


def article_panel(service: Service, upload: gr.File, report: gr.HTML, status: gr.HTML) -> None:
    """Place the article list and removal controls, and wire them with the upload widget."""
    articles = Articles(service)
    gr.Markdown("**Articles in the index · المقالات في الفهرس**")
    search, listing, shown = _article_list(articles)
    with gr.Row(equal_height=True):
        choice = gr.Dropdown(
            label=REMOVABLE_LABEL, choices=[], value=None, elem_id="remove-choice", scale=4
        )
        ask = gr.Button("Remove… · إزالة…", elem_id="remove", size="sm", scale=1)
    with gr.Group(visible=False, elem_id="remove-confirm") as confirm:
        question = gr.HTML(elem_id="remove-question")
        with gr.Row():
            yes = gr.Button("Yes, remove · نعم، أزِل", variant="stop", elem_id="remove-yes")
            no = gr.Button("Cancel · إلغاء", elem_id="remove-no")
    pending = gr.State(None)

    refreshed = [status, listing, choice, search, shown]
    assert len(refreshed) == REFRESHED
    # Callable over HTTP (scripts and tests upload through it) but neither documented nor an MCP
    # tool: the assistant's tools are ask and search (ui/mcp.py).
    indexing = {
        "concurrency_id": "indexing",
        "concurrency_limit": WATCHERS,
        "api_visibility": "undocumented",
    }
    upload.upload(
        articles.add_articles,
        [upload],
        [upload, report, *refreshed],
        preprocess=False,  # the handler takes the files' paths and names; Gradio checked them
        api_name="add_articles",
        **indexing,
    )
    ask.click(articles.ask_removal, [choice], [confirm, question, pending, report], **PRIVATE)
    no.click(articles.cancel_removal, None, [confirm, question, pending], **PRIVATE)
    yes.click(
        articles.remove_article,
        [pending],
        [confirm, report, *refreshed],
        api_name="remove_article",
        **indexing,
    )
    assert Context.root_block is not None  # called inside the page's gr.Blocks
    Context.root_block.load(articles.refresh, None, refreshed, **PRIVATE)
