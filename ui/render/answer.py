"""HTML for the chat's messages: the user's echo, the answer as it streams in and as it ends
(its tier, confidence, cited sentences, further evidence and copy action), errors, and the index
status. The sources panel and the article view are `ui.render.sources`.

Pure functions from answers to HTML, with no Gradio in them. Every text from the corpus or the
user is escaped; the markup around it is ours. Every line carries its own direction (`dir`), so
an Arabic line reads right to left with its `[n]` marker at its end, inside English answers too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from embeddings.index.manifest import Manifest
from rag.grounding.citations import parse_markers, strip_markers
from rag.messages import message, tier_badge, tier_meaning
from rag.question.cleaning import QuestionError
from rag.question.language import Language, detect_language
from rag.schema import Answer, AnswerSentence
from service.filters import FilterError
from ui.render.html import esc, lang_attrs
from ui.texts import text

# A pasted 10,000-character question is answered (with the "too long" message) but not echoed.
MAX_ECHO_CHARS = 600


def _wrap_message(inner_html: str, language: Language, extra_class: str = "") -> str:
    """One chat message: a block in the message's language and direction.

    No newlines: the chatbot renders Markdown, and an HTML block ends at a blank line.
    """
    classes = f"msg msg-{language}" + (f" {extra_class}" if extra_class else "")
    return f'<div {lang_attrs(language)} class="{classes}">{inner_html}</div>'


def _text_html(value: str) -> str:
    return "<br>".join(esc(line) for line in value.split("\n"))


def _cite_link(turn: int, marker: int, anchored: set[int]) -> str:
    """A marker's link to its source; the first one of each marker is where sources link back."""
    anchor = "" if marker in anchored else f' id="cite-{turn}-{marker}"'
    anchored.add(marker)
    return f'<a href="#src-{turn}-{marker}" class="cite"{anchor}>[{marker}]</a>'


def render_user(question: str) -> str:
    value = (question or "").strip()
    if not value:
        return _wrap_message('<span class="muted">(سؤال فارغ · empty question)</span>', "ar")
    if len(value) > MAX_ECHO_CHARS:
        value = value[:MAX_ECHO_CHARS] + f" … (+{len(question) - MAX_ECHO_CHARS})"
    return _wrap_message(_text_html(value), detect_language(value))


def render_thinking(language: Language) -> str:
    """The answer's place in the chat until its first words stream in."""
    return _wrap_message(f'<p class="thinking">{esc(text("thinking", language))}</p>', language)


def _linked(value: str, turn: int, anchored: set[int]) -> str:
    """`value` escaped, with every citation marker (the grammar of `rag.grounding.citations`:
    `[1]`, `[1, 3]`, `[١]`, ...) turned into links to its sources."""
    parts, position = [], 0
    for marker in parse_markers(value):
        parts.append(esc(value[position : marker.start]))
        parts.append("".join(_cite_link(turn, number, anchored) for number in marker.numbers))
        position = marker.end
    parts.append(esc(value[position:]))
    return "".join(parts)


def render_streaming(value: str, language: Language, turn: int, stopped: bool = False) -> str:
    """The answer as it streams in: its lead, then each `- sentence [n]` line as a list item (or
    an LLM's lines), with markers linked as they appear. `stopped`: the reader stopped it."""
    blocks: list[str] = []
    items: list[str] = []
    anchored: set[int] = set()
    for line in value.split("\n"):
        if not line.strip():
            continue
        bullet = line.startswith("- ")
        body = line[2:] if bullet else line
        attrs = lang_attrs(detect_language(strip_markers(body)))
        if bullet:
            items.append(f'<li {attrs} class="sentence">{_linked(body, turn, anchored)}</li>')
            continue
        if items:
            blocks.append(f'<ul class="answer-sentences">{"".join(items)}</ul>')
            items = []
        kind = "stream-line" if blocks else "lead stream-line"
        blocks.append(f'<p class="{kind}" {attrs}>{_linked(body, turn, anchored)}</p>')
    if items:
        blocks.append(f'<ul class="answer-sentences">{"".join(items)}</ul>')
    if stopped:
        blocks.append(
            f'<p class="notice stopped" role="status">⏹ {esc(text("stopped", language))}</p>'
        )
    return _wrap_message("".join(blocks), language, "stopped" if stopped else "streaming")


def _render_notices(notices: Sequence[str]) -> str:
    return "".join(
        f'<p class="notice" {lang_attrs(detect_language(notice))}>'
        f'<span aria-hidden="true">⚠</span> {esc(notice)}</p>'
        for notice in notices
    )


def _answer_head(answer: Answer) -> str:
    """The tier's badge; its tooltip says what the tier means and the confidence it was decided
    on. Badge, tooltip and lead come from `rag.messages`, so they say one thing."""
    tip = tier_meaning(answer.tier, answer.language, answer.confidence)
    return (
        f'<div class="answer-head"><span class="tier-badge badge-{answer.tier}" '
        f'title="{esc(tip)}">{esc(tier_badge(answer.tier, answer.language))}</span></div>'
    )


