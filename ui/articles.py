"""The index's articles in the page: the list (title, date, outlet, chunks) a page at a time with
a search box (ui/article_list.py), uploads, and the removal of an uploaded article after a
confirmation. Every change goes through the indexing queue (pages and feeds added by address
too: ui/addresses.py); the list is read through `service.library.Library`.

`article_panel` places the list and the removal controls and wires them, the upload widget, the
address box and their report; `ui/layout.py` calls it once inside the settings accordion.
Handlers return the components they update, keyed by component.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from service import notices as messages
from service.jobs import Job, QueueFull
from service.library import Library
from service.live import Service
from service.notices import UPLOAD_LIMIT_BYTES, Notice
from service.reconcile import unindexed_uploads
from service.uploads import UPLOADS_FOLDER, Staged, stage
from ui.addresses import WebInputs, wire_addresses
from ui.article_list import ArticleList, ListView, Updates, place_list
from ui.chat import status_html
from ui.render.html import notice_html
from ui.render.report import (
    REMOVABLE_LABEL,
    plain_label,
    removable_choices,
    render_job,
    render_report,
)
from ui.texts import NOT_INDEXED

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


def _file_choice(path: Path) -> tuple[str, str]:
    """A saved upload the index does not hold, for the removal list: no article id has a "/",
    so its value cannot be taken for one."""
    return plain_label(f"{path.name} ({NOT_INDEXED})"), f"{UPLOADS_FOLDER}/{path.name}"


def _file_name(choice: str | None) -> str | None:
    prefix = f"{UPLOADS_FOLDER}/"
    return choice.removeprefix(prefix) if choice and choice.startswith(prefix) else None


@dataclass(frozen=True)
class Panel:
    """The components of the article panel, and the index status it keeps current."""

    upload: gr.File
    report: gr.HTML
    status: gr.HTML
    choice: gr.Dropdown
    confirm: gr.Group
    question: gr.HTML
    pending: gr.State
    listed: ArticleList

    @property
    def refreshed(self) -> list[Any]:
        return [self.status, self.choice, *self.listed.outputs]


class Articles:
    """The handlers over one Service and the panel's components."""

    def __init__(self, service: Service, panel: Panel) -> None:
        self.service = service
        self.indexer = service.indexer
        self.panel = panel
        self.library = Library(service)
        self.listed = ListView(self.library, panel.listed)

    def _unindexed(self) -> list[Path]:
        sources = (record.source for record in self.service.manifest().articles.values())
        return unindexed_uploads(self.indexer.uploads, sources)

    def refresh(self) -> Updates:
        """The status, the list's first page (the search cleared) and the removable articles,
        afresh."""
        manifest = self.service.manifest()
        uploaded = self.library.uploaded()
        choices = removable_choices(manifest, uploaded)
        choices += [_file_choice(path) for path in self._unindexed()]
        return {
            self.panel.status: status_html(self.service),
            self.panel.choice: gr.Dropdown(choices=choices, value=None),
            **self.listed.first(),
        }

    def _follow(self, job: Job, own: Updates) -> Iterator[Updates]:
        """The job's report as it goes; `own` (the handler's own widgets) is updated first."""
        finished = False
        for view in self.indexer.watch(job, WATCH_SECONDS):
            finished = view.finished
            yield {
                **own,
                self.panel.report: render_job(view),
                **(self.refresh() if finished else {}),
            }
            own = {}
        if not finished:
            yield {
                **own,
                self.panel.report: render_report([messages.STILL_RUNNING]),
                **self.refresh(),
            }

    def only(self, notice: Notice) -> Updates:
        """The report saying `notice` alone (the previous report is replaced)."""
        return {self.panel.report: render_report([notice])}

    def queue(self, staged: Staged, own: Updates) -> Iterator[Updates]:
        """Queue the staged files and follow their checks and indexing."""
        try:
            job = self.indexer.submit(Job(staged=staged))
        except QueueFull:
            if staged.folder is not None:  # none when the disk refused a staging folder
                shutil.rmtree(staged.folder, ignore_errors=True)
            yield self.only(messages.QUEUE_FULL)
            return
        yield from self._follow(job, own)

    def add_articles(self, files: list[dict] | None) -> Iterator[Updates]:
        """Stage the uploaded files, queue them, and follow their checks and indexing."""
        received = [
            (f.get("orig_name") or Path(f["path"]).name, Path(f["path"])) for f in files or []
        ]
        if not received:
            yield self.only(messages.NO_FILES)
            return
        staged = stage(
            received, self.indexer.staging_root, self.service.settings.server.max_upload_files
        )
        yield from self.queue(staged, {self.panel.upload: gr.File(value=None)})

    def ask_removal(self, article_id: str | None) -> Updates:
        """Show the confirmation for removing `article_id` (or say why it cannot be removed)."""
        panel, uploaded = self.panel, self.library.uploaded()
        name = _file_name(article_id)
        if name is not None and name in {path.name for path in self._unindexed()}:
            return {
                panel.confirm: gr.Group(visible=True),
                panel.question: notice_html(messages.confirm_removal(name, name, 0)),
                panel.pending: article_id,
            }
        path = uploaded.get(article_id or "")
        if article_id is None or path is None:
            notice = messages.CHOOSE_ARTICLE if not article_id else messages.NOT_REMOVABLE
            closed = {
                panel.confirm: gr.Group(visible=False),
                panel.question: "",
                panel.pending: None,
            }
            return {**closed, panel.report: render_report([notice])}
        record = self.service.manifest().articles[article_id]
        others = sum(1 for other in uploaded.values() if other == path) - 1
        question = messages.confirm_removal(record.title or article_id, path.name, others)
        return {
            panel.confirm: gr.Group(visible=True),
            panel.question: notice_html(question),
            panel.pending: article_id,
        }

    def cancel_removal(self) -> Updates:
        panel = self.panel
        return {panel.confirm: gr.Group(visible=False), panel.question: "", panel.pending: None}

    def remove_article(self, article_id: str | None) -> Iterator[Updates]:
        """Queue the confirmed removal and follow its re-indexing."""
        if not article_id:
            yield self.only(messages.CHOOSE_ARTICLE)
            return
        name = _file_name(article_id)
        job = Job(remove=article_id) if name is None else Job(remove_file=name)
        try:
            self.indexer.submit(job)
        except QueueFull:
            yield self.only(messages.QUEUE_FULL)
            return
        yield from self._follow(job, {self.panel.confirm: gr.Group(visible=False)})


