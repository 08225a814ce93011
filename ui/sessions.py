"""A browser session the server let go of, and how its page recovers.

Gradio keeps the state of `Settings.session_capacity` sessions and drops the least recently used
one beyond that (gradio/state_holder.py moves a session to the end on every request). The page
of a dropped session still shows its chat, but the server's turns (each answer's sources) and
history are gone. The chat handlers notice it from their own inputs (answers on the page, fewer
turns on the server) and say so in both languages: in the sources panel when the page asks for
a lost answer's sources, and in a toast at its next question, which carries on with placeholder
turns for the answers still shown, so new answers are numbered after them.
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


def restored_turns(chat: Sequence[Any] | None, turns: list[dict]) -> list[dict]:
    """`turns`, padded with one placeholder per answer the page shows but the server lost (the
    user is told once); unchanged when nothing was lost."""
    shown = answers_shown(chat)
    if not was_dropped(shown, turns):
        return turns
    gr.Warning(messages.SESSION_RESTARTED_SHORT.text(), duration=15)
    lost = [
        {"label": f"#{number + 1} · —", "html": RESTARTED_HTML}
        for number in range(len(turns), shown)
    ]
    return turns + lost
