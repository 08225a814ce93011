"""Which language a question is in: decides the answer's language and whether BM25 can help."""

from __future__ import annotations

import re
from typing import Literal

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


def text_direction(text: str) -> Literal["rtl", "ltr"]:
    return "rtl" if detect_language(text) == "ar" else "ltr"
