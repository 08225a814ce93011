"""Dates as Arabic and English news write them: both Arabic month calendars, weekdays,
Arabic-Indic digits, and whole calendar dates."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.dates import (
    DATE_SPAN,
    date_mentions,
    english_month_names,
    english_weekday_names,
    mentions_date,
    month_number,
    weekday_number,
)


@pytest.mark.parametrize(
    ("levantine", "egyptian", "number"),
    [
        ("كانون الثاني", "يناير", 1),
        ("شباط", "فبراير", 2),
        ("آذار", "مارس", 3),
        ("أيار", "مايو", 5),
        ("آب", "أغسطس", 8),
        ("تشرين الأول", "أكتوبر", 10),
        ("كانون الأول", "ديسمبر", 12),
    ],
)
def test_both_arabic_calendars_name_the_same_month(levantine, egyptian, number) -> None:
    assert month_number(levantine) == month_number(egyptian) == number
    # The alef as normalized text writes it, and extra spaces inside a two-word name.
    assert month_number(levantine.replace("أ", "ا").replace("آ", "ا").replace(" ", "  ")) == number


def test_weekdays_and_english_names() -> None:
    assert weekday_number("الجمعة") == weekday_number("الجمعه") == weekday_number("Friday") == 5
    assert weekday_number("الإثنين") == weekday_number("الاثنين") == 1
    assert english_month_names("في 23 و24 شباط وفي تشرين الثاني") == (
        "في 23 و24 February وفي November"
    )
    assert english_weekday_names("يوم الخميس") == "يوم Thursday"
    assert month_number("غداً") is None and weekday_number("غداً") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("دمشق في 4 من حزيران 2025 - قال", dt.date(2025, 6, 4)),
        ("نُشر في ٤ حزيران ٢٠٢٥", dt.date(2025, 6, 4)),
        ("2025-07-31 Moscow", dt.date(2025, 7, 31)),
        ("31/7/2025", dt.date(2025, 7, 31)),
        ("June 4, 2025", dt.date(2025, 6, 4)),
        ("يوم 12 أكتوبر، عام 2025", dt.date(2025, 10, 12)),
    ],
)
def test_a_whole_date_is_read_with_its_offsets(text: str, expected: dt.date) -> None:
    found = [m for m in date_mentions(text, None) if m.date is not None and m.date.exact]
    assert found
    date, (start, end) = found[0].date.exact, (found[0].start, found[0].end)
    assert date == expected and text[start:end].strip()


def test_no_whole_date_is_not_guessed() -> None:
    for text in ("في حزيران الماضي", "31/2/2025", "العدد 1234 من الصحيفة"):  # 31/2: no such day
        assert not [m for m in date_mentions(text, None) if m.date is not None and m.date.exact]


def test_a_sentence_mentions_a_date_by_month_weekday_or_year() -> None:
    assert mentions_date("التقى الوزيران يوم الخميس")
    assert mentions_date("في عام ٢٠٢٥")
    assert not mentions_date("التقى الوزيران في موسكو")
    spans = [m.group() for m in DATE_SPAN.finditer("عُقدت يومي 23 و24 شباط 2025 في موسكو")]
    assert spans == ["يومي 23 و24 شباط 2025"]
