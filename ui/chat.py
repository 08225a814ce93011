"""The chat's event handlers: ask (the answer shown as it is produced), stop, regenerate, show
an answer's sources, clear, and keep the index status current.

The conversation is a list of `Entry`s in the browser session's state; the chat's messages, the
answer selector and the export are made from it. Rating, the article view and the export file
are `ui.reading`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import gradio as gr

from embeddings.index.milvus.engine import EngineUnavailable
from rag.question.cleaning import QuestionError
from rag.question.language import question_language
from rag.schema import Answer, AnswerStream, Turn
from service.library import Library
from service.live import Service
from ui import sessions
from ui.conversation import Entry, chat_messages, choices, turn_at
from ui.export import answer_text
from ui.render.answer import (
    render_answer,
    render_generic_error,
    render_question_error,
    render_status,
    render_streaming,
    render_thinking,
)
from ui.render.html import error_notice_html
from ui.render.sources import no_sources_html, placeholder_sources_html, render_sources
from ui.texts import ENGINE_DOWN, text

logger = logging.getLogger(__name__)

# An answer that is produced all at once (the extractive one) is shown a line at a time, this
# many seconds apart, so a reader sees it arrive; slower streams (an LLM's) are not held back.
REVEAL_SECONDS = 0.15
# The outputs every answering handler updates, in this order (`layout` wires them).
ANSWER_OUTPUTS = ("chatbot", "question", "turns", "history", "panel", "picker", "send", "stop")
ANSWER_OUTPUTS += ("export",)


def paced(deltas: Iterable[str], seconds: float = REVEAL_SECONDS) -> Iterator[str]:
    """The text so far after each delta; a delta that starts a new line is shown no sooner
    than `seconds` after the line before it was."""
    streamed, lines, shown = "", 0, None
    for delta in deltas:
        streamed += delta
        if streamed.count("\n") > lines:
            lines = streamed.count("\n")
            if shown is not None:
                time.sleep(max(0.0, shown + seconds - time.monotonic()))
            shown = time.monotonic()
        elif shown is None:
            shown = time.monotonic()
        yield streamed


def status_html(service: Service) -> str:
    """The index's status line, and a notice while its engine is not answering."""
    down = error_notice_html(ENGINE_DOWN) if service.health() else ""
    return render_status(service.manifest()) + down


