"""Expected answer type: a "when" question is answered by a sentence with a date in it.

The classic question-answering cue. Dates and quantities show reliably in the surface form of a
sentence in both languages, so they also score sentences (`matches_type`); persons and places
only decide what part of the answer is highlighted. Everything else is left to the embedding
model.
"""

from __future__ import annotations

import re
from enum import StrEnum

from corpus import normalize_text
from corpus.dates import mentions_date
from corpus.normalize import search_form


class AnswerType(StrEnum):
    DATE = "date"
    NUMBER = "number"
    PERSON = "person"
    PLACE = "place"
    OTHER = "other"

    @property
    def has_surface_form(self) -> bool:
        """Whether a sentence shows this type in its words (`matches_type`)."""
        return self in (AnswerType.DATE, AnswerType.NUMBER)


_DATE_QUESTION = re.compile(
    r"\b(when|what (date|day|year|month|time)|which (date|day|year|month)|since when|how long ago)\b"
    r"|(^|\s)(متي|منذ متي|في اي (عام|سنه|يوم|شهر|تاريخ)|ما تاريخ|في اي وقت)(\s|$)"
)
_NUMBER_QUESTION = re.compile(
    r"\b(how (many|much|old|long|far|big|large|tall)|what (percentage|proportion|number|amount))\b"
    r"|(^|\s)(كم|ما عدد|ما نسبه|ما حجم|ما مقدار|ما قيمه|بلغ عدد)(\s|$)"
)

# "من" opens a "who" question; inside one it means "from".
_PERSON_QUESTION = re.compile(
    r"^(who|whom|whose)\b|\b(who (is|was|are|were|met|said|received|visited))\b"
    r"|\b(which|what) (\w+ )?(minister|president|official|leader|ambassador|spokesman|envoy"
    r"|king|prince|person|general|officer|diplomat|politician)\b"
    r"|^(و|ف)?(من|ما اسم|مع من|بمن|لمن)(\s|$)"
    r"|(^|\s)اي (وزير|مسؤول|رئيس|سفير|قائد|شخص|مبعوث|دبلوماسي)"
)
_PLACE_QUESTION = re.compile(
    r"\b(where|in which (city|country|place|capital)|what (city|country|place))\b"
    r"|(^|\s)(اين|الي اين|من اين|في اي (مدينه|دوله|بلد|مكان|عاصمه))(\s|$)"
)

_DIGITS = re.compile(r"\d")
_NUMBER_WORDS = re.compile(
    r"(^|\s)(?:و|ف|ب|ل|ك)?(?:ال)?(واحد|اثنان|اثنين|ثلاث|ثلاثه|اربع|اربعه|خمس|خمسه|ست|سته|سبع|سبعه|ثماني|ثمانيه|تسع|تسعه|عشر|عشره|"
    r"عشرون|عشرين|مئه|مائه|الف|مليون|مليار|one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)"
)


def question_type(question: str) -> AnswerType:
    text = search_form(question)
    if _DATE_QUESTION.search(text):
        return AnswerType.DATE
    if _NUMBER_QUESTION.search(text):
        return AnswerType.NUMBER
    if _PLACE_QUESTION.search(text):
        return AnswerType.PLACE
    if _PERSON_QUESTION.search(text):
        return AnswerType.PERSON
    return AnswerType.OTHER


def matches_type(sentence: str, expected: AnswerType) -> bool:
    text = normalize_text(sentence)
    if expected is AnswerType.DATE:
        return mentions_date(text)
    if expected is AnswerType.NUMBER:
        return bool(_DIGITS.search(text) or _NUMBER_WORDS.search(text.replace("ة", "ه")))
    return False
