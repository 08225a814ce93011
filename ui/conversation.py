"""The conversation as the chat keeps it in the browser session: one `Entry` per question, from
which the chat's messages, the answer selector's labels and the exports are made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from uuid import uuid4

from rag.question.language import Language
from rag.schema import Answer
from service.sources import ArticleMeta
from ui.render.answer import render_user

# Short enough that a label fits the selector in the phone's drawer: an input that overflows
# hides the start of an Arabic question, not its end.
LABEL_CHARS = 32
# Bidi controls in a question must not reorder the selector's own "#n ·" around it.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"

Status = Literal["answering", "done", "stopped", "error"]


def turn_label(turn: int, question: str) -> str:
    """`#n · question`, shortened at a word. The question is a first-strong isolate, so an
    Arabic one runs right to left with its ellipsis at its end, on the left."""
    words = " ".join((question or "").translate(_BIDI_CONTROLS).split()) or "—"
    if len(words) > LABEL_CHARS:
        cut = words[:LABEL_CHARS].rsplit(" ", 1)[0] or words[:LABEL_CHARS]
        words = f"{cut}…"
    return f"#{turn + 1} · {FIRST_STRONG_ISOLATE}{words}{POP_ISOLATE}"


@dataclass
class Entry:
    """One question and what the chat shows for it."""

    question: str
    language: Language
    number: int
    id: str = field(default_factory=lambda: uuid4().hex)
    status: Status = "answering"
    streamed: str = ""  # the answer's text so far (or why there is none: status "error")
    answer: Answer | None = None
    metas: dict[str, ArticleMeta] = field(default_factory=dict)  # of the cited articles
    message: str = ""  # the answer's HTML in the chat
    sources: str = ""  # its sources panel

    @property
    def label(self) -> str:
        return turn_label(self.number, self.question)


def chat_messages(turns: Sequence[Entry]) -> list[dict[str, str]]:
    """The chatbot's value: each turn is the user's message, then the answer's."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": render_user(turn.question)})
        messages.append({"role": "assistant", "content": turn.message})
    return messages


def choices(turns: Sequence[Entry]) -> list[tuple[str, str]]:
    """The answer selector's options, newest answer last."""
    return [(turn.label, str(index)) for index, turn in enumerate(turns)]


def turn_at(value: object, turns: Sequence[Entry]) -> Entry | None:
    """The turn a selector value (its index as text) names, if any."""
    try:
        index = int(str(value))
    except ValueError:
        return None
    return turns[index] if 0 <= index < len(turns) else None