def _panel(
    upload: gr.File, report: gr.HTML, status: gr.HTML
) -> tuple[Panel, gr.Button, gr.Button, gr.Button]:
    """Place the list and the removal controls; the panel and its three buttons."""
    gr.Markdown("**Articles in the index · المقالات في الفهرس**")
    listed = place_list()
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
    panel = Panel(upload, report, status, choice, confirm, question, gr.State(None), listed)
    return panel, ask, yes, no


def article_panel(
    service: Service,
    upload: gr.File,
    web: WebInputs,
    report: gr.HTML,
    status: gr.HTML,
    demo: gr.Blocks,
) -> None:
    """Place the article list and removal controls in `demo`, and wire them with the upload
    widget and the address box."""
    panel, ask, yes, no = _panel(upload, report, status)
    articles = Articles(service, panel)
    wire_addresses(articles, web, report, panel.refreshed, WATCHERS)
    removal = [panel.confirm, panel.question, panel.pending, report]
    # Callable over HTTP (scripts and tests upload through it) but neither documented nor an MCP
    # tool: the assistant's tools are ask and search (api/mcp.py).
    upload.upload(
        articles.add_articles,
        [upload],
        [upload, report, *panel.refreshed],
        preprocess=False,  # the handler takes the files' paths and names, and checks them
        api_name="add_articles",
        concurrency_id="indexing",
        concurrency_limit=WATCHERS,
        api_visibility="undocumented",
    )
    ask.click(articles.ask_removal, [panel.choice], removal, api_visibility="private")
    no.click(articles.cancel_removal, None, removal[:3], api_visibility="private")
    yes.click(
        articles.remove_article,
        [panel.pending],
        [panel.confirm, report, *panel.refreshed],
        api_name="remove_article",
        concurrency_id="indexing",
        concurrency_limit=WATCHERS,
        api_visibility="undocumented",
    )
    articles.listed.wire()
    demo.load(articles.refresh, None, panel.refreshed, api_visibility="private")
