"""Text that is not ours, as Markdown that renders as the text itself: the API's answers (chat
front-ends render them as Markdown) and the chat's export. Article text, titles and model replies
are data, so every character that could start markup inline in them (raw HTML, a link or image,
code, emphasis, a table) is backslash-escaped, and no `<script>`, image or link in them becomes
live.

`escape_markdown` keeps the answer's own `[n]` markers as they are; `markdown_line` is a value
placed inside a line of ours (a title, a quoted sentence): its line breaks become spaces and
every mark is escaped, an article's own `[1]` too. Escaping is per character, so a stream can be
escaped delta by delta (`MarkdownStream`) and give exactly the text escaped at once.
"""

from __future__ import annotations

import re

# CommonMark backslash-escapes any ASCII punctuation; these are the ones that open markup inline.
_SPECIAL = frozenset("\\`*_[]<>&~|!")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
# An escaped marker that may still be completed by the next delta: `\[`, `\[12`, `\[12\`.
_OPEN_MARKER = re.compile(r"\\\[\d{0,3}(\\)?$")


def _escaped(text: str) -> str:
    return "".join(f"\\{ch}" if ch in _SPECIAL else ch for ch in text)


def escape_markdown(text: str) -> str:
    """`text` with its markup characters escaped, its `[n]` citation markers kept."""
    return _MARKER.sub(r"[\1]", _escaped(text))


def markdown_line(value: str) -> str:
    """`value` on one line, every markup character escaped (its bracketed numbers too)."""
    return _escaped(_LINE_BREAKS.sub(" ", value))


class MarkdownStream:
    """Escapes a stream of text deltas: `feed` returns what can be sent now (a marker split
    across deltas is held back until it is complete), `flush` the rest."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = _MARKER.sub(r"[\1]", self._pending + _escaped(delta))
        held = _OPEN_MARKER.search(text)
        cut = held.start() if held else len(text)
        self._pending = text[cut:]
        return text[:cut]

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return rest
