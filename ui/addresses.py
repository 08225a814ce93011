"""The address box of the article panel: a web page or an RSS/Atom feed added by its address,
and a refresh of the feeds. The page or feed is fetched in the request (service/web.py,
service/feeds.py: limits, refusals and their reasons are there) and its pages are queued like
uploaded files, so the report, the list and the removal work as for uploads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import gradio as gr

from corpus.isolated import IsolatedLoader
from service import notices as messages
from service.feeds import FeedsBusy, FeedStore, refresh
from service.indexing import Indexer
from service.live import Service
from service.notices import Notice
from service.notices import web as web_messages
from service.uploads import Outcome, Staged
from service.web import Page, fetch_pages, policy_of, stage_pages
from ui.render.report import render_report

Updates = dict[Any, Any]


class Queue(Protocol):
    """What the address box needs of the article panel (ui.articles.Articles)."""

    service: Service
    indexer: Indexer

    def only(self, notice: Notice) -> Updates: ...

    def queue(self, staged: Staged, own: Updates) -> Iterator[Updates]: ...


@dataclass(frozen=True)
class WebInputs:
    address: gr.Textbox
    add_page: gr.Button
    add_feed: gr.Button
    refresh_feeds: gr.Button


def web_inputs() -> WebInputs:
    """Place the address box and its buttons (under the upload widget, above the report)."""
    with gr.Row(equal_height=True, elem_id="web-inputs"):
        address = gr.Textbox(
            label="Add a web page or an RSS/Atom feed by address · "
            "أضف صفحة ويب أو موجز RSS/Atom بعنوانه",
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


class Addresses:
    def __init__(self, panel: Queue, web: WebInputs, report: gr.HTML) -> None:
        self.panel, self.web, self.report = panel, web, report

    def _queue_pages(
        self, pages: Sequence[Page], failed: Sequence[Outcome], notices: Sequence[Notice]
    ) -> Iterator[Updates]:
        staged = stage_pages(pages, failed, self.panel.indexer.staging_root)
        for updates in self.panel.queue(staged, {self.web.address: gr.Textbox(value="")}):
            if notices and self.report in updates:
                updates[self.report] = render_report(notices) + updates[self.report]
            yield updates

    def add_page(self, address: str | None) -> Iterator[Updates]:
        """Fetch the page at `address` and queue it like an uploaded file."""
        if not (address or "").strip():
            yield self.panel.only(web_messages.NO_ADDRESS)
            return
        yield self.panel.only(messages.CHECKING)
        pages, failed = fetch_pages([address or ""], policy_of(self.panel.service.settings))
        yield from self._queue_pages(pages, failed, [])

    def refresh_feeds(self, address: str | None = None) -> Iterator[Updates]:
        """Add the feed at `address` (when given), fetch every feed's new items and queue them."""
        yield self.panel.only(messages.CHECKING)
        settings = self.panel.service.settings
        adding = [address] if address and address.strip() else []
        try:
            with IsolatedLoader(settings.ingest.parse_time_limit) as loader:
                found = refresh(FeedStore(settings.index.path), policy_of(settings), loader, adding)
        except FeedsBusy:
            yield self.panel.only(web_messages.FEED_BUSY)
            return
        yield from self._queue_pages(found.pages, found.outcomes, found.notices)

    def add_feed(self, address: str | None) -> Iterator[Updates]:
        if not (address or "").strip():
            yield self.panel.only(web_messages.NO_ADDRESS)
            return
        yield from self.refresh_feeds(address)


def wire_addresses(
    panel: Queue, web: WebInputs, report: gr.HTML, refreshed: Sequence[Any], watchers: int
) -> None:
    """Wire the address box's buttons; like `add_articles`, each is callable over HTTP
    (`add_url`, `add_feed`, `refresh_feeds`) but neither documented nor an MCP tool."""
    handlers = Addresses(panel, web, report)
    outputs = [web.address, report, *refreshed]
    for button, handler, inputs, name in (
        (web.add_page, handlers.add_page, [web.address], "add_url"),
        (web.add_feed, handlers.add_feed, [web.address], "add_feed"),
        (web.refresh_feeds, handlers.refresh_feeds, None, "refresh_feeds"),
    ):
        button.click(
            handler,
            inputs,
            outputs,
            api_name=name,
            concurrency_id="indexing",
            concurrency_limit=watchers,
            api_visibility="undocumented",
        )
