"""Text normalization for matching, and tokens for lexical search.

`normalize_text` is the single definition of "the same text" in the project: answer matching,
duplicate detection and search all go through it, so spelling variants that readers treat as
equal (diacritics, tatweel, hamza on alef, digit scripts, letter case) compare equal.
"""

from __future__ import annotations

import re
import unicodedata


def _char_range(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


_DELETED = (
    _char_range(0x0610, 0x061A)  # Quranic annotation signs
    + _char_range(0x064B, 0x065F)  # harakat, tanween, shadda, sukun
    + [0x0670]  # superscript alef
    + _char_range(0x06D6, 0x06ED)  # Quranic small high signs
    + [0x0640]  # tatweel: pure stretching, never a letter
    # Invisible bidi/joiner marks that scrapers leave inside Arabic words and that would
    # otherwise split or defeat an exact match.
    + [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF]
    + _char_range(0x202A, 0x202E)
    + _char_range(0x2066, 0x2069)
)
_ALEF_FORMS = "أإآٱٲٳ"
_MATCH_TABLE: dict[int, int | str | None] = {
    **dict.fromkeys(_DELETED),
    **{ord(form): "ا" for form in _ALEF_FORMS},
    **{0x0660 + digit: str(digit) for digit in range(10)},
    **{0x06F0 + digit: str(digit) for digit in range(10)},
}
# Letters that are often written interchangeably at word ends; folded only for search, because
# in displayed or matched answers they can distinguish words.
_SEARCH_TABLE = str.maketrans({"ى": "ي", "ة": "ه"})
_WORD = re.compile(r"[^\W_]+")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")

# Single-letter prefixes need a longer remainder than compound ones: with only 3 letters left,
# common words such as "وزير" or "لقاء" would lose a root letter and stop matching "الوزير".
_COMPOUND_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_LETTER_PREFIXES = ("و", "ف", "ب", "ك", "ل")
_SUFFIXES = ("ها", "ات", "ون", "ين", "ان", "يه", "ه", "ي")
_MIN_STEM = 3

_ARABIC_STOPWORDS = """
في من إلى الى على عن أن إن ان ما لا لم لن هذا هذه ذلك تلك هنا هناك الذي التي الذين اللذان
اللتان اللاتي كان كانت يكون تكون كانوا هو هي هم هن أنا نحن أنت مع أو ثم قد لقد بين كل بعد
قبل حتى إذا اذا إلا الا كما أي عند منذ خلال حول ضد لدى لكن ولكن بل أيضا ايضا غير وقد وكان
وهو وهي فيه فيها منه منها عليه عليها إليه إليها به بها له لها ماذا متى أين كيف لماذا هل
"""
_ENGLISH_STOPWORDS = """
a an the of to in on at by for from with about as into over after before and or but not no
is are was were be been being am do does did has have had it its this that these those there
here what who whom whose which when where why how than then so if he she they we you i his her
their our your my me him them us will would can could should may might shall must
"""


# Unicode's stream-safe text format (UAX #15): a combining grapheme joiner after every 30
# marks in a row. NFKC reorders a run of marks in time quadratic in its length (80 KB of two
# alternating accents took 3.5 s); no script needs more than 30 on one letter.
_MAX_MARKS_IN_A_ROW = 30
_GRAPHEME_JOINER = "\u034f"
# Marks are neither word characters nor spaces, so only such runs need looking at.
_POSSIBLE_MARK_RUN = re.compile(rf"[^\w\s]{{{_MAX_MARKS_IN_A_ROW + 1},}}")


def _stream_safe_run(run: re.Match[str]) -> str:
    chars: list[str] = []
    marks = 0
    for char in run.group():
        marks = marks + 1 if unicodedata.combining(char) else 0
        if marks > _MAX_MARKS_IN_A_ROW:
            chars.append(_GRAPHEME_JOINER)
            marks = 1
        chars.append(char)
    return "".join(chars)


def stream_safe(text: str) -> str:
    """`text` with a combining grapheme joiner (U+034F) after every 30 marks in a row, so that
    Unicode normalization takes linear time; text with shorter runs is returned unchanged."""
    return _POSSIBLE_MARK_RUN.sub(_stream_safe_run, text)


def normalize_text(text: str) -> str:
    """Canonical form for matching: NFKC, no diacritics/tatweel, bare alef, ASCII digits,
    casefolded, single spaces."""
    folded = unicodedata.normalize("NFKC", stream_safe(text)).translate(_MATCH_TABLE).casefold()
    # Deleting an invisible mark ("e\u200b\u0301") or casefolding ("ß\u0301" -> "ss\u0301") can
    # leave a letter and an accent that compose; compose them so the result is a fixed point.
    folded = unicodedata.normalize("NFKC", folded)
    return " ".join(folded.split())


def _strip_affixes(token: str) -> str:
    for prefix in _COMPOUND_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_STEM:
            token = token[len(prefix) :]
            break
    else:
        for prefix in _LETTER_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) > _MIN_STEM:
                token = token[len(prefix) :]
                break
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)]
    return token


def search_form(text: str) -> str:
    """`normalize_text`, then ى→ي and ة→ه: the spelling that word matching compares."""
    return normalize_text(text).translate(_SEARCH_TABLE)


_STOPWORDS = frozenset(search_form(f"{_ARABIC_STOPWORDS} {_ENGLISH_STOPWORDS}").split())


def search_tokens(text: str) -> list[str]:
    """Tokens for lexical (BM25) search; queries and passages must both go through this.

    Rule: `normalize_text`, then fold ى→ي and ة→ه; split into runs of Unicode letters/digits;
    drop stopwords (Arabic and English); on tokens containing Arabic letters strip at most one
    prefix and then at most one suffix, longest first. Compound prefixes (وال بال كال فال لل ال)
    and suffixes (ها ات ون ين ان ية ه ي) are stripped when at least 3 letters remain; the
    single-letter prefixes (و ف ب ك ل) only when at least 4 remain. A stopword behind one of
    those letters is a stopword too, so "وهذا" goes like "هذا".
    """
    tokens: list[str] = []
    for token in _WORD.findall(search_form(text)):
        if token in _STOPWORDS or (token[0] in _LETTER_PREFIXES and token[1:] in _STOPWORDS):
            continue
        tokens.append(_strip_affixes(token) if _ARABIC_LETTER.search(token) else token)
    return tokens
