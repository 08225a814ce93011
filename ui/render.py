"""HTML for the chat: answers, streaming text, sources, status, notices, the user's echo, errors.

Pure functions from answers to HTML, with no Gradio in them. Every text from the corpus or the
user is escaped; the markup around it is ours.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from corpus import Span
from embeddings.store import Manifest
from rag.grounding.citations import parse_markers, strip_markers
from rag.question.cleaning import QuestionError
from rag.question.language import Language, detect_language
from rag.schema import Answer

GENERIC_ERROR = {
    "en": "Sorry, something went wrong while answering. Please try again.",
    "ar": "عذراً، حدث خطأ أثناء الإجابة. حاول مرة أخرى من فضلك.",
}
THINKING = {"ar": "جارٍ البحث في المقالات…", "en": "Searching the articles…"}
# A pasted 10,000-character question is answered (with the "too long" message) but not echoed.
MAX_ECHO_CHARS = 600

_LANG_ATTRS: dict[Language, str] = {"ar": 'dir="rtl" lang="ar"', "en": 'dir="ltr" lang="en"'}


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _lang_attrs(language: Language) -> str:
    return _LANG_ATTRS[language]


def _wrap_message(inner_html: str, language: Language, extra_class: str = "") -> str:
    """One chat message: a block in the message's language and direction.

    No newlines: the chatbot renders Markdown, and an HTML block ends at a blank line.
    """
    classes = f"msg msg-{language}" + (f" {extra_class}" if extra_class else "")
    return f'<div {_lang_attrs(language)} class="{classes}">{inner_html}</div>'


def _text_html(text: str) -> str:
    return "<br>".join(esc(line) for line in text.split("\n"))


def _cite_link(turn: int, marker: int) -> str:
    return (
        f'<a href="#src-{turn}-{marker}" class="cite" data-turn="{turn}" '
        f'data-marker="{marker}">[{marker}]</a>'
    )


def render_user(question: str) -> str:
    text = (question or "").strip()
    if not text:
        return _wrap_message('<span class="muted">(سؤال فارغ · empty question)</span>', "ar")
    if len(text) > MAX_ECHO_CHARS:
        text = text[:MAX_ECHO_CHARS] + f" … (+{len(question) - MAX_ECHO_CHARS})"
    return _wrap_message(_text_html(text), detect_language(text))


def render_thinking(language: Language) -> str:
    """The answer's place in the chat until its first words stream in."""
    return _wrap_message(esc(THINKING[language]), language)


def _linked(text: str, turn: int) -> str:
    """`text` escaped, with every citation marker (the grammar of `rag.grounding.citations`:
    `[1]`, `[1, 3]`, `[١]`, ...) turned into links to its sources."""
    parts, position = [], 0
    for marker in parse_markers(text):
        parts.append(esc(text[position : marker.start]))
        parts.append("".join(_cite_link(turn, number) for number in marker.numbers))
        position = marker.end
    parts.append(esc(text[position:]))
    return "".join(parts)


def render_streaming(text: str, language: Language, turn: int) -> str:
    """The answer as it streams in: a lead line, then `- sentence [n]` lines (or an LLM's
    text), with markers linked as they appear."""
    lines = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        body = line.removeprefix("- ")
        direction = _lang_attrs(detect_language(strip_markers(body)))
        lines.append(f'<p class="stream-line" {direction}>{_linked(body, turn)}</p>')
    return _wrap_message("".join(lines), language, "streaming")


def _render_notices(notices: Sequence[str]) -> str:
    return "".join(
        f'<p class="notice" {_lang_attrs(detect_language(notice))}>'
        f'<span aria-hidden="true">⚠</span> {esc(notice)}</p>'
        for notice in notices
    )


def render_answer(answer: Answer, turn: int) -> str:
    """The final answer: lead, cited sentences with marker links, notices; or a refusal."""
    if answer.refused:
        inner = (
            '<p class="refusal-text" role="note"><span class="refusal-icon" aria-hidden="true">'
            f"⊘</span> {esc(answer.lead)}</p>{_render_notices(answer.notices)}"
        )
        return _wrap_message(inner, answer.language, "refusal")
    items = []
    for sentence in answer.sentences:
        classes = "sentence" if sentence.supported else "sentence unsupported"
        title = "" if sentence.supported else ' title="not supported by the cited passage"'
        cites = "".join(_cite_link(turn, marker) for marker in sentence.markers)
        items.append(
            f'<li {_lang_attrs(detect_language(sentence.text))} class="{classes}"{title}>'
            f'<span class="sentence-text">{_text_html(sentence.text)}</span> {cites}</li>'
        )
    sentences = f'<ul class="answer-sentences">{"".join(items)}</ul>' if items else ""
    inner = f'<p class="lead">{_text_html(answer.lead)}</p>{sentences}'
    return _wrap_message(inner + _render_notices(answer.notices), answer.language, "answer")


