"""A browser session the server let go of, and how its page recovers.

Gradio keeps the state of `Settings.server.session_capacity` sessions and drops the least recently used
one beyond that (gradio/state_holder.py moves a session to the end on every request). The page
of a dropped session still shows its chat, but the server's turns (each answer's sources) and
history are gone. The chat handlers notice it from their own inputs (answers on the page, fewer
turns on the server) and say so in both languages: in the sources panel when the page asks for
a lost answer's sources, and in a toast at its next question, which carries on with stand-in
turns for the answers still shown, so the page keeps them and new answers are numbered after.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import gradio as gr

from rag.question.language import question_language
from ui.conversation import Entry
from ui.render.html import notice_html
from ui.texts import SESSION_RESTARTED, SESSION_RESTARTED_SHORT

RESTARTED_HTML = f'<div class="session-restarted">{notice_html(SESSION_RESTARTED)}</div>'


def answers_shown(chat: Sequence[Any] | None) -> int:
    """Answers on the page: every turn is a user message and an answer."""
    return len(chat or []) // 2


def was_dropped(shown: int, turns: Sequence[Any] | None) -> bool:
    """The page shows more answers than the server holds turns for."""
    return shown > len(turns or [])


def is_lost(index: Any, turns: Sequence[Any] | None) -> bool:
    """Whether the page asks for turn `index` (a message or dropdown choice it shows) that the
    server does not hold."""
    try:
        return int(index) >= len(turns or [])
    except (TypeError, ValueError):
        return False


def restored_turns(chat: Sequence[Any] | None, turns: list[Entry]) -> list[Entry]:
    """`turns`, followed by one stand-in for each answer the page still shows but the server
    lost (the user is told once): the page keeps its messages, and new answers are numbered
    after them. Unchanged when nothing was lost."""
    shown = answers_shown(chat)
    if not was_dropped(shown, turns):
        return turns
    gr.Warning(SESSION_RESTARTED_SHORT.text(), duration=15)
    assert chat is not None  # shown > 0
    lost = []
    for number in range(len(turns), shown):
        question = _plain(chat[2 * number])
        stand_in = Entry(question, question_language(question), number, status="error")
        stand_in.message, stand_in.sources = _content(chat[2 * number + 1]), RESTARTED_HTML
        stand_in.streamed = SESSION_RESTARTED_SHORT.text()
        lost.append(stand_in)
    return turns + lost


def _content(message: Any) -> str:
    """A chatbot message's HTML, as Gradio hands it back (a string or a list of text parts)."""
    content = message.get("content", "") if isinstance(message, dict) else message
    if isinstance(content, list):
        content = "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in content
        )
    return str(content or "")


def _plain(message: Any) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", _content(message))).strip()
