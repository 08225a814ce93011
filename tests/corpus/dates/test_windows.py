"""Dates at the edges: an article's own date in the forms files give it, a filter's typed
dates, and the span of time a question asks about."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.dates import DateWindow, PartialDate, normalize_date, question_window, window_between

NEWEST = dt.date(2015, 8, 2)


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        ("2015-07-21 02:51:32", "2015-07-21"),
        ("2025-06-04T10:00:00Z", "2025-06-04"),
        ("4 من حزيران 2025", "2025-06-04"),
        ("الأربعاء ٤ حزيران ٢٠٢٥", "2025-06-04"),
        ("June 4, 2025", "2025-06-04"),
        ("04/06/2025", "2025-06-04"),
        ("Wed, 04 Jun 2025 10:00:00 GMT", "2025-06-04"),
        ("حزيران 2025", "2025-06"),
        ("يونيو 2025", "2025-06"),
        ("2025", "2025"),
        ("yesterday", "yesterday"),  # kept as given: not a date this can read
        ("  ", None),
    ],
)
def test_an_articles_date_is_normalized_to_iso(given: str, iso: str | None) -> None:
    assert normalize_date(given) == iso


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("ما الذي حدث في تموز؟", DateWindow(month=7)),  # July of any year
        ("What happened in July 2015?", DateWindow(dt.date(2015, 7, 1), dt.date(2015, 7, 31))),
        ("Summarize what happened in 2025", DateWindow(dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        ("أخبار الأسبوع الماضي", DateWindow(dt.date(2015, 7, 27), NEWEST)),
        ("last week", DateWindow(dt.date(2015, 7, 27), NEWEST)),
        ("news of last month", DateWindow(dt.date(2015, 7, 1), dt.date(2015, 7, 31))),
        ("بين 1 و15 تموز 2025", DateWindow(dt.date(2025, 7, 1), dt.date(2025, 7, 15))),
        ("منذ آذار 2025", DateWindow(start=dt.date(2025, 3, 1))),
        ("before June 2025", DateWindow(end=dt.date(2025, 5, 31))),
        ("until July 2025", DateWindow(end=dt.date(2025, 7, 31))),
        ("متى التقى لافروف بالشيباني؟", None),
    ],
)
def test_a_question_says_the_span_of_time_it_asks_about(
    question: str, window: DateWindow | None
) -> None:
    found = question_window(question, NEWEST)
    assert (found[0] if found else None) == window


def test_relative_spans_need_the_newest_articles_date() -> None:
    assert question_window("last week", None) is None
    assert question_window("الشهر الماضي", None) is None


def test_a_window_holds_what_it_can_tell_and_says_when_it_cannot() -> None:
    july = DateWindow(dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    assert july.holds(PartialDate(2025, 7, 31)) is True
    assert july.holds(PartialDate(2025, 8, 1)) is False
    assert july.holds(PartialDate(2025)) is True  # the year overlaps
    assert july.holds(PartialDate(None, 7, 31)) is None  # no year: cannot tell
    assert july.holds(PartialDate(None, 10)) is False  # but no October is in July 2025
    assert DateWindow(month=7).holds(PartialDate(None, 7, 31)) is True
    assert DateWindow(month=7, day=31).holds(PartialDate(2024, 7)) is None


def test_typed_filter_dates_make_a_window_and_bad_ones_say_which() -> None:
    window = window_between("2025-07", "2025-08-15")
    assert window == DateWindow(dt.date(2025, 7, 1), dt.date(2025, 8, 15))
    assert window_between("", None) is None
    assert window_between("2025", "") == DateWindow(start=dt.date(2025, 1, 1))
    with pytest.raises(ValueError, match="next blue moon"):
        window_between("next blue moon", None)
    with pytest.raises(ValueError):
        window_between("2025-08", "2025-07")
