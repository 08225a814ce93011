"""The API's text as chat front-ends render it: as Markdown. Article text and model replies are
data, so every character that could start markup in them (raw HTML, a link or image, code,
emphasis, a table) is escaped; the answer's own `[n]` markers stay as they are.

Escaping is per character, so a stream can be escaped delta by delta (`MarkdownStream`) and give
exactly the text of the whole answer escaped at once (`escape_markdown`).
"""

from __future__ import annotations

import re

# CommonMark backslash-escapes any ASCII punctuation; these are the ones that open markup inline.
_SPECIAL = frozenset("\\`*_[]<>&~|!")
_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
# An escaped marker that may still be completed by the next delta: `\[`, `\[12`, `\[12\`.
_OPEN_MARKER = re.compile(r"\\\[\d{0,3}(\\)?$")


def _escaped(text: str) -> str:
    return "".join(f"\\{ch}" if ch in _SPECIAL else ch for ch in text)


def escape_markdown(text: str) -> str:
    """`text` with its markup characters escaped, its `[n]` citation markers kept."""
    return _MARKER.sub(r"[\1]", _escaped(text))


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
