"""Turn scraped article text into a title and a clean body.

Scraped news pages carry a predictable set of non-article lines: a category label above the
headline, a byline, repeated paragraphs, and site furniture (related links, comment forms,
share buttons) at the end. The rules here are structural and marker based, never tuned to a
particular site, and err on the side of keeping text: losing a sentence of the article is worse
than indexing a stray "Share".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from corpus.facts import TOP_PARAGRAPHS, date_line, outlet_tag
from corpus.normalize import normalize_text, stream_safe

_TITLE_MAX_WORDS = 15
_TITLE_MAX_CHARS = 120
_LABEL_MAX_WORDS = 3
_BYLINE_MAX_WORDS = 4
# Site furniture lives at the bottom; a marker this far down starts the footer.
_FOOTER_START_FRACTION = 0.6
# A marker followed by a separator ("Read more: ...") is boilerplate only on a short line.
_MARKER_LINE_MAX_WORDS = 25

_SENTENCE_END = ".!?؟؛،:,;…"
_CLOSERS = '”"’»)]'
_BYLINE_FORBIDDEN = set(_SENTENCE_END + _CLOSERS + "“«([-–—|/@")
_NOTE_CHARS = 60

_MARKERS = (
    # related articles
    "مقالات ذات صلة",
    "مقالات مشابهة",
    "مقالات قد تعجبك",
    "مقالات قد تعجبك أيضاً",
    "قد يعجبك أيضاً",
    "اقرأ أيضاً",
    "اقرأ المزيد",
    "أخبار ذات صلة",
    "Related articles",
    "Related posts",
    "Related stories",
    "Read more",
    "Read also",
    "See also",
    "You may also like",
    "You might also like",
    "More stories",
    # comment forms
    "اترك تعليقاً",
    "اترك رداً",
    "أضف تعليق",
    "أضف تعليقاً",
    "لن يتم نشر عنوان بريدك الإلكتروني",
    "Leave a comment",
    "Leave a reply",
    "Post a comment",
    "Your email address will not be published",
    # navigation
    "زر الذهاب إلى الأعلى",
    "الذهاب إلى الأعلى",
    "العودة إلى الأعلى",
    "Back to top",
    "Scroll to top",
    # sharing and tags
    "شارك",
    "شارك المقال",
    "شارك الخبر",
    "شارك هذا المقال",
    "Share",
    "Share this",
    "Share this article",
    "Share this story",
    "الوسوم",
    "Tags",
)


def _marker_key(text: str) -> str:
    """normalize_text without the symbols that decorate buttons ("» Read more", "Share:")."""
    key = normalize_text(text)
    start, end = 0, len(key)
    while start < end and not key[start].isalnum():
        start += 1
    while end > start and not key[end - 1].isalnum():
        end -= 1
    return key[start:end]


_MARKER_KEYS = frozenset(_marker_key(marker) for marker in _MARKERS)


@dataclass(frozen=True)
class CleanedText:
    title: str | None
    body: str
    removed: list[str]
    # What the top of the text says about the article: a date line, an outlet tag (ISO date).
    date: str | None = None
    outlet: str | None = None


def _note(kind: str, paragraph: str) -> str:
    shown = paragraph if len(paragraph) <= _NOTE_CHARS else paragraph[:_NOTE_CHARS] + "…"
    return f"{kind}: {shown}"


def _is_boilerplate_marker(paragraph: str) -> bool:
    """The paragraph is a marker, or a marker followed by a separator on a short line
    ("اقرأ أيضاً: ...", "Your email address will not be published. Required ...")."""
    key = _marker_key(paragraph)
    if key in _MARKER_KEYS:
        return True
    if len(key.split()) > _MARKER_LINE_MAX_WORDS:
        return False
    for marker in _MARKER_KEYS:
        rest = key[len(marker) :].lstrip() if key.startswith(marker) else ""
        if rest and not rest[0].isalnum():
            return True
    return False


def _ends_sentence(paragraph: str) -> bool:
    return paragraph.rstrip(_CLOSERS).endswith(tuple(_SENTENCE_END))


def _words(paragraph: str) -> int:
    return len(paragraph.split())


def _is_title_like(paragraph: str) -> bool:
    return (
        _words(paragraph) <= _TITLE_MAX_WORDS
        and len(paragraph) <= _TITLE_MAX_CHARS
        and not _ends_sentence(paragraph)
    )


def is_heading(line: str) -> bool:
    """A line that titles what follows (a headline, a section heading, a category label):
    short and unpunctuated. It names a topic; it states nothing."""
    return _is_title_like(line.strip())


def _is_byline(paragraph: str) -> bool:
    return _words(paragraph) <= _BYLINE_MAX_WORDS and not any(
        char in _BYLINE_FORBIDDEN or char.isdigit() for char in paragraph
    )


def _is_long(paragraph: str) -> bool:
    return _words(paragraph) > _TITLE_MAX_WORDS or len(paragraph) > _TITLE_MAX_CHARS


def _paragraphs(raw: str) -> list[str]:
    normalized = unicodedata.normalize("NFKC", stream_safe(raw))
    lines = (" ".join(line.split()) for line in normalized.splitlines())
    # A line of only invisible marks (zero-width space, bidi marks) is empty to a reader.
    return [line for line in lines if normalize_text(line)]


def _drop_boilerplate(paragraphs: list[str], removed: list[str]) -> list[str]:
    footer_start = _FOOTER_START_FRACTION * len(paragraphs)
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if not _is_boilerplate_marker(paragraph):
            kept.append(paragraph)
        elif index >= footer_start:
            removed.extend(
                _note("boilerplate" if _is_boilerplate_marker(rest) else "after boilerplate", rest)
                for rest in paragraphs[index:]
            )
            break
        else:
            removed.append(_note("boilerplate", paragraph))
    return kept


def _drop_duplicates(paragraphs: list[str], removed: list[str]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for paragraph in paragraphs:
        key = normalize_text(paragraph)
        if key in seen:
            removed.append(_note("duplicate paragraph", paragraph))
        else:
            seen.add(key)
            kept.append(paragraph)
    return kept


def _detect_title(paragraphs: list[str], removed: list[str]) -> tuple[str | None, list[str]]:
    """Title = a short, unpunctuated first line with text after it; a one-to-three word line
    above another such line is a section label ("أخبار سوريا") and the next line is the title."""
    if (
        len(paragraphs) >= 3
        and _words(paragraphs[0]) <= _LABEL_MAX_WORDS
        and _is_title_like(paragraphs[0])
        and _is_title_like(paragraphs[1])
    ):
        removed.append(_note("category label", paragraphs[0]))
        return paragraphs[1], paragraphs[2:]
    if len(paragraphs) >= 2 and _is_title_like(paragraphs[0]):
        return paragraphs[0], paragraphs[1:]
    return None, paragraphs


def _drop_byline(body: list[str], removed: list[str]) -> list[str]:
    """Drop a name-like line under the headline (or under its subtitle) when the article text
    follows it; anywhere else such a line may be a section heading and is kept."""
    index = 1 if body and _is_title_like(body[0]) and not _is_byline(body[0]) else 0
    if index + 1 < len(body) and _is_byline(body[index]) and _is_long(body[index + 1]):
        removed.append(_note("byline", body[index]))
        return body[:index] + body[index + 1 :]
    return body


def _take_date_line(paragraphs: list[str], removed: list[str]) -> tuple[list[str], str | None]:
    """A paragraph near the top that is only a date is the article's date, not its text (nor
    its title)."""
    for index, paragraph in enumerate(paragraphs[:TOP_PARAGRAPHS]):
        date = date_line(paragraph)
        if date is not None and len(paragraphs) > 1:
            removed.append(_note("date line", paragraph))
            return paragraphs[:index] + paragraphs[index + 1 :], date
    return paragraphs, None


def _take_outlet_tag(
    body: list[str], removed: list[str]
) -> tuple[list[str], str | None, str | None]:
    """An outlet tag or dateline opening a paragraph near the top ("إيصال نيوز/ ...") names the
    outlet; it leaves the paragraph, so no quoted sentence carries it."""
    for index, paragraph in enumerate(body[:TOP_PARAGRAPHS]):
        tag = outlet_tag(paragraph)
        if tag is not None:
            outlet, rest, date = tag
            removed.append(_note("outlet tag", paragraph[: len(paragraph) - len(rest)].strip()))
            return [*body[:index], rest, *body[index + 1 :]], outlet, date
    return body, None, None


def clean_text(
    raw: str, *, title: str | None = None, detect_title: bool = True, markers: bool = True
) -> CleanedText:
    """Clean scraped text. Pass `title` when the source states it (HTML, Markdown, JSONL): it
    is then not detected, and body lines repeating it are dropped. `detect_title=False` keeps
    the first line in the body when the source states there is no title. `markers=False` keeps
    the lines site-furniture markers would drop, for text whose extractor already left the
    furniture out (corpus/formats/web.py)."""
    removed: list[str] = []
    paragraphs = _paragraphs(raw)
    if markers:
        paragraphs = _drop_boilerplate(paragraphs, removed)
    paragraphs = _drop_duplicates(paragraphs, removed)
    paragraphs, date = _take_date_line(paragraphs, removed)
    if title is not None:
        title = " ".join(unicodedata.normalize("NFKC", title).split()) or None
        # A title of invisible characters alone (a zero-width space) names nothing.
        title = title if title and normalize_text(title) else None
    if title is not None:
        title_key = normalize_text(title)
        body = []
        for paragraph in paragraphs:
            if normalize_text(paragraph) == title_key:
                removed.append(_note("title repeated in text", paragraph))
            else:
                body.append(paragraph)
    elif detect_title:
        title, body = _detect_title(paragraphs, removed)
    else:
        body = paragraphs
    if title is not None:
        body = _drop_byline(body, removed)
    body, outlet, dateline_date = _take_outlet_tag(body, removed)
    return CleanedText(title, "\n".join(body), removed, date or dateline_date, outlet)
