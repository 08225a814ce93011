"""Answers and conversations as text: what "Copy" puts on the clipboard (plain text) and what
"Export" downloads (Markdown), each answer with its sources. Pure functions, no Gradio.

In the Markdown export every value that is not ours (the question, titles, outlets, dates, ids,
quoted sentences, an LLM's reply, a stopped answer's text) is escaped with
`service.markdown.markdown_line` (the API's escaping), so a renderer shows it as written and
nothing in an article or a reply becomes live.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from rag.messages import message, tier_badge, tier_meaning
from rag.schema import Answer, quote, sentence_lines
from service.markdown import markdown_line
from service.sources import ArticleMeta, meta_from_chunk
from ui.conversation import Entry
from ui.texts import text

_SOURCES = {"ar": "المصادر", "en": "Sources"}
Escape = Callable[[str], str]


def _plain(value: str) -> str:
    return value


def _source_line(meta: ArticleMeta, esc: Escape) -> str:
    """`Title — outlet · date · id` (the id once, never as both title and id)."""
    details = [esc(d) for d in (meta.outlet, meta.date) if d]
    if meta.title != meta.article_id:
        details.append(f"`{meta.article_id}`" if esc is _plain else f"id {esc(meta.article_id)}")
    title = esc(meta.title)
    return f"{title} — {' · '.join(details)}" if details else title


def answer_text(
    answer: Answer, metas: Mapping[str, ArticleMeta] | None = None, esc: Escape = _plain
) -> str:
    """The answer as text: its tier in the chat badge's and tooltip's words, the lead,
    `- sentence [n]` lines, further evidence, notices, then each cited source with the sentence
    it supports. `esc=markdown_line` makes it Markdown."""
    metas = metas or {}
    language = answer.language
    # The tier as the chat's badge and tooltip say it (ours), then the answer.
    meaning = tier_meaning(answer.tier, language, answer.confidence)
    lines = [f"_{tier_badge(answer.tier, language)}: {meaning}_", esc(answer.lead)]
    lines += sentence_lines(answer.sentences, esc)
    if answer.evidence:
        lines += ["", f"{message('more_evidence', language)}:"]
        lines += [sentence.line(esc) for sentence in answer.evidence]
    lines += [f"> {esc(notice)}" for notice in answer.notices]
    if answer.citations:
        lines += ["", f"{_SOURCES[language]}:"]
    for citation in sorted(answer.citations, key=lambda c: c.marker):
        chunk = citation.passage.chunk
        meta = metas.get(chunk.article_id) or meta_from_chunk(chunk)
        lines.append(f"[{citation.marker}] {_source_line(meta, esc)}")
        lines.append(f"    {esc(quote(citation.sentence.text))}")
    return "\n".join(lines)


def turn_markdown(turn: Entry) -> str:
    """What a turn's answer says: the answer, or what streamed before it stopped, or why not."""
    if turn.answer is not None:
        return answer_text(turn.answer, turn.metas, markdown_line)
    streamed = "  \n".join(markdown_line(line) for line in turn.streamed.splitlines())
    if turn.status == "stopped":
        partial = f"{streamed}\n\n" if streamed else ""
        return f"{partial}_{text('stopped', turn.language)}_"
    return f"_{streamed or text('error', turn.language)}_"


def conversation_markdown(turns: Sequence[Entry], now: datetime | None = None) -> str:
    """The whole conversation as a Markdown document, each answer with its sources."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# Arabic news Q&A · أسئلة وأجوبة الأخبار العربية\n\nExported {when}\n"]
    for turn in turns:
        if turn.status == "answering":
            continue
        question = markdown_line(" ".join(turn.question.split()))
        parts.append(f"## {turn.number + 1}. {question}\n\n{turn_markdown(turn)}\n")
    return "\n".join(parts)
