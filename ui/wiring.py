"""Which handler each of the page's components (`ui.page`) runs on which event, with what inputs
and outputs. Handlers return dicts keyed by the components they update (a component left out
keeps its value), so no handler has to keep a positional order in step with the wiring.

Every event is private (`api_visibility="private"`): the page's handlers are neither Gradio API
endpoints nor MCP tools; the MCP tools are `api.mcp`'s.
"""

from __future__ import annotations

import gradio as gr

from ui.chat import Chat
from ui.page import Options, Page
from ui.reading import Reading


def wire_answering(page: Page, chat: Chat) -> None:
    c, options, outputs = page.conversation, page.options, page.answer_outputs
    asking = [c.question, c.chatbot, page.turns, page.history, *options.answering()]
    # Callable over HTTP as "/chat" (bench/load.py drives the chat through it), but neither
    # documented nor an MCP tool.
    ask = gr.on(
        [c.question.submit, c.send.click],
        chat.respond,
        inputs=asking,
        outputs=outputs,
        trigger_mode="once",
        show_progress="hidden",
        api_name="chat",
        api_visibility="undocumented",
    )
    example = c.examples.load_input_event.then(
        chat.respond,
        inputs=asking,
        outputs=outputs,
        trigger_mode="once",
        show_progress="hidden",
        api_visibility="private",
    )
    again = c.regenerate.click(
        chat.regenerate,
        inputs=[page.turns, page.history, *options.answering()],
        outputs=outputs,
        trigger_mode="once",
        show_progress="hidden",
        api_visibility="private",
    )
    running = [ask, example, again]
    c.stop.click(
        chat.stop,
        [page.turns, page.history],
        outputs,
        cancels=running,
        show_progress="hidden",
        api_visibility="private",
    )
    for clear in (c.clear.click, c.chatbot.clear):  # our button and the chat's bin icon
        clear(
            chat.clear,
            None,
            outputs,
            cancels=running,
            show_progress="hidden",
            api_visibility="private",
        )
    c.question.change(
        chat.can_ask,
        [c.question],
        [c.send],
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    )
    _wire_filter(options, chat)


def _wire_filter(options: Options, chat: Chat) -> None:
    """The filter control's values go to the session's state the answers read."""
    gr.on(
        [options.date_from.change, options.date_to.change, options.outlet.change],
        chat.set_filter,
        [options.date_from, options.date_to, options.outlet],
        [options.within],
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    )


def wire_reading(page: Page, chat: Chat, reading: Reading) -> None:
    c, sources, comment = page.conversation, page.sources, page.comment
    # Unchecked against the session's choices, which a dropped session no longer has.
    sources.picker.input(
        chat.show_turn,
        [sources.picker, page.turns],
        [sources.panel],
        preprocess=False,
        api_visibility="private",
    )
    c.chatbot.select(
        chat.select_message, [page.turns], [sources.picker, sources.panel], api_visibility="private"
    )
    sources.panel.open_article(  # a custom event, triggered by assets/sources_panel.js
        reading.open_article,
        [page.turns],
        [page.article],
        show_progress="hidden",
        api_visibility="private",
    )
    c.export.click(
        reading.export, [page.turns], [c.download], show_progress="hidden", api_visibility="private"
    ).then(
        None,
        js="() => { document.getElementById('export-file').click(); }",
        api_visibility="private",
    )
    c.chatbot.like(
        reading.rate,
        [page.turns],
        page.comment_outputs,
        show_progress="hidden",
        api_visibility="private",
    )
    gr.on(
        [comment.send.click, comment.box.submit],
        reading.comment,
        [comment.box, page.rated],
        page.comment_outputs,
        show_progress="hidden",
        api_visibility="private",
    )


def wire_status(page: Page, chat: Chat, timer: gr.Timer, demo: gr.Blocks) -> None:
    """The index status at load and every tick of `timer`."""
    status = page.options.status
    timer.tick(chat.index_status, None, [status], show_progress="hidden", api_visibility="private")
    demo.load(chat.index_status, None, [status], api_visibility="private")
