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
from typing import Any, NamedTuple

import gradio as gr

from embeddings.index.milvus.engine import EngineUnavailable
from rag.question.cleaning import QuestionError
from rag.question.language import question_language
from rag.schema import Answer, AnswerStream, Turn
from service.filters import FilterError, request_filter
from service.library import Library
from service.live import Service
from ui import sessions
from ui.conversation import Entry, chat_messages, choices, turn_at
from ui.export import answer_text
from ui.page import Page
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


class Within(NamedTuple):
    """The filter control's values as the page sends them."""

    date_from: str | None
    date_to: str | None
    outlets: tuple[str, ...]


# An answer that is produced all at once (the extractive one) is shown a line at a time, this
# many seconds apart, so a reader sees it arrive; slower streams (an LLM's) are not held back.
REVEAL_SECONDS = 0.15
# What a handler returns: the new value (or update) of each component it changes.
Updates = dict[Any, Any]


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
    """The answering handlers over one live Service and the page's components (`ui.wiring`
    wires them); each returns the components it updates, keyed by component."""

    def __init__(self, service: Service, page: Page) -> None:
        self.service = service
        self.page = page
        self.library = Library(service)
        self.llm_ready = service.settings.llm.configured

    def index_status(self) -> str:
        return status_html(self.service)

    @staticmethod
    def set_filter(date_from: str | None, date_to: str | None, outlets: list[str] | None) -> Within:
        """The filter control's values, kept in the session for the next question."""
        return Within(date_from, date_to, tuple(outlets or ()))

    @staticmethod
    def can_ask(question: str | None) -> Any:
        return gr.Button(interactive=bool((question or "").strip()))

    def _view(
        self, turns: list[Entry], history: list[Turn], *, busy: bool, clear_box: bool = False
    ) -> Updates:
        """Every answering output (`Page.answer_outputs`) for the conversation as it stands."""
        page, c = self.page, self.page.conversation
        last = turns[-1] if turns else None
        finished = [t for t in turns if t.status != "answering"]
        view: Updates = {
            c.chatbot: chat_messages(turns),
            page.turns: turns,
            page.history: history,
            page.sources.panel: last.sources if last else placeholder_sources_html(),
            page.sources.picker: gr.Dropdown(
                choices=choices(turns), value=str(last.number) if last else None
            ),
            c.send: gr.Button(visible=not busy),
            c.stop: gr.Button(visible=busy),
            c.export: gr.Button(interactive=bool(finished)),
        }
        if clear_box:
            view[c.question] = ""
        return view

    def _streamed(self, turns: list[Entry]) -> Updates:
        return {self.page.conversation.chatbot: chat_messages(turns), self.page.turns: turns}

    def respond(
        self,
        question: str | None,
        chat: list | None,
        turns: list[Entry] | None,
        history: list[Turn] | None,
        k: float,
        mode: str,
        within: Within | None = None,
    ) -> Iterator[Updates]:
        """Ask: echo the question, show its answer as it is produced, then its sources. A page
        whose session the server dropped (`ui.sessions`) is told so, and keeps what it shows.
        `within` is the filter control's values (a session state, so the callable "/chat"
        takes the same inputs as before)."""
        turns = sessions.restored_turns(chat, list(turns or []))
        within = within or Within(None, None, ())
        yield from self._ask(question or "", turns, list(history or []), k, mode, True, within)

    def regenerate(
        self,
        turns: list[Entry] | None,
        history: list[Turn] | None,
        k: float,
        mode: str,
        within: Within | None = None,
    ) -> Iterator[Updates]:
        """Answer the last question again (with the current settings), in its place."""
        turns, history = list(turns or []), list(history or [])
        if not turns or turns[-1].status == "answering":
            yield {}
            return
        last = turns.pop()
        if last.status == "done" and history and history[-1].question == last.question:
            history.pop()
        within = within or Within(None, None, ())
        yield from self._ask(last.question, turns, history, k, mode, False, within)

    def _ask(
        self,
        question: str,
        turns: list[Entry],
        history: list[Turn],
        k: float,
        mode: str,
        clear_box: bool,
        within: Within,
    ) -> Iterator[Updates]:
        if not question.strip():  # the Ask button is disabled; Enter does nothing either
            yield {}
            return
        turn = Entry(question, question_language(question), len(turns))
        turn.message, turn.sources = render_thinking(turn.language), placeholder_sources_html()
        turns.append(turn)
        yield self._view(turns, history, busy=True, clear_box=clear_box)
        for _ in self._answer(turn, history, k, mode, within):
            yield self._streamed(turns)
        yield self._view(turns, history, busy=False)

    def _answer(
        self, turn: Entry, history: list[Turn], k: float, mode: str, within: Within
    ) -> Iterator[None]:
        """Fill in `turn` as its answer is produced, yielding after each visible change. Once
        the reader stops it (`turn.status` is no longer "answering") it is left alone."""
        try:
            mode = mode if (mode == "llm" and self.llm_ready) else "extractive"
            filters = request_filter(*within, language=turn.language)
            stream = self.service.pipeline.stream(
                turn.question, history, k=int(k), mode=mode, filters=filters
            )
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
        except (QuestionError, FilterError) as error:
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

    def stop(self, turns: list[Entry] | None, history: list[Turn] | None) -> Updates:
        """Stop the answer being produced: what was shown stays, marked as stopped."""
        turns = list(turns or [])
        last = turns[-1] if turns else None
        if last is not None and last.status == "answering":
            last.status = "stopped"
            last.message = render_streaming(last.streamed, last.language, last.number, True)
            last.sources = no_sources_html(last.language)
        return self._view(turns, list(history or []), busy=False)

    def clear(self) -> Updates:
        return self._view([], [], busy=False, clear_box=True)

    def show_turn(self, value: Any, turns: Sequence[Entry] | None) -> str:
        turn = turn_at(value, turns or [])
        if turn is None and sessions.is_lost(value, turns):
            return sessions.RESTARTED_HTML
        return placeholder_sources_html() if turn is None else turn.sources

    def select_message(self, turns: Sequence[Entry] | None, event: gr.SelectData) -> Updates:
        """A click on a message shows the sources of its turn."""
        sources = self.page.sources
        position = event.index[0] if isinstance(event.index, list | tuple) else event.index
        try:
            turn = turn_at(int(position) // 2, turns or [])  # a user message, then an answer
        except (TypeError, ValueError):
            return {}
        if turn is None:
            lost = sessions.is_lost(int(position) // 2, turns)
            return {sources.panel: sessions.RESTARTED_HTML} if lost else {}
        return {sources.picker: gr.Dropdown(value=str(turn.number)), sources.panel: turn.sources}
