"""What an article's own text says about it: a date line at its top ("4 من حزيران 2025",
"Published: June 4, 2025"), an outlet tag or dateline opening a paragraph ("إيصال نيوز/ ...",
"دمشق - سانا: ...", "القاهرة (رويترز) - ..."), a title its file's name gives, and the name a
reader sees for an article that states no title (its first sentence, shortened).

Read once, when the article is loaded (`corpus.cleaning`, `corpus.loader`): the tag leaves the
text (it is the outlet, not a word of the sentence it opens) and the facts go with the article.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from corpus.dates import date_mentions, normalize_date, scan_dates
from corpus.instructions import addresses_reader
from corpus.sentences import split_sentences

# Paragraphs from the top where a date line or an outlet tag is looked for.
TOP_PARAGRAPHS = 4
TITLE_CHARS = 90  # a title made from the first sentence is cut at a word before this
DATE_LINE_CHARS = 120  # a date line is short; a paragraph longer than this is text
_NAME = r"[^\W\d_][^\W\d_.]*(?:[ .][^\W\d_][^\W\d_.]*){0,2}"
# "إيصال نيوز/ واستقبل ...": a name of one to three words, a slash, then the text.
_SLASH_TAG = re.compile(rf"^(?P<outlet>{_NAME})\s*/\s+(?=\S)")
# "دمشق - سانا: ..." and "دمشق-سانا/ ...": a place, a dash, the outlet, a colon or slash.
_DASH_TAG = re.compile(rf"^{_NAME}\s*[-–—]\s*(?P<outlet>{_NAME})\s*[:/]\s+(?=\S)")
# "القاهرة (رويترز) - ...", "Damascus, June 4, 2025 (Reuters) - ...": a place, optionally a
# date, the outlet in brackets, then a dash or colon.
_BRACKET_TAG = re.compile(
    rf"^{_NAME}(?P<when>\s*[،,][^()\n]{{1,40}}?)?\s*\((?P<outlet>{_NAME})\)\s*[-–—:]\s+(?=\S)"
)
# What may stand around the date of a date line: labels, a time of day, brackets, "م" (AD).
_DATE_LINE_WORDS = re.compile(
    r"نُ?شِ?ر\s+في|نشر|تاريخ\s+النشر|آخر\s+تحديث|تحديث|بتاريخ|published(?:\s+on)?|updated(?:\s+on)?"
    r"|posted(?:\s+on)?|date|\d{1,2}:\d{2}(?::\d{2})?\s*(?:[صم]|am|pm|gmt|utc)?|\bم\b|[|:،,()\-–—/.]",
    re.IGNORECASE,
)
_FILE_WORD = re.compile(r"[^\W_]+")
_HASHLIKE = re.compile(r"^(?=.*\d)[0-9a-f]{6,}$|^\d+$", re.IGNORECASE)


def outlet_tag(paragraph: str) -> tuple[str, str, str | None] | None:
    """(outlet, the paragraph without its tag, the ISO date the dateline states or None) when
    the paragraph opens with an outlet tag; None otherwise. A bare "name:" opens a quote, not a
    dateline, and is left alone."""
    for pattern in (_SLASH_TAG, _DASH_TAG, _BRACKET_TAG):
        match = pattern.match(paragraph)
        if match:
            when = match.groupdict().get("when")
            return match["outlet"].strip(), paragraph[match.end() :], _dated(when)
    return None


def _dated(text: str | None) -> str | None:
    found = next((m.date for m in date_mentions(text or "") if m.date is not None), None)
    return found.iso() if found is not None and found.year is not None else None


def date_line(paragraph: str) -> str | None:
    """The ISO date of a paragraph that is only a date (with a label such as "نُشر في" or
    "Published", a weekday, a time of day), else None."""
    if len(paragraph) > DATE_LINE_CHARS:
        return None
    mentions = [m for m in date_mentions(paragraph) if m.date is not None]
    if len(mentions) != 1 or mentions[0].date is None or mentions[0].date.year is None:
        return None
    mention, date = mentions[0], mentions[0].date
    rest = paragraph[: mention.start] + " " + paragraph[mention.end :]
    if _DATE_LINE_WORDS.sub(" ", rest).strip():
        return None
    return date.iso()


def title_from_file_name(stem: str) -> str | None:
    """A title a file's name gives ("syria_russia_talks" -> "syria russia talks"), or None for
    a name that is a number or an id ("002_fbd531575c04d162")."""
    words = [w for w in _FILE_WORD.findall(stem) if not _HASHLIKE.match(w)]
    if len(words) < 2 or sum(len(w) >= 3 for w in words) < 2:
        return None
    return " ".join(words)


def opening_title(text: str) -> str | None:
    """The name of an article that states no title: its first sentence, shortened at a word.
    A sentence that speaks to its reader (`corpus.instructions`) names nothing."""
    sentences = split_sentences(text[: TITLE_CHARS * 4])
    reporting = [s for s in sentences if not addresses_reader(s.text)]
    if not reporting:
        return None
    first = " ".join(reporting[0].text.split())
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip("،,:؛;-–")
    return f"{cut}…"


def outlet_of_url(url: str | None) -> str | None:
    """The site a URL is on ("www.sana.sy/..." -> "sana.sy")."""
    host = urlparse(url or "").hostname or ""
    return host.removeprefix("www.") or None


def article_date(*candidates: str | None) -> str | None:
    """The first date given, in ISO form (`corpus.dates.normalize_date`)."""
    return next((d for d in map(normalize_date, candidates) if d is not None), None)


def mentioned_dates(text: str) -> list[str]:
    """The dates `text` states with at least their month (ISO, in order of first mention)."""
    found = (m.date.iso() for m in scan_dates(text) if m.date is not None and m.date.month)
    return list(dict.fromkeys(found))
