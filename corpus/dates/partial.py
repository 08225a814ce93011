"""Dates as far as they are known, and windows of time.

A `PartialDate` is what a text states: a day (or two days of one month), a month of a year, a
year, or a day and month whose year is not known ("31 تموز"). It is written in ISO 8601's forms
("2025-07-31", "2025-07", "2025", "--07-31", "--07"; a day range "2025-02-23/24"), which is how
an article's date and its events are stored. A `DateWindow` is what a filter asks for: days from
one to another, or a month of any year ("في تموز").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from corpus.dates.names import date_label

_ISO = re.compile(
    r"^(?:(?P<year>\d{4})|-)(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})(?:/(?P<last>\d{2}))?)?)?$"
)


def _valid(year: int | None, month: int | None, day: int | None) -> bool:
    if month is None:
        return day is None and year is not None
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    # Without a year, 29 February may still be a real day.
    return 1 <= day <= calendar.monthrange(year or 2024, month)[1]


@dataclass(frozen=True)
class PartialDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    last_day: int | None = None  # the last day of a range of days in one month ("23 و24 شباط")

    @classmethod
    def make(
        cls, year: int | None, month: int | None, day: int | None = None, last: int | None = None
    ) -> PartialDate | None:
        """The date, or None when it is no calendar date (31 June, month 13)."""
        if not _valid(year, month, day) or (last is not None and not _valid(year, month, last)):
            return None
        last = last if last is not None and day is not None and last > day else None
        return cls(year, month, day, last)

    @classmethod
    def of(cls, day: dt.date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @classmethod
    def from_iso(cls, text: str | None) -> PartialDate | None:
        """The date an ISO form states ("2025-07-31", "2025-07", "--07-31", ...), or None."""
        match = _ISO.match((text or "").strip())
        if not match or (match["year"] is None and match["month"] is None):
            return None
        year, month, day, last = (
            int(value) if value else None
            for value in (match["year"], match["month"], match["day"], match["last"])
        )
        return cls.make(year, month, day, last)

    def iso(self) -> str:
        year = f"{self.year:04d}" if self.year is not None else "-"
        if self.month is None:
            return year
        text = f"{year}-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
            if self.last_day is not None:
                text += f"/{self.last_day:02d}"
        return text

    @property
    def exact(self) -> dt.date | None:
        """The day, when year, month and day are all known."""
        if self.year is None or self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def bounds(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day it may be, when its year is known."""
        if self.year is None:
            return None
        if self.month is None:
            return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        last = calendar.monthrange(self.year, self.month)[1]
        first_day = self.day or 1
        last_day = self.last_day or self.day or last
        return dt.date(self.year, self.month, first_day), dt.date(self.year, self.month, last_day)

    def sort_key(self) -> tuple[int, int, int, int]:
        """Calendar order; what is not known sorts first within what is."""
        return (self.year or 0, self.month or 0, self.day or 0, self.last_day or 0)

    def agrees(self, other: PartialDate) -> bool:
        """No part known to both differs: "31 July" agrees with "2025-07-31" and "July"."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        return all(a is None or b is None or a == b for a, b in pairs)

    def label(self, language: str) -> str:
        """In words of `language` ("31 تموز/يوليو 2025", "23–24 February")."""
        return date_label(self.year, self.month, self.day, self.last_day, language)

    def fuller(self, other: PartialDate) -> PartialDate:
        """Of two dates that agree, the one that says more."""
        known = sum(part is not None for part in (self.year, self.month, self.day))
        theirs = sum(part is not None for part in (other.year, other.month, other.day))
        return other if theirs > known else self


@dataclass(frozen=True)
class DateWindow:
    """Days from `start` to `end` (inclusive; either may be open), or a month (and day) of any
    year ("في تموز", "on 31 July")."""

    start: dt.date | None = None
    end: dt.date | None = None
    month: int | None = None
    day: int | None = None

    @classmethod
    def around(cls, date: PartialDate) -> DateWindow:
        """The days `date` may be: its bounds, or (year unknown) its month and day of any year."""
        bounds = date.bounds()
        if bounds is not None:
            return cls(*bounds)
        return cls(month=date.month, day=date.day)

    def holds(self, date: PartialDate) -> bool | None:
        """Whether `date` falls in the window; None when that cannot be told (a year or a day
        the window needs and the date does not state)."""
        if self.month is not None:
            if date.month is None or (self.day is not None and date.day is None):
                return None
            if self.day is None:
                return date.month == self.month
            final = date.last_day or date.day or 0
            return date.month == self.month and (date.day or 0) <= self.day <= final
        bounds = date.bounds()
        if bounds is None:
            # No year: it is outside a window of less than a year that none of its months meet.
            months = self._months()
            return None if months is None or date.month in months else False
        first, last = bounds
        return (self.end is None or first <= self.end) and (
            self.start is None or last >= self.start
        )

    def _months(self) -> set[int] | None:
        """The months a window of less than a year meets, or None for a longer or open one."""
        if self.start is None or self.end is None or (self.end - self.start).days >= 365:
            return None
        months: set[int] = set()
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.add(month)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def label(self, language: str) -> str:
        """In words of `language`: "تموز/يوليو", "July 2025", "2025", "2025-07-01 – 2025-07-15"."""
        if self.month is not None:
            return date_label(None, self.month, self.day, None, language)
        if self.start and self.end:
            whole = PartialDate(self.start.year, self.start.month)
            if self.start.month == 1 and self.end == dt.date(self.start.year, 12, 31):
                whole = PartialDate(self.start.year)
            if self.start == self.end:
                whole = PartialDate.of(self.start)
            if whole.bounds() == (self.start, self.end):
                return whole.label(language)
        start = self.start.isoformat() if self.start else "…"
        end = self.end.isoformat() if self.end else "…"
        return f"{start} – {end}"

    def iso(self) -> str:
        if self.month is not None:
            return f"--{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")
        start = self.start.isoformat() if self.start else ".."
        end = self.end.isoformat() if self.end else ".."
        return f"{start}/{end}"


def shift_months(day: dt.date, months: int) -> tuple[int, int]:
    """(year, month) `months` after the month of `day` (before, when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1
