"""The article list of the page: the index's articles a page at a time (`service.library`), a
search box over their titles, dates and outlets, and the page buttons. `ui/articles.py` places
it in the article panel and refreshes it with the rest of the panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from service.library import Library
from ui.render.report import render_articles
from ui.texts import both

Updates = dict[Any, Any]


@dataclass(frozen=True)
class ArticleList:
    """The list's components."""

    listing: gr.HTML
    search: gr.Textbox
    previous: gr.Button
    following: gr.Button
    # The page of the list shown (from 0).
    shown: gr.State

    @property
    def outputs(self) -> list[Any]:
        return [self.listing, self.search, self.shown]


def place_list() -> ArticleList:
    """The search box and the page buttons above the list."""
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
    return ArticleList(gr.HTML(elem_id="article-list"), search, previous, following, gr.State(0))


class ListView:
    """The list's handlers over one library."""

    def __init__(self, library: Library, parts: ArticleList) -> None:
        self.library = library
        self.parts = parts

    def first(self) -> Updates:
        """The first page, the search cleared."""
        parts = self.parts
        return {
            parts.listing: render_articles(self.library.articles()),
            parts.search: "",
            parts.shown: 0,
        }

    def show(self, query: str | None, page: int | None) -> Updates:
        """Page `page` of the articles matching `query`; the page shown (clamped) is kept."""
        listed = self.library.articles(query or "", page or 0)
        return {self.parts.listing: render_articles(listed), self.parts.shown: listed.page}

    def wire(self) -> None:
        """The search box and the page buttons, to `show`. The box is read on `change`: in this
        page Gradio sent no `input` event for it."""
        parts = self.parts
        pages: dict[str, Any] = {"concurrency_id": "article-list", "api_visibility": "private"}
        shown = [parts.listing, parts.shown]
        parts.search.change(
            lambda query: self.show(query, 0),
            [parts.search],
            shown,
            trigger_mode="always_last",
            **pages,
        )
        for button, step in ((parts.previous, -1), (parts.following, 1)):
            button.click(
                lambda query, page, step=step: self.show(query, page + step),
                [parts.search, parts.shown],
                shown,
                **pages,
            )