def render_question_error(error: QuestionError) -> str:
    return _wrap_message(
        f'<p class="input-error" role="alert">{_text_html(str(error))}</p>',
        error.language,
        "question-error",
    )


def render_generic_error() -> str:
    return (
        f'<div class="msg-error">{_wrap_message(esc(GENERIC_ERROR["ar"]), "ar", "error")}'
        f"{_wrap_message(esc(GENERIC_ERROR['en']), 'en', 'error')}</div>"
    )


def highlight_parts(text: str, span: Span) -> tuple[str, str, str]:
    """`text` split around the supporting sentence: (before, sentence, after).

    Offsets are trusted only when they point at the sentence's text; otherwise the sentence is
    searched for, and if it is not in the passage nothing is highlighted.
    """
    start, end = max(0, span.start), min(len(text), span.end)
    if start < end and (not span.text or text[start:end] == span.text):
        return text[:start], text[start:end], text[end:]
    if span.text:
        found = text.find(span.text)
        if found >= 0:
            end = found + len(span.text)
            return text[:found], text[found:end], text[end:]
    return text, "", ""


def no_sources_html(language: Language = "ar") -> str:
    label = (
        "لا مصادر لهذه الإجابة · No sources for this answer"
        if language == "ar"
        else "No sources for this answer · لا مصادر لهذه الإجابة"
    )
    return f'<div class="no-sources" dir="auto"><p>{label}</p></div>'


def placeholder_sources_html() -> str:
    return (
        '<div class="sources-placeholder"><p dir="rtl" lang="ar">اطرح سؤالاً لتظهر مصادر '
        'الإجابة هنا.</p><p dir="ltr" lang="en">Ask a question to see the sources of its '
        "answer here.</p></div>"
    )


def render_sources(answer: Answer, turn: int) -> str:
    """The sources panel for one answer: each citation with its passage and highlighted sentence."""
    if answer.refused or not answer.citations:
        return no_sources_html(answer.language)
    heading = (
        f'<div class="sources-head"><span lang="en">Sources for answer #{turn + 1}</span>'
        f' · <span lang="ar" dir="rtl">مصادر الإجابة رقم {turn + 1}</span></div>'
    )
    cards = []
    for citation in sorted(answer.citations, key=lambda c: c.marker):
        chunk = citation.passage.chunk
        before, sentence, after = highlight_parts(chunk.text, citation.sentence)
        marked = f"<mark>{esc(sentence)}</mark>" if sentence else ""
        title = chunk.title or chunk.article_id
        cards.append(
            f'<section class="source" id="src-{turn}-{citation.marker}" '
            f'data-marker="{citation.marker}">'
            f'<header class="source-head" {_lang_attrs(detect_language(title))}>'
            f'<span class="marker">[{citation.marker}]</span> '
            f'<span class="source-title">{esc(title)}</span></header>'
            f'<div class="source-meta"><code class="article-id">{esc(chunk.article_id)}</code>'
            f' · <span class="support">support {citation.support:.2f}</span></div>'
            f'<div class="passage" {_lang_attrs(detect_language(chunk.text))}>'
            f"{esc(before)}{marked}{esc(after)}</div></section>"
        )
    return heading + "".join(cards)


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def render_status(manifest: Manifest | None, now: float | None = None) -> str:
    if manifest is None:
        return '<div class="status-line">No index loaded · لا يوجد فهرس</div>'
    now = time.time() if now is None else now
    built = datetime.fromtimestamp(manifest.created, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    chunks = manifest.chunks or sum(record.chunks for record in manifest.articles.values())
    items = [
        ("Articles", "المقالات", f"{len(manifest.articles):,}"),
        ("Chunks", "المقاطع", f"{chunks:,}"),
        ("Model", "النموذج", esc(manifest.model_id)),
        ("Built", "أُنشئ", f"{built} ({_age(now - manifest.created)})"),
    ]
    cells = "".join(
        f'<div class="status-item"><span class="status-label">{en} · '
        f'<span lang="ar">{ar}</span></span><span class="status-value" dir="ltr">{value}</span>'
        "</div>"
        for en, ar, value in items
    )
    return f'<div class="status-grid">{cells}</div>'