def _with_highlight(sentence: AnswerSentence) -> str:
    """The sentence's text with the part that states the answer marked."""
    value, span = sentence.text, sentence.highlight
    if span is None or not 0 <= span[0] < span[1] <= len(value):
        return _text_html(value)
    start, end = span
    inside = _text_html(value[start:end])
    return f'{_text_html(value[:start])}<mark class="key">{inside}</mark>{_text_html(value[end:])}'


def _sentence_items(
    sentences: Sequence[AnswerSentence], turn: int, language: Language, anchored: set[int]
) -> str:
    """The cited sentences as a list; a broad answer's lines stand under their labels (a
    timeline's dates, the occasions of statements), one list per label."""
    groups: list[tuple[str, list[AnswerSentence]]] = []
    for sentence in sentences:
        if not groups or (sentence.label and sentence.label != groups[-1][0]):
            groups.append((sentence.label, []))
        groups[-1][1].append(sentence)
    html = ""
    for label, members in groups:
        if label:
            html += f'<p class="line-label" {lang_attrs(language)}>{_text_html(label)}</p>'
        html += _sentence_list(members, turn, language, anchored)
    return html


def _sentence_list(
    sentences: Sequence[AnswerSentence], turn: int, language: Language, anchored: set[int]
) -> str:
    items = []
    for sentence in sentences:
        classes = "sentence" if sentence.supported else "sentence unsupported"
        tip = "" if sentence.supported else f' title="{esc(text("unsupported_tip", language))}"'
        cites = "".join(_cite_link(turn, marker, anchored) for marker in sentence.markers)
        # A no-break space keeps the marker on the line of the sentence's last word.
        items.append(
            f'<li {lang_attrs(detect_language(sentence.text))} class="{classes}"{tip}>'
            f'<span class="sentence-text">{_with_highlight(sentence)}</span>\u00a0{cites}</li>'
        )
    return f'<ul class="answer-sentences">{"".join(items)}</ul>' if items else ""


def _actions(copy_text: str, language: Language) -> str:
    """The copy button and the text it copies (hidden; entities keep the message one line)."""
    if not copy_text:
        return ""
    source = esc(copy_text).replace("\n", "&#10;")
    return (
        f'<div class="msg-actions"><button type="button" class="act act-copy" '
        f'title="{esc(text("copy_tip", language))}">{esc(text("copy", language))}</button>'
        f'</div><div class="copy-src" hidden>{source}</div>'
    )


def render_answer(answer: Answer, turn: int, copy_text: str = "") -> str:
    """The final answer, styled by its tier: a refusal; or the lead and cited sentences (with
    marker links and confidence), further evidence folded away, and notices."""
    language = answer.language
    if answer.refused:
        inner = (
            f'{_answer_head(answer)}<p class="lead refusal-text" role="note">'
            '<span class="refusal-icon" aria-hidden="true">'
            f"⊘</span> {esc(answer.lead)}</p>{_render_notices(answer.notices)}"
        )
        return _wrap_message(
            inner + _actions(copy_text, language), language, "refusal tier-refused"
        )
    anchored: set[int] = set()
    inner = _answer_head(answer) + f'<p class="lead">{_text_html(answer.lead)}</p>'
    inner += _sentence_items(answer.sentences, turn, language, anchored)
    if answer.evidence:
        summary = f"{esc(message('more_evidence', language))} ({len(answer.evidence)})"
        evidence = _sentence_items(answer.evidence, turn, language, anchored)
        inner += f'<details class="evidence"><summary>{summary}</summary>{evidence}</details>'
    inner += _render_notices(answer.notices) + _actions(copy_text, language)
    shape = f" shape-{answer.shape}" if answer.shape else ""
    return _wrap_message(inner, language, f"answer tier-{answer.tier}{shape}")


def render_question_error(error: QuestionError | FilterError) -> str:
    return _wrap_message(
        f'<p class="input-error" role="alert">{_text_html(str(error))}</p>',
        error.language,
        "question-error",
    )


def render_generic_error() -> str:
    return (
        f'<div class="msg-error">{_wrap_message(esc(text("error", "ar")), "ar", "error")}'
        f"{_wrap_message(esc(text('error', 'en')), 'en', 'error')}</div>"
    )


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def _breakable(value: str) -> str:
    """Escaped, with line-break chances after `:` and `/` only, so no word is cut inside."""
    return esc(value).replace(":", ":<wbr>").replace("/", "/<wbr>")


def render_status(manifest: Manifest | None, now: float | None = None) -> str:
    if manifest is None:
        return '<div class="status-line">No index loaded · لا يوجد فهرس</div>'
    now = time.time() if now is None else now
    built = datetime.fromtimestamp(manifest.created, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    chunks = manifest.chunks or sum(record.chunks for record in manifest.articles.values())
    items = [
        ("Articles", "المقالات", f"{len(manifest.articles):,}"),
        ("Chunks", "المقاطع", f"{chunks:,}"),
        ("Model", "النموذج", _breakable(manifest.model_id)),
        ("Built", "أُنشئ", f"{built} ({_age(now - manifest.created)})"),
    ]
    cells = "".join(
        f'<div class="status-item"><span class="status-label">{en} · '
        f'<span lang="ar">{ar}</span></span><span class="status-value" dir="ltr">{value}</span>'
        "</div>"
        for en, ar, value in items
    )
    return f'<div class="status-grid">{cells}</div>'
