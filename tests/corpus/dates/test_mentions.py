"""The dates a sentence mentions: both Arabic month calendars, ordinal days, day ranges,
Arabic-Indic digits, weekdays, and what is said relative to the article's date, which is placed
only when that date is known and otherwise kept as stated, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.dates import PartialDate, date_mentions

ANCHOR = dt.date(2025, 8, 5)  # a Tuesday


def _dates(text: str, anchor: dt.date | None = None) -> list[str | None]:
    return [m.date.iso() if m.date else None for m in date_mentions(text, anchor)]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("سقط النظام في 8 من كانون الأول 2024.", "2024-12-08"),
        ("سقط النظام في 8 ديسمبر 2024.", "2024-12-08"),  # the other calendar's name
        ("في ٨ من كانون الأول ٢٠٢٤", "2024-12-08"),  # Arabic-Indic digits
        ("منذ 30 من أيلول 2015", "2015-09-30"),
        ("منذ 30 سبتمبر 2015", "2015-09-30"),
        ("وعقب سقوط نظام الأسد في الثامن من كانون الأول 2024،", "2024-12-08"),
        ("في الحادي والعشرين من آب 2015", "2015-08-21"),
        ("يومي 23 و24 شباط 2025", "2025-02-23/24"),
        ("on February 23-24, 2025", "2025-02-23/24"),
        ("in July 2025 the talks", "2025-07"),
        ("في تموز 2025", "2025-07"),
        ("في عام 2015", "2015"),
        ("31/7/2025", "2025-07-31"),
    ],
)
def test_whole_dates_need_no_article_date(text: str, iso: str) -> None:
    assert _dates(text) == [iso]
    assert _dates(text, ANCHOR) == [iso]


@pytest.mark.parametrize(
    ("text", "unplaced", "placed"),
    [
        ("يوم الخميس 31 من تموز", "--07-31", "2025-07-31"),
        ("يومي 23 و24 شباط الماضي", "--02-23/24", "2025-02-23/24"),
        ("في أكتوبر المقبل", "--10", "2025-10"),
        ("next October", "--10", "2025-10"),
        ("15 من تشرين الأول المقبل", "--10-15", "2025-10-15"),
        ("في الثامن من كانون الأول الماضي", "--12-08", "2024-12-08"),
        ("شهر آب الماضي", "--08", "2024-08"),  # "last August" said in August is a year back
        ("أعلنت روسيا، اليوم الثلاثاء، أنها", None, "2025-08-05"),
        ("حدد كاميرون، اليوم (الاثنين)، ملامح", None, "2025-08-05"),
        ("وقال أمس إن", None, "2025-08-04"),
        ("yesterday (Monday) he said", None, "2025-08-04"),
        ("الشهر الماضي", None, "2025-07"),
        ("last year", None, "2024"),
        ("يوم الخميس", None, "2025-07-31"),  # the Thursday before the article's Tuesday
        ("الخميس المقبل", None, "2025-08-07"),
    ],
)
def test_relative_dates_are_placed_only_by_the_articles_own_date(
    text: str, unplaced: str | None, placed: str
) -> None:
    assert _dates(text) == [unplaced]
    assert _dates(text, ANCHOR) == [placed]


def test_a_weekday_is_kept_though_its_day_is_not_known() -> None:
    (mention,) = date_mentions("استقبل بوتين الشيباني الثلاثاء في الكرملين")
    assert (mention.date, mention.weekday, mention.text) == (None, 2, "الثلاثاء")


@pytest.mark.parametrize(
    "text",
    ["اليوم الوطني السعودي", "أب وأم", "في آب", "It may be so", "مارس الضغط", "2000 جندي"],
)
def test_words_that_only_look_like_dates_are_not_dates(text: str) -> None:
    assert date_mentions(text) == ()


def test_a_sentence_with_several_dates_gives_each_where_it_is_written() -> None:
    text = (
        "وصل الشيباني يوم الخميس، في أول زيارة منذ سقوط نظام الأسد في 8 من كانون الأول الماضي 2024."
    )
    mentions = date_mentions(text)
    assert [m.text for m in mentions] == ["يوم الخميس", "8 من كانون الأول الماضي 2024"]
    assert all(text[m.start : m.end] == m.text for m in mentions)
    assert mentions[1].date == PartialDate(2024, 12, 8)
