"""A browser session the server let go of, and how its page recovers.

Gradio keeps the state of `Settings.session_capacity` sessions and drops the least recently used
one beyond that (gradio/state_holder.py moves a session to the end on every request). The page
of a dropped session still shows its chat, but the server's turns (each answer's sources) and
history are gone. The chat handlers notice it from their own inputs (answers on the page, fewer
turns on the server) and say so in both languages: in the sources panel when the page asks for
a lost answer's sources, and in a toast at its next question, which starts the conversation
again (the page's messages are made from the server's turns).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from ui import messages

RESTARTED_HTML = f'<div class="session-restarted">{messages.SESSION_RESTARTED.html()}</div>'


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


def warn_if_dropped(chat: Sequence[Any] | None, turns: Sequence[Any] | None) -> None:
    """Tell the user, once per question, that the server let go of this page's session: its
    earlier answers and their sources are gone, and the conversation starts again."""
    if was_dropped(answers_shown(chat), turns):
        gr.Warning(messages.SESSION_RESTARTED_SHORT.text(), duration=15)
