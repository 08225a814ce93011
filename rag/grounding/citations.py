"""Citation markers in generated text: `[1]`, `[1, 3]`, `[1][2]`, `[١]`, `[٢،٣]`, `［１］`.

A marker is a pair of square brackets holding one or more passage numbers separated by commas
(`,` or the Arabic `،`) or a short range (`[1-3]`). Digits may be ASCII, Arabic-Indic (U+0660-0669)
or Extended Arabic-Indic (U+06F0-06F9); compatibility forms such as full-width brackets and
digits are read through NFKC. Spans always refer to the original text. Anything else in brackets
(`[a]`, `[]`, `[0]`, `[-1]`, an unclosed `[1`, a number of more than `MAX_DIGITS` digits) is
ordinary text, not a citation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_DIGITS = 3  # markers number passages; [1000] and beyond are not markers
MAX_RANGE = 20  # [1-3] expands; a longer range is not a plausible citation

_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
_NUMBER = rf"[{_DIGIT}]{{1,{MAX_DIGITS}}}(?![{_DIGIT}])"
_ITEM = rf"{_NUMBER}(?:\s*[-\u2013]\s*{_NUMBER})?"
_SEPARATOR = r"\s*[,\u060c]\s*"
MARKER_PATTERN = re.compile(rf"\[\s*(?P<body>{_ITEM}(?:{_SEPARATOR}{_ITEM})*)\s*\]")
_ITEM_PATTERN = re.compile(rf"(?P<first>{_NUMBER})(?:\s*[-\u2013]\s*(?P<last>{_NUMBER}))?")


@dataclass(frozen=True)
class Marker:
    """A citation marker: its passage numbers in written order and `text[start:end]`."""

    numbers: tuple[int, ...]
    start: int
    end: int
    text: str


def _normalized(text: str) -> tuple[str, list[int]]:
    """NFKC applied character by character, with the original offset of every output char."""
    if text.isascii():
        return text, list(range(len(text) + 1))
    pieces: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        pieces.append(folded)
        origin.extend([i] * len(folded))
    origin.append(len(text))
    return "".join(pieces), origin


def _numbers(body: str) -> tuple[int, ...] | None:
    numbers: list[int] = []
    for item in _ITEM_PATTERN.finditer(body):
        if any(int(group[0]) == 0 for group in item.groups() if group):
            return None  # [0], [01]: passages count from 1 and are not zero-padded
        first = int(item["first"])  # int() reads every Unicode decimal digit script
        last = int(item["last"]) if item["last"] else first
        if last < first or last - first > MAX_RANGE:
            return None
        numbers.extend(range(first, last + 1))
    return tuple(numbers) or None


def parse_markers(text: str) -> list[Marker]:
    """Every well-formed citation marker in `text`, in order."""
    folded, origin = _normalized(text)
    markers = []
    for match in MARKER_PATTERN.finditer(folded):
        numbers = _numbers(match["body"])
        if numbers is None:
            continue
        start = origin[match.start()]
        # The end is just past the original character that produced the closing bracket.
        end = origin[match.end() - 1] + 1
        markers.append(Marker(numbers, start, end, text[start:end]))
    return markers


def strip_markers(text: str) -> str:
    """`text` without its markers (and the spaces before them); other brackets are kept.

    The result holds no marker at all: one that appears by removing another ("[[1]2]") goes too.
    """
    stripped = _strip_once(text)
    while stripped != text:
        text, stripped = stripped, _strip_once(stripped)
    return stripped


def _strip_once(text: str) -> str:
    out = ""
    position = 0
    for marker in parse_markers(text):
        out += text[position : marker.start].rstrip(" \t")
        position = marker.end
        # A marker wedged between two words ("a[1]b") must not glue them together.
        following = text[position : position + 1]
        if out and out[-1].isalnum() and following.isalnum():
            out += " "
    out += text[position:]
    # A marker removed from between two words leaves them separated by the space after it; one
    # removed before punctuation leaves nothing behind.
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def without_marker_lookalikes(text: str) -> str:
    """Quoted text without what a reader would take for one of our markers: well-formed
    markers and bracketed numbers (an article's "[1]" must not sit beside the real one)."""
    if "[" not in text and "\uff3b" not in text:  # ［, read as [ through NFKC
        return text
    return strip_markers(strip_malformed_markers(text)[0])


# Brackets around numbers only ("[0]", "[1000]", "[1-50]", "[2, ]"): citation-looking text. The
# ones `parse_markers` does not accept are malformed markers, reported rather than shown.
_BRACKETED_NUMBERS = re.compile(
    rf"\[[\s{_DIGIT},\u060c\-\u2013]*[{_DIGIT}][\s{_DIGIT},\u060c\-\u2013]*\]"
)


def strip_malformed_markers(text: str) -> tuple[str, list[str]]:
    """`text` without the bracketed numbers that are not well-formed markers, and those
    removed (as written)."""
    folded, origin = _normalized(text)
    valid = {(m.start, m.end) for m in parse_markers(text)}
    removed: list[tuple[int, int]] = []
    for match in _BRACKETED_NUMBERS.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if (start, end) not in valid:
            removed.append((start, end))
    if not removed:
        return text, []
    kept, position = [], 0
    for start, end in removed:
        kept.append(text[position:start].rstrip(" \t"))
        position = end
    kept.append(text[position:])
    return "".join(kept), [text[start:end] for start, end in removed]


def resolve(numbers: Iterable[int], n_passages: int) -> tuple[list[int], list[int]]:
    """Split marker numbers into those naming one of `n_passages` passages and the rest.

    Both lists keep first-occurrence order without repeats.
    """
    valid: list[int] = []
    invalid: list[int] = []
    for number in numbers:
        bucket = valid if 1 <= number <= n_passages else invalid
        if number not in bucket:
            bucket.append(number)
    return valid, invalid
