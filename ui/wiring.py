"""The chat's events: which handler each component's event runs, with what inputs and outputs.

Every event is private (`api_visibility="private"`): the page's handlers are neither Gradio API
endpoints nor MCP tools; `ui.mcp` adds the tools.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ui.chat import ANSWER_OUTPUTS, Chat
from ui.reading import Reading

PRIVATE = {"api_visibility": "private"}
QUIET = {"show_progress": "hidden", **PRIVATE}


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
    examples: gr.Examples


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

    def answer_outputs(self) -> list:
        by_name = {
            "chatbot": self.conversation.chatbot,
            "question": self.conversation.question,
            "turns": self.turns,
            "history": self.history,
            "panel": self.sources.panel,
            "picker": self.sources.picker,
            "send": self.conversation.send,
            "stop": self.conversation.stop,
            "export": self.conversation.export,
        }
        return [by_name[name] for name in ANSWER_OUTPUTS]


def wire_answering(page: Page, chat: Chat) -> None:
    c, options, outputs = page.conversation, page.options, page.answer_outputs()
    asking = [c.question, c.chatbot, page.turns, page.history, *options.answering()]
    answering = {"outputs": outputs, "trigger_mode": "once", **QUIET}
    # Callable over HTTP as "/chat" (bench/load.py drives the chat through it), but neither
    # documented nor an MCP tool.
    asked = {**answering, "api_name": "chat", "api_visibility": "undocumented"}
    ask = gr.on([c.question.submit, c.send.click], chat.respond, inputs=asking, **asked)
    example = c.examples.load_input_event.then(chat.respond, inputs=asking, **answering)
    again_inputs = [page.turns, page.history, *options.answering()]
    again = c.regenerate.click(chat.regenerate, inputs=again_inputs, **answering)
    running = [ask, example, again]
    c.stop.click(chat.stop, [page.turns, page.history], outputs, cancels=running, **QUIET)
    for clear in (c.clear.click, c.chatbot.clear):  # our button and the chat's bin icon
        clear(chat.clear, None, outputs, cancels=running, **QUIET)
    c.question.change(chat.can_ask, [c.question], [c.send], queue=False, **QUIET)
    control = [options.date_from, options.date_to, options.outlet]
    changed = [options.date_from.change, options.date_to.change, options.outlet.change]
    gr.on(changed, chat.set_filter, control, [options.within], queue=False, **QUIET)


def wire_reading(page: Page, chat: Chat, reading: Reading) -> None:
    c, sources, comment = page.conversation, page.sources, page.comment
    # Unchecked against the session's choices, which a dropped session no longer has.
    picked = {"preprocess": False, **PRIVATE}
    sources.picker.input(chat.show_turn, [sources.picker, page.turns], [sources.panel], **picked)
    c.chatbot.select(chat.select_message, [page.turns], [sources.picker, sources.panel], **PRIVATE)
    sources.panel.open_article(reading.open_article, [page.turns], [page.article], **QUIET)
    c.export.click(reading.export, [page.turns], [c.download], **QUIET).then(
        None, js="() => { document.getElementById('export-file').click(); }", **PRIVATE
    )
    rated = [comment.group, comment.box, page.rated]
    c.chatbot.like(reading.rate, [page.turns], rated, **QUIET)
    gr.on(
        [comment.send.click, comment.box.submit],
        reading.comment,
        [comment.box, page.rated],
        rated,
        **QUIET,
    )
