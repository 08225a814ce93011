r"""Inline Markdown (images, links, autolinks, code spans, emphasis) reduced to its text.

The constructs are removed one after another, each in one pass over the line, and mean what
these regular expressions say, applied with `re.sub` in this order:

    !\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])        -> ""    images carry no article text
    \[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])       -> \1    links keep their text
    <(https?://[^>\s]+)>                     -> \1
    `([^`]*)`                                -> \1
    (\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1          -> \2
    (?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*]) -> \1    lone * or _ only at word edges,
    (?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)         -> \1    so snake_case and 2*3 survive

Run as regular expressions, every unclosed opener rescans the rest of the line, so a line of
openers ("**a " or "![" repeated) takes quadratic time: 12 s for 50 KB. Here each pass finds
closers by looking forward from where the previous look-up stopped, or among positions listed
in one scan, so a pass reads its line a bounded number of times.
"""

from __future__ import annotations

import re


class _Next:
    """Where `pattern` next matches at or after a position, for positions that never decrease:
    a search starts only past the previous answer, so all look-ups together read the text once."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self._text = text
        self._pattern = pattern
        self._found = -1

    def __call__(self, start: int) -> int:
        """The start of the match, or len(text) if there is none."""
        if start > self._found:
            match = self._pattern.search(self._text, start)
            self._found = match.start() if match else len(self._text)
        return self._found


_BRACKET_CLOSE = re.compile(r"\]")
_PAREN_CLOSE = re.compile(r"\)")


def _links(line: str, opener: str, keep_text: bool) -> str:
    """`opener`text](target) and `opener`text][reference] become their text, or nothing."""
    start = line.find(opener)
    if start < 0 or "]" not in line:
        return line
    text_end = _Next(line, _BRACKET_CLOSE)
    target_ends = {"(": _Next(line, _PAREN_CLOSE), "[": _Next(line, _BRACKET_CLOSE)}
    parts: list[str] = []
    done = 0  # line[:done] is already in parts
    while start >= 0:
        text_start = start + len(opener)
        close = text_end(text_start)
        target_end = target_ends.get(line[close + 1 : close + 2])
        end = target_end(close + 2) if target_end else len(line)
        if end == len(line):
            # Every opener before `close` finds the same `close` and fails the same way.
            start = line.find(opener, close + 1)
            continue
        parts += [line[done:start], line[text_start:close] if keep_text else ""]
        done = end + 1
        start = line.find(opener, done)
    parts.append(line[done:])
    return "".join(parts)


_AUTOLINK_OPEN = re.compile(r"<https?://")
_URL_END = re.compile(r"[>\s]")


def _autolinks(line: str) -> str:
    url_end = _Next(line, _URL_END)
    parts: list[str] = []
    done = 0
    for opener in _AUTOLINK_OPEN.finditer(line):
        if opener.start() < done:  # inside the previous link's URL
            continue
        end = url_end(opener.end())
        if end > opener.end() and line[end : end + 1] == ">":
            parts += [line[done : opener.start()], line[opener.start() + 1 : end]]
            done = end + 1
    parts.append(line[done:])
    return "".join(parts)


# Linear as a regular expression: a start that finds no closing backtick is the last backtick.
_CODE = re.compile(r"`([^`]*)`")

# Each kind of emphasis as two zero-width patterns, so that overlapping positions are all
# found: where a delimiter may open and where it may close, the delimiter being group 1.
_EMPHASIS = (
    (re.compile(r"(?=(\*\*|__|~~)\S)"), re.compile(r"(?<=\S)(?=(\*\*|__|~~))")),
    (re.compile(r"(?<![\w*])(?=(\*)\S)"), re.compile(r"(?<=\S)(?=(\*)(?![\w*]))")),
    (re.compile(r"(?<!\w)(?=(_)\S)"), re.compile(r"(?<=\S)(?=(_)(?!\w))")),
)


def _emphasis(line: str, opens: re.Pattern[str], closes: re.Pattern[str]) -> str:
    """Each opener, left to right, pairs with the first closer of the same delimiter that
    leaves at least one character between them; later openers resume after that closer."""
    closers: dict[str, list[int]] = {}
    for closer in closes.finditer(line):
        closers.setdefault(closer.group(1), []).append(closer.start())
    if not closers:
        return line
    # Openers only move right, so the first usable closer of each delimiter does too.
    next_closer = dict.fromkeys(closers, 0)
    parts: list[str] = []
    done = 0
    for opener in opens.finditer(line):
        start, delimiter = opener.start(), opener.group(1)
        positions = closers.get(delimiter, [])
        width = len(delimiter)
        index = next_closer.get(delimiter, 0)
        while index < len(positions) and positions[index] < start + width + 1:
            index += 1
        next_closer[delimiter] = index
        if start < done or index == len(positions):
            continue
        parts += [line[done:start], line[start + width : positions[index]]]
        done = positions[index] + width
    parts.append(line[done:])
    return "".join(parts)


def strip_inline(line: str) -> str:
    """The text of one line of Markdown (no newline in it) without inline markup, stripped."""
    # Most lines have no markup at all, and a page can have 250,000 short lines a MB, so a pass
    # runs only if the character it starts with is there.
    if "]" in line:
        line = _links(_links(line, "![", keep_text=False), "[", keep_text=True)
    if "<http" in line:
        line = _autolinks(line)
    if "`" in line:
        line = _CODE.sub(r"\1", line)
    if "*" in line or "_" in line or "~" in line:
        for opens, closes in _EMPHASIS:
            line = _emphasis(line, opens, closes)
    return line.strip()
