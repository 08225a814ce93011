"""Which language a question is in: decides the answer's language and whether BM25 can help."""

from __future__ import annotations

import re
from typing import Literal

from corpus.normalize import search_form

Language = Literal["ar", "en"]

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def detect_language(text: str) -> Language:
    """Arabic when Arabic letters are at least as many as Latin ones, else English.

    Ties and texts without letters go to Arabic, the corpus language: a question such as
    "2024؟" is far likelier to come from an Arabic reader.
    """
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ar" if arabic >= latin else "en"


# Words a question opens with, in their `search_form` (normalized, ى→ي, ة→ه). A question is
# written in the language of its frame, which its first word gives: "متى ستعقد Arab-Russian
# summit؟" is Arabic although most of its letters are Latin, "Who is أحمد الشرع?" is English.
_ARABIC_OPENERS = frozenset(
    [
        "متي",
        "من",
        "ما",
        "ماذا",
        "اين",
        "كيف",
        "لماذا",
        "لما",
        "هل",
        "كم",
        "اي",
        "ايه",
        "ممن",
        "مما",
        "بما",
        "بمن",
        "لمن",
        "عن",
        "في",
        "الي",
        "علي",
        "منذ",
        "اذكر",
        "عدد",
        "اشرح",
        "صف",
    ]
)
_ENGLISH_OPENERS = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "which",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "has",
        "have",
        "had",
        "should",
        "tell",
        "list",
        "name",
        "give",
        "describe",
        "explain",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")


def question_language(text: str) -> Language:
    """The language of a question: that of its first word when it is a question word of either
    language (behind a leading و or ف in Arabic), else `detect_language`."""
    first = next(iter(_WORD.findall(search_form(text))), "")
    if first in _ARABIC_OPENERS or (first[:1] in "وف" and first[1:] in _ARABIC_OPENERS):
        return "ar"
    if first in _ENGLISH_OPENERS:
        return "en"
    return detect_language(text)


def text_direction(text: str) -> Literal["rtl", "ltr"]:
    return "rtl" if detect_language(text) == "ar" else "ltr"
