"""Dates as Arabic and English news write them: the month names of both Arabic calendars
(كانون الثاني / يناير), weekdays, Arabic-Indic digits, and the patterns every stage that reads a
date uses (the question's answer type, the answer span, an article's own date).

Patterns match the text as written (every alef form, with or without hamza) and casefolded or
normalized text alike, so offsets can point into what the reader sees.
"""

from __future__ import annotations

import re

# A digit: ASCII, Arabic-Indic or Eastern Arabic-Indic (Persian).
DIGIT = "[0-9\u0660-\u0669\u06f0-\u06f9]"
# Arabic-Indic digits and separators to ASCII.
ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_ALEF = "[اأإآ]"
_TA = "[ةه]"  # ta marbuta, also as normalized search forms write it

ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ENGLISH_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# (pattern, month number): Levantine/Iraqi names, then Egyptian/Maghrebi ones, then English.
MONTHS: tuple[tuple[str, int], ...] = (
    ("كانون الثاني", 1),
    ("شباط", 2),
    (f"{_ALEF}ذار", 3),
    ("نيسان", 4),
    (f"{_ALEF}يار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    (f"{_ALEF}ب", 8),
    (f"{_ALEF}يلول", 9),
    (f"تشرين {_ALEF}ل{_ALEF}ول", 10),
    ("تشرين الثاني", 11),
    (f"كانون {_ALEF}ل{_ALEF}ول", 12),
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    (f"{_ALEF}بريل", 4),
    ("مايو", 5),
    ("يونيو|يونيه", 6),
    ("يوليو|يوليه", 7),
    (f"{_ALEF}غسطس", 8),
    ("سبتمبر", 9),
    (f"{_ALEF}كتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    *((name, number) for number, name in enumerate(ENGLISH_MONTHS, start=1)),
)
# (pattern, ISO weekday: Monday is 1).
WEEKDAYS: tuple[tuple[str, int], ...] = (
    (f"{_ALEF}ل{_ALEF}ثنين", 1),
    ("الثلاثاء", 2),
    (f"{_ALEF}ل{_ALEF}ربعاء", 3),
    ("الخميس", 4),
    (f"الجمع{_TA}", 5),
    ("السبت", 6),
    (f"{_ALEF}ل{_ALEF}حد", 7),
    *((name, number) for number, name in enumerate(ENGLISH_WEEKDAYS, start=1)),
)

MONTH = "|".join(f"(?:{pattern})" for pattern, _ in MONTHS)
WEEKDAY = "|".join(f"(?:{pattern})" for pattern, _ in WEEKDAYS)
# The Arabic names alone, and the English ones (which are capitalized in text: "May" is a month,
# "may" is not).
ARABIC_MONTH = "|".join(f"(?:{p})" for p, _ in MONTHS if not p.isascii())
ENGLISH_MONTH = "|".join(ENGLISH_MONTHS)
ARABIC_WEEKDAY = "|".join(f"(?:{p})" for p, _ in WEEKDAYS if not p.isascii())
ENGLISH_WEEKDAY = "|".join(ENGLISH_WEEKDAYS)
# A year from 1500 to 2099, in any of the digit sets.
YEAR = (
    "(?:[1\u0661\u06f1][5-9\u0665-\u0669\u06f5-\u06f9]|[2\u0662\u06f2][0\u0660\u06f0])"
    f"{DIGIT}{DIGIT}"
)
_B = r"(?<![\w])"  # a word starts here
_E = r"(?![\w])"  # a word ends here
PART_OF_MONTH = "منتصف|مطلع|أوائل|اوائل|أواخر|اواخر|نهاية|بداية"

_DAY_MONTH = (
    rf"{DIGIT}{{1,2}}\s+(?:من\s+)?(?:شهر\s+)?(?:{MONTH}){_E}"
    rf"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+)?{YEAR}{_E})?"
)
# Two days of one month: "يومي 23 و24 شباط", "23-24 February".
_DAY_RANGE = (
    rf"(?:يومي\s+)?{DIGIT}{{1,2}}\s*(?:و|-|–)\s*{DIGIT}{{1,2}}\s+(?:من\s+)?(?:شهر\s+)?"
    rf"(?:{MONTH}){_E}(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+)?{YEAR}{_E})?"
)
_MONTH_YEAR = rf"(?:{MONTH})\s+(?:من\s+)?(?:عام\s+|العام\s+)?{YEAR}{_E}"
_MONTH_ALONE = rf"(?:(?:{PART_OF_MONTH})\s+)?(?:شهر\s+)?(?:{MONTH}){_E}"
_NUMERIC = rf"{DIGIT}{{1,2}}[/.-]{DIGIT}{{1,2}}[/.-]{DIGIT}{{2,4}}{_E}"

# Any written date or part of one, as an answer span: a weekday and a day of a month, a day
# range, a month and year, a weekday alone, a month alone, "عام 2025", 31/7/2025, a year.
DATE_SPAN = re.compile(
    rf"{_B}(?:"
    rf"(?:(?:يوم\s+)?(?:{WEEKDAY}){_E}\s*[،,]?\s*(?:الموافق\s+)?)?"
    rf"(?:{_DAY_RANGE}|{_DAY_MONTH}|{_MONTH_YEAR})"
    rf"|(?:يوم\s+)?(?:{WEEKDAY}){_E}"
    rf"|{_MONTH_ALONE}"
    rf"|(?:عام|سنة|العام)\s+{YEAR}{_E}"
    rf"|{_NUMERIC}"
    rf"|{YEAR}{_E}"
    ")",
    re.IGNORECASE,
)
# A word that names a month or a weekday, or a year: what makes a sentence mention a date.
_DATE_WORD = re.compile(rf"{_B}(?:{MONTH}|{WEEKDAY}){_E}|(?<!\d){YEAR}(?!\d)", re.IGNORECASE)
_MONTH_PATTERNS = [(re.compile(rf"^(?:{p})$", re.IGNORECASE), n) for p, n in MONTHS]
_WEEKDAY_PATTERNS = [(re.compile(rf"^(?:{p})$", re.IGNORECASE), n) for p, n in WEEKDAYS]


def _number(name: str, patterns: list[tuple[re.Pattern[str], int]]) -> int | None:
    name = " ".join(name.split())
    return next((number for pattern, number in patterns if pattern.match(name)), None)


def month_number(name: str) -> int | None:
    """The month (1-12) a name of either Arabic calendar or English names, or None."""
    return _number(name, _MONTH_PATTERNS)


def weekday_number(name: str) -> int | None:
    """The ISO weekday (Monday 1) of an Arabic or English weekday name, or None."""
    return _number(name, _WEEKDAY_PATTERNS)


def _in_english(
    text: str, names: str, patterns: list[tuple[re.Pattern[str], int]], english: list[str]
) -> str:
    return re.sub(
        rf"{_B}(?:{names}){_E}",
        lambda m: english[(_number(m.group(), patterns) or 1) - 1],
        text,
        flags=re.IGNORECASE,
    )


def english_month_names(text: str) -> str:
    """Every Arabic month name in `text` replaced by its English name ("تموز" -> "July")."""
    return _in_english(text, MONTH, _MONTH_PATTERNS, ENGLISH_MONTHS)


def english_weekday_names(text: str) -> str:
    """Every Arabic weekday name in `text` replaced by its English name."""
    return _in_english(text, WEEKDAY, _WEEKDAY_PATTERNS, ENGLISH_WEEKDAYS)


def mentions_date(text: str) -> bool:
    """Whether `text` names a month, a weekday or a year."""
    return bool(_DATE_WORD.search(text))


# Month names to show: the Levantine/Iraqi name with the Egyptian/Maghrebi one ("تموز/يوليو"),
# so a reader of either calendar reads it.
ARABIC_MONTH_NAMES = (
    "كانون الثاني/يناير",
    "شباط/فبراير",
    "آذار/مارس",
    "نيسان/أبريل",
    "أيار/مايو",
    "حزيران/يونيو",
    "تموز/يوليو",
    "آب/أغسطس",
    "أيلول/سبتمبر",
    "تشرين الأول/أكتوبر",
    "تشرين الثاني/نوفمبر",
    "كانون الأول/ديسمبر",
)


def date_label(
    year: int | None, month: int | None, day: int | None, last_day: int | None, language: str
) -> str:
    """A date in words of `language` ("ar" or "en"): "31 تموز/يوليو 2025", "23–24 February",
    "July 2025", "2025"."""
    parts = []
    if day is not None:
        parts.append(f"{day}–{last_day}" if last_day else str(day))
    if month is not None:
        parts.append((ARABIC_MONTH_NAMES if language == "ar" else ENGLISH_MONTHS)[month - 1])
    if year is not None:
        parts.append(str(year))
    return " ".join(parts)
