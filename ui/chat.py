"""The chat's event handlers: answer a question, show an answer's sources, clear.

Each answer is a turn: its label in the sources dropdown and its sources panel, kept in the
browser session's state beside the chat, so every answer keeps its own sources.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, TypedDict

import gradio as gr

from rag.question.cleaning import QuestionError
from rag.question.language import Language, detect_language
from rag.schema import AnswerStream
from ui import sessions
from ui.render import (
    no_sources_html,
    placeholder_sources_html,
    render_answer,
    render_generic_error,
    render_question_error,
    render_sources,
    render_status,
    render_streaming,
    render_thinking,
    render_user,
)
from ui.service import Service

logger = logging.getLogger(__name__)


class Turn(TypedDict):
    label: str
    html: str


def _turn_label(turn: int, question: str) -> str:
    text = " ".join((question or "").split()) or "—"
    return f"#{turn + 1} · {text[:48]}{'…' if len(text) > 48 else ''}"


def _choices(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    return [(turn["label"], str(index)) for index, turn in enumerate(turns)]


def _selected_turn(value: Any, turns: Sequence[Turn]) -> int | None:
    try:
        index = int(value)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < len(turns) else None


class Chat:
    """The handlers over one live Service; `layout` wires them to the components."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.llm_ready = service.settings.llm_configured

    def index_status(self) -> str:
        return render_status(self.service.manifest())

    def respond(
        self,
        question: str,
        chat: list[dict] | None,
        turns: list[Turn] | None,
        history: list[str] | None,
        k: float,
        mode: str,
    ) -> Iterator[tuple]:
        """Echo the question, then stream its answer and show its sources as a new turn."""
        chat = list(chat or [])
        turns = sessions.restored_turns(chat, list(turns or []))
        history = list(history or [])
        turn = len(turns)
        question = question or ""
        language = detect_language(question)
        chat += [
            {"role": "user", "content": render_user(question)},
            {"role": "assistant", "content": render_thinking(language)},
        ]
        turns.append({"label": _turn_label(turn, question), "html": no_sources_html(language)})

        def update(sources: str) -> tuple:
            turns[turn]["html"] = sources
            dropdown = gr.Dropdown(choices=_choices(turns), value=str(turn))
            return chat, "", turns, history, sources, dropdown

        yield update(placeholder_sources_html())
        for message, sources in self._replies(question, history, k, mode, language, turn):
            chat[-1] = {"role": "assistant", "content": message}
            yield update(sources)

    def _replies(
        self, question: str, history: list[str], k: float, mode: str, language: Language, turn: int
    ) -> Iterator[tuple[str, str]]:
        """(message, sources) as the answer streams in, ending with the answer or an error.

        A question answered without error joins `history`, for the follow-ups that lean on it.
        """
        try:
            mode = mode if (mode == "llm" and self.llm_ready) else "extractive"
            streamed = ""
            relayed = AnswerStream(
                self.service.pipeline.stream(question, history, k=int(k), mode=mode)
            )
            for delta in relayed:
                streamed += delta
                yield render_streaming(streamed, language, turn), placeholder_sources_html()
            history.append(question)
            yield render_answer(relayed.answer, turn), render_sources(relayed.answer, turn)
        except QuestionError as error:
            yield render_question_error(error), no_sources_html(error.language)
        except Exception:
            logger.exception("answering %r failed", question[:200])
            yield render_generic_error(), no_sources_html(language)

    def show_turn(self, value: Any, turns: list[Turn] | None) -> str:
        turns = turns or []
        index = _selected_turn(value, turns)
        if index is None and sessions.is_lost(value, turns):
            return sessions.RESTARTED_HTML
        return placeholder_sources_html() if index is None else turns[index]["html"]

    def select_message(self, turns: list[Turn] | None, event: gr.SelectData) -> tuple:
        turns = turns or []
        position = event.index[0] if isinstance(event.index, list | tuple) else event.index
        try:
            index = int(position) // 2  # every turn is a user message and an answer
        except (TypeError, ValueError):
            return gr.skip(), gr.skip()
        if sessions.is_lost(index, turns):
            return gr.skip(), sessions.RESTARTED_HTML
        if not 0 <= index < len(turns):
            return gr.skip(), gr.skip()
        return gr.Dropdown(value=str(index)), turns[index]["html"]

    def clear(self) -> tuple:
        return (
            [],
            "",
            [],
            [],
            placeholder_sources_html(),
            gr.Dropdown(choices=[], value=None),
        )
