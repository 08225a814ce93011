"""Sentence splitting with exact source offsets, for Arabic and English news text."""

from __future__ import annotations

from dataclasses import dataclass

_TERMINATORS = frozenset(".!?؟؛…")
# A closing quote or bracket right after a terminator belongs to the sentence it closes.
_CLOSERS = frozenset('”"’»)]')
CLAUSE_BREAKS = frozenset("،,:")


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
    after = text[i + 1] if i + 1 < len(text) else ""
    if before.isdigit() and after.isdigit():  # 3.5, ٣.٥
        return True
    if _is_ascii_alnum(before) and _is_ascii_alnum(after):  # example.com, v1.2, U.S
        return True
    # A lone Latin letter before the dot is an initial or abbreviation ("U.S.", "J. Smith").
    before_that = text[i - 2] if i > 1 else ""
    return before.isascii() and before.isalpha() and not before_that.isalnum()


def _sentence_ranges(text: str) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            ranges.append((start, i))
            start = i + 1
        elif char in _TERMINATORS and not (char == "." and _dot_continues(text, i)):
            end = i + 1
            while end < len(text) and (text[end] in _TERMINATORS or text[end] in _CLOSERS):
                end += 1
            ranges.append((start, end))
            start = end
            i = end
            continue
        i += 1
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
    if level == 0:
        return [i for i in range(start + 1, end) if text[i - 1] in CLAUSE_BREAKS]
    return [i for i in range(start + 1, end) if text[i].isspace() and not text[i - 1].isspace()]


def _pack(text: str, start: int, end: int, max_chars: int, level: int) -> list[tuple[int, int]]:
    """Split [start, end) into pieces of at most max_chars, cutting as few times as possible:
    at soft punctuation first (level 0), then at whitespace (level 1)."""
    start, end = _trim(text, start, end)
    if end - start <= max_chars or level > 1:
        return [(start, end)] if end > start else []
    cuts = _cut_points(text, start, end, level)
    pieces: list[tuple[int, int]] = []
    piece_start = start
    previous_cut = start
    for cut in [*cuts, end]:
        trimmed = _trim(text, piece_start, cut)
        if trimmed[1] - trimmed[0] > max_chars and previous_cut > piece_start:
            pieces.append((piece_start, previous_cut))
            piece_start = previous_cut
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
    `max_chars`, longer sentences are cut at ، , : and then at whitespace so every span fits,
    unless a single word is longer.
    """
    if max_chars is not None and max_chars < 1:
        raise ValueError("max_chars must be positive")
    spans: list[Span] = []
    for raw_start, raw_end in _sentence_ranges(text):
        if max_chars is None:
            start, end = _trim(text, raw_start, raw_end)
            pieces = [(start, end)] if end > start else []
        else:
            pieces = _pack(text, raw_start, raw_end, max_chars, level=0)
        spans.extend(Span(start, end, text[start:end]) for start, end in pieces)
    return spans


# Answer units: sentences longer than this are cut at commas, so an answer quotes the clause
# that matters; shorter than the minimum (a dateline, a section label) they answer nothing alone.
MAX_ANSWER_CHARS = 400
MIN_ANSWER_CHARS = 12


def answer_spans(text: str) -> list[Span]:
    """The sentences an extractive answer may quote, with offsets into `text`."""
    spans = split_sentences(text, max_chars=MAX_ANSWER_CHARS)
    return [s for s in spans if len(s.text) >= MIN_ANSWER_CHARS] or spans