class Chat:
    """The answering handlers over one live Service; `layout` wires them to the components."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.library = Library(service)
        self.llm_ready = service.settings.llm.configured

    def index_status(self) -> str:
        return status_html(self.service)

    @staticmethod
    def can_ask(question: str | None) -> Any:
        return gr.Button(interactive=bool((question or "").strip()))

    def _view(
        self, turns: list[Entry], history: list[Turn], *, busy: bool, clear_box: bool = False
    ) -> tuple:
        """Every answering output (`ANSWER_OUTPUTS`) for the conversation as it stands."""
        last = turns[-1] if turns else None
        finished = [t for t in turns if t.status != "answering"]
        return (
            chat_messages(turns),
            "" if clear_box else gr.skip(),
            turns,
            history,
            last.sources if last else placeholder_sources_html(),
            gr.Dropdown(choices=choices(turns), value=str(last.number) if last else None),
            gr.Button(visible=not busy),
            gr.Button(visible=busy),
            gr.Button(interactive=bool(finished)),
        )

    def _streamed(self, turns: list[Entry]) -> tuple:
        skip = gr.skip()
        return (chat_messages(turns), skip, turns, skip, skip, skip, skip, skip, skip)

    def respond(
        self,
        question: str | None,
        chat: list | None,
        turns: list[Entry] | None,
        history: list[Turn] | None,
        k: float,
        mode: str,
    ) -> Iterator[tuple]:
        """Ask: echo the question, show its answer as it is produced, then its sources. A page
        whose session the server dropped (`ui.sessions`) is told so, and keeps what it shows."""
        turns = sessions.restored_turns(chat, list(turns or []))
        yield from self._ask(question or "", turns, list(history or []), k, mode, True)

    def regenerate(
        self, turns: list[Entry] | None, history: list[Turn] | None, k: float, mode: str
    ) -> Iterator[tuple]:
        """Answer the last question again (with the current settings), in its place."""
        turns, history = list(turns or []), list(history or [])
        if not turns or turns[-1].status == "answering":
            yield tuple(gr.skip() for _ in ANSWER_OUTPUTS)
            return
        last = turns.pop()
        if last.status == "done" and history and history[-1].question == last.question:
            history.pop()
        yield from self._ask(last.question, turns, history, k, mode, False)

    def _ask(
        self,
        question: str,
        turns: list[Entry],
        history: list[Turn],
        k: float,
        mode: str,
        clear_box: bool,
    ) -> Iterator[tuple]:
        if not question.strip():  # the Ask button is disabled; Enter does nothing either
            yield tuple(gr.skip() for _ in ANSWER_OUTPUTS)
            return
        turn = Entry(question, question_language(question), len(turns))
        turn.message, turn.sources = render_thinking(turn.language), placeholder_sources_html()
        turns.append(turn)
        yield self._view(turns, history, busy=True, clear_box=clear_box)
        for _ in self._answer(turn, history, k, mode):
            yield self._streamed(turns)
        yield self._view(turns, history, busy=False)

    def _answer(self, turn: Entry, history: list[Turn], k: float, mode: str) -> Iterator[None]:
        """Fill in `turn` as its answer is produced, yielding after each visible change. Once
        the reader stops it (`turn.status` is no longer "answering") it is left alone."""
        try:
            mode = mode if (mode == "llm" and self.llm_ready) else "extractive"
            stream = self.service.pipeline.stream(turn.question, history, k=int(k), mode=mode)
            relayed = AnswerStream(stream)
            for streamed in paced(relayed):
                if turn.status != "answering":
                    return
                turn.streamed = streamed
                turn.message = render_streaming(streamed, turn.language, turn.number)
                yield
            if turn.status == "answering":
                self._finish(turn, relayed.answer)
                history.append(relayed.answer.turn)
        except QuestionError as error:
            turn.status, turn.streamed = "error", str(error)
            turn.message, turn.sources = (
                render_question_error(error),
                no_sources_html(error.language),
            )
        except EngineUnavailable as error:
            logger.warning("answering %r failed: %s", turn.question[:200], error)
            turn.status, turn.streamed = "error", ENGINE_DOWN.text()
            turn.message, turn.sources = error_notice_html(ENGINE_DOWN), no_sources_html("en")
        except Exception:
            logger.exception("answering %r failed", turn.question[:200])
            turn.status, turn.streamed = "error", text("error", turn.language)
            turn.message, turn.sources = render_generic_error(), no_sources_html(turn.language)

    def _finish(self, turn: Entry, answer: Answer) -> None:
        # The session keeps what it shows, not every retrieved passage and ranking.
        answer = replace(answer, passages=[], rankings={})
        turn.metas = self.library.metas(c.passage.chunk.article_id for c in answer.citations)
        turn.answer, turn.status = answer, "done"
        turn.message = render_answer(answer, turn.number, answer_text(answer, turn.metas))
        turn.sources = render_sources(answer, turn.number, turn.metas)

    def stop(self, turns: list[Entry] | None, history: list[Turn] | None) -> tuple:
        """Stop the answer being produced: what was shown stays, marked as stopped."""
        turns = list(turns or [])
        last = turns[-1] if turns else None
        if last is not None and last.status == "answering":
            last.status = "stopped"
            last.message = render_streaming(last.streamed, last.language, last.number, True)
            last.sources = no_sources_html(last.language)
        return self._view(turns, list(history or []), busy=False)

    def clear(self) -> tuple:
        return self._view([], [], busy=False, clear_box=True)

    def show_turn(self, value: Any, turns: Sequence[Entry] | None) -> str:
        turn = turn_at(value, turns or [])
        if turn is None and sessions.is_lost(value, turns):
            return sessions.RESTARTED_HTML
        return placeholder_sources_html() if turn is None else turn.sources

    def select_message(self, turns: Sequence[Entry] | None, event: gr.SelectData) -> tuple:
        """A click on a message shows the sources of its turn."""
        position = event.index[0] if isinstance(event.index, list | tuple) else event.index
        try:
            turn = turn_at(int(position) // 2, turns or [])  # a user message, then an answer
        except (TypeError, ValueError):
            return gr.skip(), gr.skip()
        if turn is None:
            lost = sessions.is_lost(int(position) // 2, turns)
            return gr.skip(), (sessions.RESTARTED_HTML if lost else gr.skip())
        return gr.Dropdown(value=str(turn.number)), turn.sources
