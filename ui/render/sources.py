"""HTML of the sources panel and of the article view: one card per cited article with every
cited sentence highlighted, and a whole article scrolled to the sentence a reader asked about.

Pure functions, no Gradio. Every text from the corpus is escaped, and every title and article id
is isolated (`<bdi>`), so bidi controls inside them cannot reorder the page's own text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rag.question.language import Language, detect_language
from rag.schema import Answer
from service.sources import (
    ArticleMeta,
    Excerpt,
    Highlight,
    SourceCard,
    meta_from_chunk,
    source_cards,
)
from ui.render.html import esc, lang_attrs
from ui.texts import both, text


def no_sources_html(language: Language = "ar") -> str:
    return f'<div class="no-sources" dir="auto"><p>{esc(both("no_sources", language))}</p></div>'


def placeholder_sources_html() -> str:
    return (
        f'<div class="sources-placeholder"><p dir="rtl" lang="ar">{esc(text("ask_first", "ar"))}'
        f'</p><p dir="ltr" lang="en">{esc(text("ask_first", "en"))}</p></div>'
    )


def support_words(highlight: Highlight, language: Language) -> str:
    """How well this sentence supports the answer, in words (the score is in the tooltip)."""
    if not highlight.supported:
        return text("weak", language)
    return text("quoted" if highlight.quoted else "matches", language)


class _Marks:
    """Opens the `<mark>` of each highlight: the first one of each marker is the target of its
    links (`#{ids}-{turn}-{n}`), the first one of marker `focus` is where the view scrolls."""

    def __init__(self, ids: str, turn: int, language: Language, focus: int | None) -> None:
        self.ids, self.turn, self.language, self.focus = ids, turn, language, focus
        self.anchored: set[int] = set()
        self.focused = False

    def open(self, highlight: Highlight) -> str:
        first = next((m for m in highlight.markers if m not in self.anchored), None)
        self.anchored.update(highlight.markers)
        classes = "hl" + (" evidence" if highlight.evidence else "")
        classes += "" if highlight.supported else " weak"
        tip = support_words(highlight, self.language)
        if highlight.support is not None:
            score = f"{highlight.support:.2f}"
            tip += " · " + text("support_tip", self.language, score=score)
        attrs = f' id="{self.ids}-{self.turn}-{first}"' if first is not None else ""
        if self.focus in highlight.markers and not self.focused:
            self.focused = True
            attrs += ' data-focus="1"'
        return f'<mark class="{classes}"{attrs} title="{esc(tip)}">'

    def close(self, highlight: Highlight) -> str:
        tip = esc(text("back_to_answer", self.language))
        links = "".join(
            f'<a class="back" href="#cite-{self.turn}-{m}" title="{tip}" dir="ltr">[{m}]</a>'
            for m in highlight.markers
        )
        return links + "</mark>"


def _excerpt_html(excerpt: Excerpt, highlights: Sequence[Highlight], marks: _Marks) -> str:
    parts, position = [], excerpt.start
    for item in highlights:
        if item.start < position or item.end > excerpt.end:
            continue  # in another excerpt
        before = excerpt.text[position - excerpt.start : item.start - excerpt.start]
        inside = excerpt.text[item.start - excerpt.start : item.end - excerpt.start]
        parts.append(f"{esc(before)}{marks.open(item)}{esc(inside)}{marks.close(item)}")
        position = item.end
    parts.append(esc(excerpt.text[position - excerpt.start :]))
    return "".join(parts)


def passage_html(
    excerpts: Sequence[Excerpt],
    highlights: Sequence[Highlight],
    turn: int,
    ids: str = "src",
    focus: int | None = None,
) -> str:
    """The excerpts with their highlights, and `…` between excerpts that do not meet."""
    language = detect_language(" ".join(e.text[:200] for e in excerpts))
    marks = _Marks(ids, turn, language, focus)
    gap = '<span class="gap" aria-hidden="true"> … </span>'
    inner = gap.join(_excerpt_html(e, highlights, marks) for e in excerpts)
    return f'<div class="passage" {lang_attrs(language)}>{inner}</div>'


def meta_html(meta: ArticleMeta) -> str:
    """Outlet, date and id (the id only when the title is not the id itself)."""
    items = []
    if meta.outlet:
        items.append(f'<bdi class="outlet">{esc(meta.outlet)}</bdi>')
    if meta.date:
        items.append(f'<time dir="ltr" datetime="{esc(meta.date)}">{esc(meta.date)}</time>')
    if meta.title != meta.article_id:
        items.append(f'<bdi class="article-id" dir="ltr">{esc(meta.article_id)}</bdi>')
    return f'<div class="source-meta" dir="auto">{" · ".join(items)}</div>'


def _title_html(meta: ArticleMeta, tag: str = "span") -> str:
    made = "" if meta.has_title else ' title="first sentence of the article"'
    return (
        f'<{tag} class="source-title" {lang_attrs(detect_language(meta.title))}{made}>'
        f"<bdi>{esc(meta.title)}</bdi></{tag}>"
    )


def _card_html(card: SourceCard, meta: ArticleMeta, turn: int, language: Language) -> str:
    markers = "".join(f"[{m}]" for m in card.markers)
    open_label = esc(both("open_article", language))
    return (
        f'<section class="source" data-article-id="{esc(card.article_id)}">'
        f'<header class="source-head"><span class="marker" dir="ltr">{markers}</span> '
        f"{_title_html(meta)}</header>{meta_html(meta)}"
        f"{passage_html(card.excerpts, card.highlights, turn)}"
        f'<div class="source-foot"><button type="button" class="open-article" '
        f'data-article-id="{esc(card.article_id)}" data-turn="{turn}" '
        f'data-marker="{card.markers[0]}">{open_label}</button></div></section>'
    )


def render_sources(
    answer: Answer, turn: int, metas: Mapping[str, ArticleMeta] | None = None
) -> str:
    """The sources panel for one answer: a card per cited article (`metas` tell about each
    article; without one, what its cited chunk tells)."""
    metas = metas or {}
    if answer.refused or not answer.citations:
        return no_sources_html(answer.language)
    heading = (
        f'<div class="sources-head"><span lang="en">{esc(text("sources_for", "en", number=turn + 1))}'
        f'</span> · <span lang="ar" dir="rtl">{esc(text("sources_for", "ar", number=turn + 1))}'
        "</span></div>"
    )
    chunk_of = {c.passage.chunk.article_id: c.passage.chunk for c in answer.citations}
    cards = [
        _card_html(
            card,
            metas.get(card.article_id) or meta_from_chunk(chunk_of[card.article_id]),
            turn,
            answer.language,
        )
        for card in source_cards(answer)
    ]
    return heading + "".join(cards)


def render_article(
    meta: ArticleMeta,
    excerpts: Sequence[Excerpt],
    highlights: Sequence[Highlight],
    turn: int,
    focus: int | None,
) -> str:
    """The whole article in the article view, with the answer's cited sentences highlighted and
    the one of marker `focus` marked as the place to scroll to."""
    close = esc(both("close"))
    return (
        '<div class="article-modal" role="dialog" aria-modal="true" aria-label="article">'
        '<div class="article-card"><div class="article-bar">'
        f'<button type="button" class="close-article" title="{close}">✕ {close}</button></div>'
        f'<header class="article-head">{_title_html(meta, "h2")}{meta_html(meta)}</header>'
        f"{passage_html(excerpts, highlights, turn, ids='art', focus=focus)}</div></div>"
    )


def article_missing_html() -> str:
    return (
        '<div class="article-modal" role="dialog" aria-modal="true"><div class="article-card">'
        f'<div class="article-bar"><button type="button" class="close-article">✕ '
        f'{esc(both("close"))}</button></div><p dir="auto">{esc(both("article_missing"))}</p>'
        "</div></div>"
    )
