"""Sentence splitting with exact source offsets, for Arabic and English news text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from corpus.limits import MAX_ANSWER_CHARS

_TERMINATORS = frozenset(".!?؟؛…")
# A closing quote or bracket right after a terminator belongs to the sentence it closes.
_CLOSERS = frozenset('”"’»)]')
CLAUSE_BREAKS = frozenset("،,:")
_BREAK = re.compile("[\n" + re.escape("".join(_TERMINATORS)) + "]")
_RUN_AFTER_TERMINATOR = re.compile("[" + re.escape("".join(_TERMINATORS | _CLOSERS)) + "]*")
_CUT_POINTS = (
    re.compile("(?<=[" + re.escape("".join(CLAUSE_BREAKS)) + "])"),
    re.compile(r"(?<=\S)\s"),
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _dot_continues(text: str, i: int) -> bool:
    """A '.' that is part of a token rather than the end of a sentence."""
    before = text[i - 1] if i > 0 else ""
    if not before.isascii() and not before.isdigit():  # every rule below needs one or the other
        return False
    after = text[i + 1] if i + 1 < len(text) else ""
    if before.isdigit() and after.isdigit():  # 3.5, ٣.٥
        return True
    if _is_ascii_alnum(before) and _is_ascii_alnum(after):  # example.com, v1.2, U.S
        return True
    # A lone Latin letter before the dot is an initial or abbreviation ("U.S.", "J. Smith").
    before_that = text[i - 2] if i > 1 else ""
    return before.isascii() and before.isalpha() and not before_that.isalnum()


def _sentence_ranges(text: str) -> list[tuple[int, int]]:
    """The sentences of `text`, untrimmed; empty ones between two newlines are left out."""
    ranges: list[tuple[int, int]] = []
    start = 0
    # Only breaks and terminators are looked at one by one; the regexes skip the rest in C.
    found = _BREAK.search(text)
    while found:
        i = found.start()
        if text[i] == "\n":
            if i > start:
                ranges.append((start, i))
            start = i + 1
        elif not (text[i] == "." and _dot_continues(text, i)):
            run = _RUN_AFTER_TERMINATOR.match(text, i + 1)
            end = run.end() if run else i + 1
            while _splits_a_character(text, end):  # a mark on the terminator stays with it
                end += 1
            ranges.append((start, end))
            start = end
        found = _BREAK.search(text, max(start, i + 1))
    ranges.append((start, len(text)))
    return ranges


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_points(text: str, start: int, end: int, level: int) -> list[int]:
    """Where [start, end) may be cut: after soft punctuation (level 0) or before whitespace."""
    cuts = [match.start() for match in _CUT_POINTS[level].finditer(text, start + 1, end)]
    # A comma can carry marks too; a space cut leaves any mark with the space it follows.
    return [cut for cut in cuts if not _splits_a_character(text, cut)] if level == 0 else cuts


_JOINERS = frozenset("\u200c\u200d")


def _splits_a_character(text: str, i: int) -> bool:
    """Whether cutting before text[i] separates it from what it belongs to: a combining mark
    from its letter, a joiner from either side, or the halves of a surrogate pair."""
    if i >= len(text):
        return False
    char, before = text[i], text[i - 1]
    return (
        unicodedata.category(char).startswith("M")
        or char in _JOINERS
        or before == "\u200d"
        or ("\ud800" <= before <= "\udbff" and "\udc00" <= char <= "\udfff")
    )


def character_cut(text: str, start: int, cut: int) -> int:
    """The last position in (start, cut] that splits no character from its marks, or `cut`
    itself if there is none (a letter with more marks than that)."""
    safe = cut
    while safe > start + 1 and _splits_a_character(text, safe):
        safe -= 1
    return cut if _splits_a_character(text, safe) else safe


def _hard_cuts(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """[start, end), which has no whitespace or punctuation to cut at, in pieces of at most
    max_chars, each cut where it splits no character if it can."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = character_cut(text, start, start + max_chars)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _pack(text: str, start: int, end: int, max_chars: int, level: int) -> list[tuple[int, int]]:
    """Split [start, end) into pieces of at most max_chars, cutting as few times as possible:
    at soft punctuation first (level 0), then at whitespace (level 1), then anywhere."""
    start, end = _trim(text, start, end)
    if end - start <= max_chars:
        return [(start, end)] if end > start else []
    if level > 1:
        return _hard_cuts(text, start, end, max_chars)
    cuts = _cut_points(text, start, end, level)
    pieces: list[tuple[int, int]] = []
    piece_start = text_start = start  # where the piece starts, and its first non-space
    previous_cut = start
    # Every cut follows a non-space character, so a piece's trimmed length is cut - text_start;
    # trimming the piece again at every cut rescanned the spaces it starts with.
    for cut in [*cuts, end]:
        if cut - text_start > max_chars and previous_cut > piece_start:
            pieces.append((piece_start, previous_cut))
            piece_start = previous_cut
            text_start = _trim(text, piece_start, end)[0]
        previous_cut = cut
    pieces.append((piece_start, end))
    packed: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        packed.extend(_pack(text, piece_start, piece_end, max_chars, level + 1))
    return packed


def split_sentences(text: str, max_chars: int | None = None) -> list[Span]:
    """Sentences of `text` as spans whose `text` is exactly `text[start:end]`.

    Boundaries: . ! ? ؟ ؛ … and newlines; closing quotes/brackets after a terminator stay with
    the sentence; a dot inside a number, a domain or after a single Latin letter ("U.S.") does
    not end one. Surrounding whitespace is excluded and empty sentences are dropped. With
    `max_chars`, longer sentences are cut at ، , : then at whitespace, and a word that is still
    longer is cut where it splits no character from its marks, so every span fits.
    """
    if max_chars is not None and max_chars < 1:
        raise ValueError("max_chars must be positive")
    spans: list[Span] = []
    for raw_start, raw_end in _sentence_ranges(text):
        if max_chars is None or raw_end - raw_start <= max_chars:
            start, end = _trim(text, raw_start, raw_end)
            if end > start:
                spans.append(Span(start, end, text[start:end]))
        else:
            pieces = _pack(text, raw_start, raw_end, max_chars, level=0)
            spans.extend([Span(start, end, text[start:end]) for start, end in pieces])
    return spans


# Shorter than this (a dateline, a section label), a sentence answers nothing alone.
MIN_ANSWER_CHARS = 12


def answer_spans(text: str) -> list[Span]:
    """The sentences an extractive answer may quote, with offsets into `text`."""
    spans = split_sentences(text, max_chars=MAX_ANSWER_CHARS)
    return [s for s in spans if len(s.text) >= MIN_ANSWER_CHARS] or spans
