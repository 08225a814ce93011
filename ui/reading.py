"""What a reader does with an answer after it is given: open a cited article at the sentence,
rate the answer (thumbs and an optional comment, kept by `service.feedback`), and download the
conversation (`ui.export`)."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from service.feedback import FeedbackStore, Rating, answer_record
from service.library import Library
from service.notices.storage import not_stored
from service.sources import Highlight, source_cards
from ui.conversation import Entry, turn_at
from ui.export import conversation_markdown
from ui.page import Page
from ui.render.html import notice_html
from ui.render.sources import article_missing_html, render_article

logger = logging.getLogger(__name__)
EXPORT_DIR = Path(tempfile.gettempdir()) / "arabic-news-rag-exports"


def export_file(turns: Sequence[Entry]) -> str:
    """The conversation as a Markdown file, one per conversation, rewritten as it grows."""
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = EXPORT_DIR / f"conversation-{turns[0].id}.md"
    staged = path.with_suffix(f".{os.getpid()}.tmp")
    staged.write_text(conversation_markdown(turns), encoding="utf-8")
    os.replace(staged, path)
    return str(path)


def _rating(liked: Any) -> Rating:
    return "up" if liked is True else "down" if liked is False else "none"


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _not_saved(error: OSError) -> None:
    """Tell the reader their feedback was not stored (a toast that stays), and the log why."""
    logger.warning("feedback not saved: %s", error)
    notice = notice_html(not_stored(error, "feedback"))
    gr.Warning(notice, duration=None, title="Not saved · لم يُحفظ")


@dataclass(frozen=True)
class ArticleRequest:
    """What a source card's "Open the article" button sends (assets/sources_panel.js)."""

    article_id: str
    turn: int | None
    marker: int | None

    @classmethod
    def of(cls, event: gr.EventData) -> ArticleRequest:
        """Read from the event's public fields; a missing or malformed one is None."""
        return cls(
            str(getattr(event, "article_id", "") or ""),
            _int(getattr(event, "turn", None)),
            _int(getattr(event, "marker", None)),
        )


class Reading:
    def __init__(self, library: Library, feedback: FeedbackStore, page: Page) -> None:
        self.library = library
        self.feedback = feedback
        self.comment_box = page.comment
        self.rated = page.rated

    def open_article(self, turns: Sequence[Entry] | None, event: gr.EventData) -> str:
        """The article a source card's button names, scrolled to the sentence of its marker,
        with every sentence the answer cites in it highlighted."""
        request = ArticleRequest.of(event)
        found = self.library.article(request.article_id)
        if found is None:
            return article_missing_html()
        meta, excerpts = found
        turn = turn_at(request.turn, turns or [])
        highlights: list[Highlight] = []
        if turn is not None and turn.answer is not None:
            cards = [c for c in source_cards(turn.answer) if c.article_id == request.article_id]
            highlights = cards[0].highlights if cards else []
        number = turn.number if turn is not None else 0
        return render_article(meta, excerpts, highlights, number, request.marker)

    def rate(self, turns: Sequence[Entry] | None, event: gr.LikeData) -> dict[Any, Any]:
        """A thumb on an answer is stored at once; the comment box opens for an optional word."""
        position = _int(event.index[0] if isinstance(event.index, list | tuple) else event.index)
        # Every turn is a user message, then an answer.
        turn = turn_at(position // 2, turns or []) if position is not None else None
        if turn is None or turn.answer is None:
            return {}
        rating = _rating(event.liked)
        try:
            self.feedback.rate(turn.id, rating, answer_record(turn.question, turn.answer))
        except OSError as error:
            _not_saved(error)
            return {self.comment_box.group: gr.Group(visible=False), self.rated: None}
        label = f"Comment on answer #{turn.number + 1} (optional) · تعليق على الإجابة (اختياري)"
        return {
            self.comment_box.group: gr.Group(visible=rating != "none"),
            self.comment_box.box: gr.Textbox(value="", label=label),
            self.rated: turn.id,
        }

    @staticmethod
    def export(turns: Sequence[Entry] | None) -> Any:
        """The conversation's Markdown file, for the hidden download button to fetch."""
        finished = [t for t in turns or [] if t.status != "answering"]
        return export_file(finished) if finished else gr.skip()

    def comment(self, comment: str | None, answer_id: str | None) -> dict[Any, Any]:
        if answer_id and (comment or "").strip():
            try:
                self.feedback.comment(answer_id, comment or "")
                gr.Info("Thank you for your feedback · شكراً على ملاحظتك")
            except OSError as error:
                _not_saved(error)
        return {
            self.comment_box.group: gr.Group(visible=False),
            self.comment_box.box: gr.Textbox(value=""),
            self.rated: None,
        }
