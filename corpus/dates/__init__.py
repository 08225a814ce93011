"""Dates as Arabic and English news write them, in one place: the month names of both Arabic
calendars, weekdays and Arabic-Indic digits (`names`), dates as far as they are known and
windows of time (`partial`), the dates a sentence mentions resolved against its article's date
(`mentions`), and dates at the edges: an article's own date, a filter, a question's span of
time (`windows`)."""

from corpus.dates.mentions import DateMention, date_mentions, scan_dates
from corpus.dates.names import (
    ASCII_DIGITS,
    DATE_SPAN,
    DIGIT,
    ENGLISH_MONTHS,
    MONTHS,
    WEEKDAYS,
    english_month_names,
    english_weekday_names,
    mentions_date,
    month_number,
    weekday_number,
)
from corpus.dates.partial import DateWindow, PartialDate
from corpus.dates.windows import normalize_date, parse_date, question_window, window_between

__all__ = [
    "ASCII_DIGITS",
    "DATE_SPAN",
    "DIGIT",
    "ENGLISH_MONTHS",
    "MONTHS",
    "WEEKDAYS",
    "DateMention",
    "DateWindow",
    "PartialDate",
    "date_mentions",
    "english_month_names",
    "english_weekday_names",
    "mentions_date",
    "month_number",
    "normalize_date",
    "parse_date",
    "question_window",
    "scan_dates",
    "weekday_number",
    "window_between",
]
