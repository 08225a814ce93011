"""What the sources panel shows, before any HTML: one card per cited article, its excerpts
(overlapping chunks merged) and every cited sentence in it, and what a reader is told about the
article (its title, outlet and date, as its ingest recorded them: nothing is guessed here).

Offsets are article offsets throughout: a chunk is `article.text[start:end]`, so a sentence at
`span` inside a chunk is at `chunk.start + span.start` in its article.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus import Chunk, Span
from corpus.facts import opening_title
from embeddings.index.manifest import ArticleRecord
from rag.grounding.citations import strip_markers
from rag.grounding.verify import QUOTES
from rag.schema import Answer, AnswerSentence, Citation


@dataclass(frozen=True)
class ArticleMeta:
    article_id: str
    title: str
    has_title: bool  # False when the title was made from the first sentence (or is the id)
    outlet: str | None = None
    date: str | None = None  # ISO ("2025-06-04", "2025-06"), as the ingest recorded it
    url: str | None = None


def article_meta(article_id: str, record: ArticleRecord | None, opening: str = "") -> ArticleMeta:
    """What a reader is told about an article: what its ingest recorded (its title, or its
    first sentence when it has none; its outlet, date and URL). `opening`, the start of its
    text, names an article the record does not."""
    if record is not None and record.title:
        return ArticleMeta(article_id, record.title, True, record.outlet, record.date, record.url)
    made = (record.opening if record else None) or opening_title(opening) or article_id
    if record is None:
        return ArticleMeta(article_id, made, False)
    return ArticleMeta(article_id, made, False, record.outlet, record.date, record.url)


def meta_from_chunk(chunk: Chunk) -> ArticleMeta:
    """The meta a chunk alone can give (its text opens the article only if it starts it)."""
    if chunk.title:
        return ArticleMeta(chunk.article_id, chunk.title, True)
    return article_meta(chunk.article_id, None, chunk.text if chunk.start == 0 else "")


@dataclass(frozen=True)
class Excerpt:
    """`article.text[start:end]`, rebuilt from the chunks that cover it."""

    start: int
    end: int
    text: str


def stitch(chunks: Iterable[Chunk]) -> list[Excerpt]:
    """Chunks of one article merged where they overlap or touch, in text order. All of an
    article's chunks give its whole text as one excerpt."""
    excerpts: list[Excerpt] = []
    for chunk in sorted(chunks, key=lambda c: (c.start, c.end)):
        last = excerpts[-1] if excerpts else None
        if last is None or chunk.start > last.end:
            excerpts.append(Excerpt(chunk.start, chunk.end, chunk.text))
        elif chunk.end > last.end:
            tail = chunk.text[last.end - chunk.start :]
            excerpts[-1] = Excerpt(last.start, chunk.end, last.text + tail)
    return excerpts


def locate(text: str, span: Span) -> tuple[int, int] | None:
    """Where `span` is in `text`: its offsets when they point at its text, else where its text
    is found; None when it is not in `text`."""
    start, end = max(0, span.start), min(len(text), span.end)
    if start < end and (not span.text or text[start:end] == span.text):
        return start, end
    found = text.find(span.text) if span.text else -1
    return (found, found + len(span.text)) if found >= 0 else None


@dataclass(frozen=True)
class Highlight:
    """A cited sentence in its article: offsets, the markers citing it, its support score (the
    citation's, or the answer sentence's similarity to it, whichever is lower), and whether the
    answer sentences citing it are supported and quote it word for word."""

    start: int
    end: int
    markers: tuple[int, ...]
    evidence: bool = False  # cited only under "More evidence"
    support: float | None = None
    supported: bool = True
    quoted: bool = False


@dataclass(frozen=True)
class SourceCard:
    article_id: str
    markers: tuple[int, ...]
    excerpts: list[Excerpt]
    highlights: list[Highlight]


def _quote_of(sentence: AnswerSentence) -> str:
    return strip_markers(sentence.text).strip(QUOTES)


def _highlights(
    citation: Citation, sentences: Sequence[tuple[AnswerSentence, bool]]
) -> list[Highlight]:
    """The citation's own sentence, and each answer sentence (or evidence) quoting its passage."""
    chunk = citation.passage.chunk
    marker = (citation.marker,)
    found = []
    own = locate(chunk.text, citation.sentence)
    if own is not None:
        in_answer = any(citation.marker in s.markers for s, evidence in sentences if not evidence)
        start, end = chunk.start + own[0], chunk.start + own[1]
        found.append(Highlight(start, end, marker, not in_answer, citation.support))
    for sentence, evidence in sentences:
        quote = _quote_of(sentence) if citation.marker in sentence.markers else ""
        place = locate(chunk.text, Span(0, 0, quote)) if quote else None
        if place is not None:
            start, end = chunk.start + place[0], chunk.start + place[1]
            found.append(
                Highlight(start, end, marker, evidence, sentence.support, sentence.supported, True)
            )
    return found


def _merged(highlights: list[Highlight]) -> list[Highlight]:
    """Overlapping highlights as one, with all their markers: cited in the answer wins over
    cited as evidence, the lowest support is kept, and it is quoted if any sentence quotes it."""
    merged: list[Highlight] = []
    for item in sorted(highlights, key=lambda h: (h.start, -h.end)):
        if merged and item.start < merged[-1].end:
            last = merged[-1]
            supports = [s for s in (last.support, item.support) if s is not None]
            merged[-1] = Highlight(
                last.start,
                max(last.end, item.end),
                tuple(dict.fromkeys(last.markers + item.markers)),
                last.evidence and item.evidence,
                min(supports) if supports else None,
                last.supported and item.supported,
                last.quoted or item.quoted,
            )
        else:
            merged.append(item)
    return merged


def source_cards(answer: Answer) -> list[SourceCard]:
    """One card per cited article, in the order of its first marker."""
    sentences = [(s, False) for s in answer.sentences] + [(s, True) for s in answer.evidence]
    by_article: dict[str, list[Citation]] = {}
    for citation in sorted(answer.citations, key=lambda c: c.marker):
        by_article.setdefault(citation.passage.chunk.article_id, []).append(citation)
    return [
        SourceCard(
            article_id,
            tuple(c.marker for c in citations),
            stitch(c.passage.chunk for c in citations),
            _merged([h for c in citations for h in _highlights(c, sentences)]),
        )
        for article_id, citations in by_article.items()
    ]
