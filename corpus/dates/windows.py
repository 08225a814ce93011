"""Dates as the edges of the system write them: an article's own date in whatever form its file
gives it, a date a user types into a filter, and the span of time a question asks about ("في
تموز", "in 2025", "between 1 and 15 July 2025", "since March 2025", "last week")."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from itertools import pairwise

from corpus.dates.mentions import DateMention, date_mentions
from corpus.dates.names import ASCII_DIGITS
from corpus.dates.partial import DateWindow, PartialDate

_ISO_START = re.compile(r"^\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:$|[T\s])")
_RANGE_OPEN = re.compile(r"(?:بين|من|between|from)\s*$", re.IGNORECASE)
_RANGE_JOIN = re.compile(r"^\s*(?:و|-|–|إلى|الى|حتى|and|to|until|through)\s*$", re.IGNORECASE)
# Words before a date that open or close the span at it: (pattern, which edge of the date,
# where the span starts or ends, days added).
_EDGES = tuple(
    (
        re.compile(rf"(?:{words})\s*$", re.IGNORECASE),
        re.compile(rf"^(?:{words})\s"),
        last,
        opens,
        days,
    )
    for words, last, opens, days in (
        ("منذ|since|from", False, True, 0),
        ("بعد|after", True, True, 1),
        ("قبل|before", False, False, -1),
        ("حتى|until|till", True, False, 0),
    )
)
_WEEK = re.compile(
    r"(?<![\w])(?:(?:last|past|this)\s+week|(?:ال[أا]سبوع|[أا]سبوع)\s+(?:الماضي|المنصرم|الفائت"
    r"|الجاري|الحالي)|هذا\s+ال[أا]سبوع|خلال\s+ال[أا]سبوع)(?![\w])",
    re.IGNORECASE,
)
WEEK_DAYS = 7


def parse_date(text: str | None) -> PartialDate | None:
    """A date as a file or a user writes it: ISO ("2025-06-04", "2025-06-04T10:00:00Z",
    "2025-06", "2025"), e-mail and feed form ("Wed, 04 Jun 2025 10:00:00 GMT"), or written out
    in Arabic or English ("4 من حزيران 2025", "June 4, 2025", "٤/٦/٢٠٢٥"); None for anything
    else, and for a date without its year."""
    value = " ".join((text or "").translate(ASCII_DIGITS).split())
    if not value:
        return None
    iso = _ISO_START.match(value)
    if iso:
        return PartialDate.from_iso(iso[1])
    try:
        return PartialDate.of(parsedate_to_datetime(value).date())
    except (TypeError, ValueError, IndexError):
        pass
    found = next((m.date for m in date_mentions(value) if m.date is not None), None)
    return found if found is not None and found.year is not None else None


def normalize_date(text: str | None) -> str | None:
    """An article's date in ISO form ("2025-06-04", or "2025-06" when the day is not known);
    the text as given when it is no date this can read, None when there is none."""
    if text is None or not text.strip():
        return None
    date = parse_date(text)
    return date.iso() if date is not None else " ".join(text.split())


def _edge(mention: DateMention, last: bool) -> dt.date | None:
    bounds = mention.date.bounds() if mention.date is not None else None
    return None if bounds is None else bounds[1 if last else 0]


def _range(
    text: str, mentions: tuple[DateMention, ...]
) -> tuple[DateWindow, tuple[int, int]] | None:
    for first, second in pairwise(mentions):
        joined = _RANGE_JOIN.match(text[first.end : second.start])
        if joined and _RANGE_OPEN.search(text[: first.start]):
            start, end = _edge(first, False), _edge(second, True)
            if start is None and first.date is not None and second.date is not None:
                # "بين 1 و15 تموز 2025": the first edge takes the second's month and year.
                start = _edge(_with_year(first, second), False)
            if start is not None and end is not None:
                return DateWindow(start, end), (first.start, second.end)
    return None


def _with_year(first: DateMention, second: DateMention) -> DateMention:
    assert first.date is not None and second.date is not None
    date = PartialDate.make(second.date.year, first.date.month or second.date.month, first.date.day)
    return DateMention(first.start, first.end, first.text, date)


def question_window(text: str, newest: dt.date | None) -> tuple[DateWindow, tuple[int, int]] | None:
    """The span of time a question asks about and where it says so, or None. Relative phrases
    ("last week", "الشهر الماضي") count from `newest` (the newest article's date), and are
    read only when it is known."""
    week = _WEEK.search(text)
    if week and newest is not None:
        return DateWindow(newest - dt.timedelta(days=WEEK_DAYS - 1), newest), week.span()
    # A month or day the question gives without its year is that month or day of any year;
    # what it says relative to now ("الشهر الماضي") counts from the newest article.
    plain = {(m.start, m.end): m for m in date_mentions(text)}
    mentions = tuple(
        m if m.relative or plain[m.start, m.end].date is None else plain[m.start, m.end]
        for m in date_mentions(text, newest)
        if m.date is not None
    )
    ranged = _range(text, mentions)
    if ranged is not None:
        return ranged
    for mention in mentions:
        assert mention.date is not None
        span = (mention.start, mention.end)
        for before, opening, last, opens, days in _EDGES:
            edge = _edge(mention, last)
            said = before.search(text[: mention.start]) or opening.match(mention.text)
            if edge is not None and said:
                edge += dt.timedelta(days=days)
                return (DateWindow(start=edge) if opens else DateWindow(end=edge)), span
        return DateWindow.around(mention.date), span
    return None


def window_between(first: str | None, last: str | None) -> DateWindow | None:
    """The days from one typed date to another, either of which may be left empty ("2025-07"
    to "2025-08-15": 1 July to 15 August); None when both are. ValueError names a date this
    cannot read, or an end before the start."""
    dates: list[tuple[dt.date, dt.date] | None] = []
    for text in (first, last):
        if text is None or not text.strip():
            dates.append(None)
            continue
        date = parse_date(text)
        if date is None:
            raise ValueError(text.strip())
        dates.append(date.bounds())
    start = dates[0][0] if dates[0] else None
    end = dates[1][1] if dates[1] else None
    if start is None and end is None:
        return None
    if start is not None and end is not None and end < start:
        raise ValueError(f"{first} – {last}")
    return DateWindow(start, end)
