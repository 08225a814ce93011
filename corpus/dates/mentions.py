"""The dates a sentence mentions, resolved against its article's date when that is known.

Recognized, in Arabic and English: whole dates and day ranges ("يومي 23 و24 شباط الماضي",
"February 23-24, 2025"), ordinal days ("الثامن من كانون الأول"), a month with its year or with
"الماضي / المقبل" ("في أكتوبر المقبل", "next October"), a month after a preposition ("في تموز"),
a year after one ("عام 2015"), weekdays ("يوم الخميس"), days relative to the article ("اليوم",
"أمس", "yesterday") and periods ("الشهر الماضي", "last year"). What needs the article's date to be
placed is placed only when that date is known; otherwise the mention keeps what it states (a
month and day without a year, a weekday) and says nothing more.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from corpus.dates.names import (
    ARABIC_MONTH,
    ARABIC_WEEKDAY,
    ASCII_DIGITS,
    DIGIT,
    ENGLISH_MONTH,
    ENGLISH_WEEKDAY,
    YEAR,
    month_number,
    weekday_number,
)
from corpus.dates.partial import PartialDate, shift_months

_A = "[اأإآ]"
_B = r"(?<![\w])"
_E = r"(?![\w])"
_UNITS: tuple[str, ...] = (
    "",
    f"{_A}لحادي",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
)
_UNITS += ("الثامن", "التاسع")
_ORDINALS: list[tuple[str, int]] = [
    *((f"{unit}\\s+و\\s*الثلاثين", 30 + n) for n, unit in enumerate(_UNITS) if n == 1),
    ("الثلاثين", 30),
    *((f"{unit}\\s+و\\s*العشرين", 20 + n) for n, unit in enumerate(_UNITS) if n),
    ("العشرين", 20),
    *((f"{unit}\\s+عشر", 10 + n) for n, unit in enumerate(_UNITS) if n),
    ("العاشر", 10),
    *((unit, n) for n, unit in enumerate(_UNITS) if n > 1),
    (f"{_A}ل{_A}ول", 1),
]
_ORDINAL_PATTERNS = [(re.compile(f"^{p}$"), n) for p, n in _ORDINALS]
ORDINAL = "|".join(f"(?:{p})" for p, _ in _ORDINALS)
_PAST = "الماضي|الماضية|المنصرم|المنصرمة|الفائت|الفائتة|السابق"
_NEXT = "المقبل|المقبلة|القادم|القادمة"
_THIS = "الجاري|الجارية|الحالي|الحالية"
_QUALIFIER = rf"(?:\s+(?P<qual>{_PAST}|{_NEXT}|{_THIS}){_E})?"
_EN_QUALIFIER = r"(?:(?P<qual>last|next|this|coming)\s+)"
_YEAR_AFTER = rf"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنة\s+)?(?P<year>{YEAR}){_E})?"
_AR_WEEKDAY = rf"(?:(?:يوم|نهار)\s+)?(?P<weekday>{ARABIC_WEEKDAY}){_E}"
_AR_DAY = rf"(?P<day>{DIGIT}{{1,2}}|{ORDINAL})"
_EN_DAY = rf"(?P<day>{DIGIT}{{1,2}})(?:st|nd|rd|th)?"
_LAST_DAY = rf"(?:\s*(?:و|-|–|إلى|الى|and|to)\s*(?P<last>{DIGIT}{{1,2}})(?:st|nd|rd|th)?)?"
_PREPOSITION = "في|خلال|منذ|حتى|مطلع|منتصف|أواخر|اواخر|أوائل|اوائل|نهاية|بداية|شهر"
_EN_PREPOSITION = "in|since|during|until|early|mid|late|of|by|before|after|through"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("iso", rf"{_B}(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}}){_E}"),
        (
            "dmy",
            rf"{_B}(?P<day>{DIGIT}{{1,2}})/(?P<month>{DIGIT}{{1,2}})/(?P<year>{DIGIT}{{4}}){_E}",
        ),
        (
            "day",
            rf"{_B}(?:{_AR_WEEKDAY}\s*[،,]?\s*(?:الموافق\s+)?)?(?:(?:يومي|يوم)\s+)?{_AR_DAY}"
            rf"{_LAST_DAY}\s+(?:من\s+)?(?:شهر\s+)?(?P<month>{ARABIC_MONTH}){_E}{_QUALIFIER}"
            rf"{_YEAR_AFTER}",
        ),
        (
            "day",
            rf"{_B}(?:(?P<weekday>{ENGLISH_WEEKDAY}),?\s+)?(?:the\s+)?{_EN_DAY}{_LAST_DAY}\s+"
            rf"(?:of\s+)?(?P<month>{ENGLISH_MONTH}){_E}(?:,?\s+(?P<year>{YEAR}){_E})?",
        ),
        (
            "day",
            rf"{_B}(?:(?P<weekday>{ENGLISH_WEEKDAY}),?\s+)?(?P<month>{ENGLISH_MONTH})\s+"
            rf"{_EN_DAY}{_LAST_DAY}{_E}(?:,?\s+(?P<year>{YEAR}){_E})?",
        ),
        (
            "month",
            rf"{_B}(?:شهر\s+)?(?P<month>{ARABIC_MONTH}){_E}{_QUALIFIER}"
            rf"\s*[،,]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنة\s+)?(?P<year>{YEAR}){_E}",
        ),
        ("month", rf"{_B}(?P<month>{ENGLISH_MONTH})(?:\s+of)?,?\s+(?P<year>{YEAR}){_E}"),
        (
            "month",
            rf"{_B}(?:شهر\s+)?(?P<month>{ARABIC_MONTH}){_E}"
            rf"\s+(?P<qual>{_PAST}|{_NEXT}|{_THIS}){_E}",
        ),
        ("month", rf"{_B}{_EN_QUALIFIER}(?P<month>{ENGLISH_MONTH}){_E}"),
        ("month", rf"{_B}(?P<prep>{_PREPOSITION})\s+(?:شهر\s+)?(?P<month>{ARABIC_MONTH}){_E}"),
        ("month", rf"{_B}(?P<prep>{_EN_PREPOSITION})\s+(?P<month>{ENGLISH_MONTH}){_E}"),
        ("year", rf"{_B}(?:عام|العام|سنة|في|منذ|خلال|in|since|during)\s+(?P<year>{YEAR}){_E}"),
        (
            "relative",
            rf"{_B}(?P<word>اليوم|{_A}مس|البارحة|{_A}ول\s+(?:من\s+)?{_A}مس|غدا|غداً|بعد\s+غد)"
            rf"(?!\s+(?!{ARABIC_WEEKDAY})ال)(?:\s*[(،,]?\s*{_AR_WEEKDAY}\)?)?{_E}",
        ),
        (
            "relative",
            rf"{_B}(?P<word>today|yesterday|tomorrow)(?:\s*[(,]?\s*(?P<weekday>{ENGLISH_WEEKDAY})\)?)?{_E}",
        ),
        (
            "period",
            rf"{_B}(?P<unit>الشهر|{_A}لشهر|الأسبوع|الاسبوع|العام|السنة)\s+(?P<qual>{_PAST}|{_NEXT}|{_THIS}){_E}",
        ),
        ("period", rf"{_B}(?P<qual>هذا|هذه)\s+(?P<unit>الشهر|الأسبوع|الاسبوع|العام|السنة){_E}"),
        ("period", rf"{_B}{_EN_QUALIFIER}(?P<unit>week|month|year){_E}"),
        ("weekday", rf"{_B}{_AR_WEEKDAY}{_QUALIFIER}"),
        ("weekday", rf"{_B}(?:{_EN_QUALIFIER}|on\s+)?(?P<weekday>{ENGLISH_WEEKDAY}){_E}"),
    )
)


@dataclass(frozen=True)
class DateMention:
    """A date written in a sentence: where (offsets in the sentence), what it resolves to (None
    when it cannot be placed: a weekday or "yesterday" in an article of unknown date), and the
    weekday it names."""

    start: int
    end: int
    text: str
    date: PartialDate | None
    weekday: int | None = None
    # Said relative to the article's date ("أمس", "شباط الماضي", "يوم الخميس"), so it means
    # nothing without that date.
    relative: bool = False


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if text[0].isdigit():
        return int(text.translate(ASCII_DIGITS))
    words = " ".join(text.split())
    return next((n for pattern, n in _ORDINAL_PATTERNS if pattern.match(words)), None)


def _direction(qualifier: str | None) -> int:
    """-1 for "الماضي / last", 1 for "المقبل / next", 0 for none or "this"."""
    if not qualifier:
        return 0
    word = qualifier.lower()
    if word in {"last"} or re.fullmatch(_PAST, word):
        return -1
    return 1 if word in {"next", "coming"} or re.fullmatch(_NEXT, word) else 0


def _nearest_year(month: int, day: int | None, anchor: dt.date, direction: int) -> int:
    """The year of the month (and day) nearest `anchor` in `direction` (0: either way; a tie
    goes to the past, which news reports more often than the future)."""
    here = (anchor.month, anchor.day if day is not None else 0)
    there = (month, day or 0)
    if direction < 0:
        return anchor.year if there < here else anchor.year - 1
    if direction > 0:
        return anchor.year if there > here else anchor.year + 1
    ahead = (month - anchor.month) % 12
    behind = (anchor.month - month) % 12
    if ahead == behind == 0:
        return anchor.year
    return (
        anchor.year + (month < anchor.month)
        if ahead < behind
        else anchor.year - (month > anchor.month)
    )


def _on_weekday(anchor: dt.date, weekday: int, direction: int) -> dt.date:
    """The day of `weekday` nearest before `anchor` (the anchor itself included unless the
    mention says "last"), or after it for "next"."""
    if direction > 0:
        return anchor + dt.timedelta(days=(weekday - anchor.isoweekday() - 1) % 7 + 1)
    back = (anchor.isoweekday() - weekday) % 7
    return anchor - dt.timedelta(days=back or (7 if direction < 0 else 0))


def _calendar(
    groups: dict[str, str | None], anchor: dt.date | None
) -> tuple[PartialDate | None, bool]:
    """A written date; without its year, the year of the occurrence nearest the article's date
    (before it for "الماضي", after it for "المقبل"). Relative when a qualifier placed it."""
    month_text = groups.get("month") or ""
    if month_text[:1].isdigit():
        month: int | None = int(month_text.translate(ASCII_DIGITS))
    else:
        month = month_number(month_text) if month_text else None
    day, last = _number(groups.get("day")), _number(groups.get("last"))
    year_text = groups.get("year")
    year = int(year_text.translate(ASCII_DIGITS)) if year_text else None
    qualified = bool(groups.get("qual"))
    placed = day is not None or qualified or bool(groups.get("prep"))
    if year is None and month is not None and anchor is not None and placed:
        year = _nearest_year(month, day, anchor, _direction(groups.get("qual")))
        return PartialDate.make(year, month, day, last), qualified
    return PartialDate.make(year, month, day, last), False


def _relative_day(word: str, anchor: dt.date) -> dt.date:
    word = " ".join(word.lower().split())
    offsets = {"اليوم": 0, "today": 0, "yesterday": -1, "tomorrow": 1, "البارحة": -1}
    if word in offsets:
        return anchor + dt.timedelta(days=offsets[word])
    if word.startswith(("غد", "بعد")):
        return anchor + dt.timedelta(days=1 if word.startswith("غد") else 2)
    return anchor - dt.timedelta(days=2 if " " in word else 1)  # أمس, أول أمس


def _period(unit: str, qualifier: str, anchor: dt.date) -> PartialDate | None:
    step = _direction(qualifier)
    if unit in {"العام", "السنة", "year"}:
        return PartialDate(anchor.year + step)
    if unit in {"الشهر", "month"} or unit.endswith("شهر"):
        year, month = shift_months(anchor, step)
        return PartialDate(year, month)
    return None  # a week is no calendar date; `corpus.dates.windows` reads weeks


def _resolve(
    kind: str, groups: dict[str, str | None], anchor: dt.date | None
) -> tuple[PartialDate | None, bool]:
    named = groups.get("weekday")
    weekday = weekday_number(named) if named else None
    if kind in {"iso", "dmy", "day", "month"}:
        return _calendar(groups, anchor)
    if kind == "year":
        return PartialDate.make(int((groups["year"] or "0").translate(ASCII_DIGITS)), None), False
    if anchor is None:
        return None, False
    if kind == "relative":
        return PartialDate.of(_relative_day(groups["word"] or "", anchor)), True
    if kind == "period":
        return _period((groups["unit"] or "").lower(), groups["qual"] or "", anchor), True
    assert weekday is not None
    return PartialDate.of(_on_weekday(anchor, weekday, _direction(groups.get("qual")))), True


def _accepted(kind: str, groups: dict[str, str | None]) -> bool:
    """ "آب" alone is also "father": as a month alone it needs "شهر" before it."""
    month = groups.get("month") or ""
    alone = kind == "month" and not groups.get("year") and not groups.get("qual")
    return not (
        alone and month_number(month) == 8 and not month.isascii() and groups.get("prep") != "شهر"
    )


def _overlaps(start: int, end: int, taken: list[tuple[int, int, str, re.Match[str]]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end, _, _ in taken)


def scan_dates(text: str, anchor: dt.date | None = None) -> tuple[DateMention, ...]:
    """Every date `text` mentions, left to right, none overlapping another (the pattern that
    reads more wins: a whole date over a month after a preposition), each resolved against
    `anchor` (the article's date) when it needs one."""
    taken: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if (
                end > start
                and _accepted(kind, match.groupdict())
                and not _overlaps(start, end, taken)
            ):
                taken.append((start, end, kind, match))
    mentions: list[DateMention] = []
    for start, end, kind, match in sorted(taken, key=lambda item: item[0]):
        groups = match.groupdict()
        date, relative = _resolve(kind, groups, anchor)
        named = groups.get("weekday")
        weekday = weekday_number(named) if named else None
        mentions.append(DateMention(start, end, match.group(), date, weekday, relative))
    return tuple(mentions)


# The dates of a sentence are read once and kept (`scan_dates` reads whole articles, uncached).
date_mentions = lru_cache(maxsize=16_384)(scan_dates)
