"""The page's components, grouped as the page shows them; handlers key their outputs by them."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from gradio.components import Component
from gradio.helpers import Examples


@dataclass(frozen=True)
class Conversation:
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    regenerate: gr.Button
    export: gr.Button
    download: gr.DownloadButton
    clear: gr.Button
    examples: Examples


@dataclass(frozen=True)
class Comment:
    group: gr.Group
    box: gr.Textbox
    send: gr.Button


@dataclass(frozen=True)
class Sources:
    picker: gr.Dropdown
    panel: gr.HTML


@dataclass(frozen=True)
class Options:
    top_k: gr.Slider
    mode: gr.Radio
    status: gr.HTML
    date_from: gr.Textbox
    date_to: gr.Textbox
    outlet: gr.Dropdown
    within: gr.State  # the three above, as `ui.chat.Within`

    def answering(self) -> list:
        """What every answer is asked with, after the question: top-k, mode and the filter."""
        return [self.top_k, self.mode, self.within]


@dataclass(frozen=True)
class Page:
    conversation: Conversation
    comment: Comment
    sources: Sources
    article: gr.HTML
    options: Options
    turns: gr.State
    history: gr.State
    rated: gr.State

    @property
    def answer_outputs(self) -> list[Component | gr.State | gr.Group]:
        """What an answering handler may update: the conversation as it stands."""
        c = self.conversation
        return [
            c.chatbot,
            c.question,
            self.turns,
            self.history,
            self.sources.panel,
            self.sources.picker,
            c.send,
            c.stop,
            c.export,
        ]

    @property
    def comment_outputs(self) -> list[Component | gr.State | gr.Group]:
        return [self.comment.group, self.comment.box, self.rated]
