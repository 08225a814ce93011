"""What every format reader returns: the article text with what the file says about it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# An absolute web address: what a fetched article is known by (its canonical URL).
WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
# A date as the formats state it: ISO 8601 (2025-10-16, 2025-10-16T09:30:00Z, ...).
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")


class FormatError(Exception):
    """The file cannot become an article; the message is the user-facing reason (English; the
    application layer adds the Arabic)."""


@dataclass(frozen=True)
class Document:
    """An article read from a file or a page: `text` holds its paragraphs, one per line, in
    reading order; the rest is what the file states about it (`date` as YYYY-MM-DD)."""

    text: str
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None


def iso_day(value: object) -> str | None:
    """YYYY-MM-DD of a date, a datetime or an ISO 8601 string, when it names a real day."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and (match := _ISO_DAY.match(value)):
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            return None
    return None


def one_line(value: object, limit: int = 300) -> str | None:
    """A metadata value as one line of at most `limit` characters, or None when empty."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())[:limit]
    return text or None
