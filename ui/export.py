"""Answers and conversations as text: what "Copy" puts on the clipboard and what "Export"
downloads (Markdown), each answer with its sources. Pure functions, no Gradio."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from rag.messages import message, tier_badge, tier_meaning
from rag.schema import Answer, quote
from service.sources import ArticleMeta, meta_from_chunk
from ui.conversation import Entry
from ui.texts import text

_SOURCES = {"ar": "المصادر", "en": "Sources"}


def source_line(meta: ArticleMeta) -> str:
    """`Title — outlet · date · id` (the id once, never as both title and id)."""
    details = [d for d in (meta.outlet, meta.date) if d]
    if meta.title != meta.article_id:
        details.append(f"`{meta.article_id}`")
    return f"{meta.title} — {' · '.join(details)}" if details else meta.title


def answer_text(answer: Answer, metas: Mapping[str, ArticleMeta] | None = None) -> str:
    """The answer as Markdown text: its tier in the chat badge's and tooltip's words, the lead,
    `- sentence [n]` lines, further evidence, notices, then each cited source with the sentence
    it supports."""
    metas = metas or {}
    language = answer.language
    # The tier as the chat's badge and tooltip say it, then the answer.
    meaning = tier_meaning(answer.tier, language, answer.confidence)
    lines = [f"_{tier_badge(answer.tier, language)}: {meaning}_", answer.text]
    if answer.evidence:
        lines += ["", f"{message('more_evidence', language)}:"]
        lines += [sentence.line for sentence in answer.evidence]
    lines += [f"> {notice}" for notice in answer.notices]
    if answer.citations:
        lines += ["", f"{_SOURCES[language]}:"]
    for citation in sorted(answer.citations, key=lambda c: c.marker):
        chunk = citation.passage.chunk
        meta = metas.get(chunk.article_id) or meta_from_chunk(chunk)
        lines.append(f"[{citation.marker}] {source_line(meta)}")
        lines.append(f"    {quote(citation.sentence.text)}")
    return "\n".join(lines)


def turn_text(turn: Entry) -> str:
    """What a turn's answer says: the answer, or what streamed before it stopped, or why not."""
    if turn.answer is not None:
        return answer_text(turn.answer, turn.metas)
    if turn.status == "stopped":
        partial = f"{turn.streamed}\n\n" if turn.streamed else ""
        return f"{partial}_{text('stopped', turn.language)}_"
    return f"_{turn.streamed or text('error', turn.language)}_"


def conversation_markdown(turns: Sequence[Entry], now: datetime | None = None) -> str:
    """The whole conversation as a Markdown document, each answer with its sources."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# Arabic news Q&A · أسئلة وأجوبة الأخبار العربية\n\nExported {when}\n"]
    for turn in turns:
        if turn.status == "answering":
            continue
        question = " ".join(turn.question.split())
        parts.append(f"## {turn.number + 1}. {question}\n\n{turn_text(turn)}\n")
    return "\n".join(parts)
