"""The index's articles in the page: the list (title, date, chunks), uploads, web pages and
feeds added by address, and the removal of an uploaded article after a confirmation. Every change
goes through the indexing queue; pages and feeds are fetched in the request (service/web.py,
service/feeds.py) and their pages queued like uploaded files.

`article_panel` places the list and the removal controls and wires them, the upload widget and
its report; `ui/layout.py` calls it once inside the settings accordion.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.context import Context

from corpus.isolated import IsolatedLoader
from service import notices as messages
from service.feeds import FeedsBusy, FeedStore, refresh
from service.indexing import Job, QueueFull
from service.live import Service
from service.notices import UPLOAD_LIMIT_BYTES, Notice
from service.notices import web as web_messages
from service.uploads import Outcome, Staged, stage, uploaded_file
from service.web import Page, fetch_pages, policy_of, stage_pages
from ui.render.answer import render_status
from ui.render.html import notice_html
from ui.render.report import (
    REMOVABLE_LABEL,
    removable_choices,
    render_articles,
    render_job,
    render_report,
)
from ui.wiring import PRIVATE

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

    def _uploaded(self) -> dict[str, Path]:
        """The served articles that came from an uploaded file, with that file."""
        uploads = self.indexer.uploads
        found = {}
        for article_id, record in self.service.manifest().articles.items():
            path = uploaded_file(record.source, uploads)
            if path is not None:
                found[article_id] = path
        return found

    def refresh(self) -> tuple[str, str, Any]:
        manifest = self.service.manifest()
        uploaded = self._uploaded()
        choices = removable_choices(manifest, uploaded)
        return (
            render_status(manifest),
            render_articles(manifest, set(uploaded)),
            gr.Dropdown(choices=choices, value=None),
        )

    def _follow(self, job: Job, widget: Any) -> Iterator[tuple]:
        """The job's report as it goes; `widget` (the handler's own) is updated first."""
        finished = False
        for view in self.indexer.watch(job, WATCH_SECONDS):
            finished = view.finished
            refreshed = self.refresh() if finished else (gr.skip(),) * 3
            yield (widget, render_job(view), *refreshed)
            widget = gr.skip()
        if not finished:
            yield (widget, render_report([messages.STILL_RUNNING]), *self.refresh())

    def _only(self, notice: Notice) -> tuple:
        return (gr.skip(), render_report([notice]), gr.skip(), gr.skip(), gr.skip())

    def _queue(self, staged: Staged, widget: Any) -> Iterator[tuple]:
        try:
            job = self.indexer.submit(Job(staged=staged))
        except QueueFull:
            shutil.rmtree(staged.folder, ignore_errors=True)
            yield self._only(messages.QUEUE_FULL)
            return
        yield from self._follow(job, widget)

    def _queue_pages(
        self, pages: list[Page], failed: list[Outcome], notices: list[Notice], widget: Any
    ) -> Iterator[tuple]:
        staged = stage_pages(pages, failed, self.indexer.staging_root)
        for view in self._queue(staged, widget):
            yield view if not notices else (view[0], render_report(notices) + view[1], *view[2:])

    def add_page(self, address: str | None) -> Iterator[tuple]:
        """Fetch the page at `address` and queue it like an uploaded file."""
        if not (address or "").strip():
            yield self._only(web_messages.NO_ADDRESS)
            return
        yield self._only(messages.CHECKING)
        pages, failed = fetch_pages([address or ""], policy_of(self.service.settings))
        yield from self._queue_pages(pages, failed, [], gr.Textbox(value=""))

    def refresh_feeds(self, address: str | None = None) -> Iterator[tuple]:
        """Add the feed at `address` (when given), fetch every feed's new items and queue them."""
        yield self._only(messages.CHECKING)
        settings = self.service.settings
        try:
            with IsolatedLoader(settings.parse_time_limit) as loader:
                found = refresh(
                    FeedStore(settings.index_dir),
                    policy_of(settings),
                    loader,
                    [address] if (address or "").strip() else [],
                )
        except FeedsBusy:
            yield self._only(web_messages.FEED_BUSY)
            return
        widget = gr.Textbox(value="") if address else gr.skip()
        yield from self._queue_pages(found.pages, found.outcomes, found.notices, widget)

    def add_feed(self, address: str | None) -> Iterator[tuple]:
        if not (address or "").strip():
            yield self._only(web_messages.NO_ADDRESS)
            return
        yield from self.refresh_feeds(address)

    def add_articles(self, files: list[dict] | None) -> Iterator[tuple]:
        """Stage the uploaded files, queue them, and follow their checks and indexing."""
        received = [
            (f.get("orig_name") or Path(f["path"]).name, Path(f["path"])) for f in files or []
        ]
        if not received:
            yield self._only(messages.NO_FILES)
            return
        staged = stage(received, self.indexer.staging_root, self.service.settings.max_upload_files)
        yield from self._queue(staged, gr.File(value=None))

    def ask_removal(self, article_id: str | None) -> tuple:
        """Show the confirmation for removing `article_id` (or say why it cannot be removed)."""
        uploaded = self._uploaded()
        path = uploaded.get(article_id or "")
        if path is None:
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


@dataclass(frozen=True)
class WebInputs:
    address: gr.Textbox
    add_page: gr.Button
    add_feed: gr.Button
    refresh_feeds: gr.Button


def web_inputs() -> WebInputs:
    """The address box and its buttons: a web page, a feed, or a refresh of the feeds."""
    with gr.Row(equal_height=True, elem_id="web-inputs"):
        address = gr.Textbox(
            label="Add a web page or an RSS/Atom feed by address · أضف صفحة ويب أو موجز RSS/Atom بعنوانه",
            placeholder="https://…",
            max_lines=1,
            elem_id="address",
            scale=4,
        )
        add_page = gr.Button("Add page · أضف الصفحة", elem_id="add-page", size="sm", scale=1)
        add_feed = gr.Button("Add feed · أضف الموجز", elem_id="add-feed", size="sm", scale=1)
        refresh_feeds = gr.Button(
            "Refresh feeds · حدّث الموجزات", elem_id="refresh-feeds", size="sm", scale=1
        )
    return WebInputs(address, add_page, add_feed, refresh_feeds)


def article_panel(
    service: Service, upload: gr.File, web: WebInputs, report: gr.HTML, status: gr.HTML
) -> None:
    """Place the article list and removal controls, and wire them with the upload widget and
    the address box."""
    articles = Articles(service)
    gr.Markdown("**Articles in the index · المقالات في الفهرس**")
    listing = gr.HTML(elem_id="article-list")
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

    refreshed = [status, listing, choice]
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
        preprocess=False,  # the handler takes the files' paths and names, and checks them
        api_name="add_articles",
        **indexing,
    )
    for button, handler, name in (
        (web.add_page, articles.add_page, "add_url"),
        (web.add_feed, articles.add_feed, "add_feed"),
    ):
        button.click(
            handler, [web.address], [web.address, report, *refreshed], api_name=name, **indexing
        )
    web.refresh_feeds.click(
        articles.refresh_feeds,
        None,
        [web.address, report, *refreshed],
        api_name="refresh_feeds",
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
