"""Plain article text (one paragraph per line) and a stated title from Markdown and HTML.

Only the stdlib is used: news pages need main-text extraction, not faithful rendering.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from corpus.inline_markdown import strip_inline

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_HEADING_START = re.compile(r"\s{0,3}(#{1,6})\s+")
# Thematic breaks, and the ==== underline of a setext heading.
_RULE = re.compile(r"^\s{0,3}(?:([-*_])(?:\s*\1){2,}|=+)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")


def _heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, without its optional closing run of #. The end is
    found without a regular expression: `(.*?)(?:\\s+#+)?\\s*$` backtracked quadratically over
    a long run of spaces (9 s for 20,000)."""
    start = _HEADING_START.match(line)
    if not start:
        return None
    text = line[start.end() :].rstrip()
    unclosed = text.rstrip("#")
    if unclosed != text and unclosed[-1:].isspace():
        text = unclosed.rstrip()
    return len(start.group(1)), text


def markdown_to_text(markdown: str) -> tuple[str | None, str]:
    """(title from a leading `# Heading`, text). Soft-wrapped lines of one Markdown paragraph
    are joined, because a paragraph per line is what cleaning expects."""
    lines = _FRONT_MATTER.sub("", markdown.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    title: str | None = None
    blocks: list[str] = []
    current: list[str] = []

    def end_block() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for line in lines:
        heading = _heading(line)
        if not line.strip() or _FENCE.match(line) or _RULE.match(line):
            end_block()
        elif _REFERENCE.match(line):
            continue
        elif heading:
            end_block()
            level, text = heading
            text = strip_inline(text)
            if title is None and not blocks and level == 1:
                title = text or None
            elif text:
                blocks.append(text)
        else:
            if _LIST_ITEM.match(line):
                end_block()
            text = strip_inline(_LIST_ITEM.sub("", _QUOTE.sub("", line)))
            if text:
                current.append(text)
    end_block()
    return title, "\n".join(blocks)


# Page furniture, not article text. <header> is listed too, but its <h1> still names the page.
_HIDDEN = frozenset(
    {"script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg"}
)
_REGIONS = frozenset({"article", "main"})
_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "section", "blockquote"}
    | {"article", "main", "header", "ul", "ol", "table", "figure", "figcaption", "pre", "hr"}
    | {"dl", "dt", "dd"}
)
_CELLS = frozenset({"td", "th"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
_SPACES = re.compile(r"\s+")

# html.parser (3.11) searches forward for the end of each "<" construct. An opener with no end
# after it is searched to the end of the page, then again from the next opener, so a page of
# them is quadratic (40 KB of "<a " took 31 s), and an unknown "<![" keyword makes it raise.
# Such openers are fed to it as text (&lt;), which is what it makes of an unterminated one.
_SPECIAL_OPENER = re.compile(r"<!--|<!\[")
_COMMENT_CLOSE = re.compile(r"--\s*>")
_SECTION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*")
_SECTION_CLOSES = dict.fromkeys(
    ["temp", "cdata", "ignore", "include", "rcdata"], re.compile(r"]\s*]\s*>")
) | dict.fromkeys(["if", "else", "endif"], re.compile(r"]\s*>"))


def _last_start(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of `pattern` starts, or -1. Matches of the closers above cannot
    overlap, so the last one found left to right is the last there is."""
    return max((match.start() for match in pattern.finditer(text)), default=-1)


def _escape_unterminated(html: str) -> str:
    tags_end = html.rfind(">") + 1  # after that, no opener is terminated
    head, tail = html[:tags_end], html[tags_end:].replace("<", "&lt;")
    comments_end = _last_start(_COMMENT_CLOSE, head)
    sections_end = {close: _last_start(close, head) for close in set(_SECTION_CLOSES.values())}
    parts: list[str] = []
    done = 0
    for opener in _SPECIAL_OPENER.finditer(head):
        start = opener.start()
        if opener.group() == "<!--":
            terminated = comments_end >= start + 4
        else:
            name = _SECTION_NAME.match(head, start + 3)
            close = _SECTION_CLOSES.get(name.group().lower()) if name else None
            terminated = close is not None and sections_end[close] >= start + 3
        if not terminated:
            parts += [head[done:start], "&lt;"]
            done = start + 1
    return "".join([*parts, head[done:], tail])


class _MainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[str] = []
        # How many of each tag, and of hidden and region tags, are open: this is asked on every
        # text and tag, and scanning the stack made it quadratic in the nesting depth.
        self._depth: dict[str, int] = {}
        self._hidden_depth = 0
        self._region_depth = 0
        self.page_parts: list[str] = []
        self.title_parts: list[str] = []
        self.regions: list[list[str]] = []
        # (index of the region it is in, or -1 outside any region, text)
        self.h1s: list[tuple[int, str]] = []
        self._h1_parts: list[str] | None = None

    def _count(self, tag: str, change: int) -> None:
        self._depth[tag] = self._depth.get(tag, 0) + change
        if tag in _HIDDEN:
            self._hidden_depth += change
        elif tag in _REGIONS:
            self._region_depth += change

    def _emit(self, text: str) -> None:
        if self._hidden_depth or self._depth.get("title"):
            return
        if self._h1_parts is not None:
            self._h1_parts.append(text)
        if self._depth.get("header"):
            return
        self.page_parts.append(text)
        if self._region_depth:
            self.regions[-1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._emit("\n")
        elif tag in _CELLS:
            self._emit(" ")
        if tag in _VOID:
            return
        if tag in _REGIONS and not self._region_depth and not self._hidden_depth:
            self.regions.append([])
        if tag == "h1" and not self._hidden_depth:
            self._h1_parts = []
        self._open.append(tag)
        self._count(tag, 1)

    def handle_endtag(self, tag: str) -> None:
        if self._depth.get(tag):
            # Pop up to the matching tag: real pages leave inner elements (<p>, <li>) unclosed,
            # and closing the outer element closes them, as in a browser.
            while (closed := self._open.pop()) != tag:
                self._count(closed, -1)
            self._count(tag, -1)
            if tag == "h1" and self._h1_parts is not None:
                region = len(self.regions) - 1 if self._region_depth else -1
                self.h1s.append((region, _SPACES.sub(" ", "".join(self._h1_parts)).strip()))
                self._h1_parts = None
        if tag in _BLOCKS:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if self._depth.get("title") and not self._hidden_depth:
            self.title_parts.append(data)
        self._emit(_SPACES.sub(" ", data))


def html_to_text(html: str) -> tuple[str | None, str]:
    """(title, main text): the largest <article>/<main> region if any, else the whole page,
    without scripts, navigation, headers, footers, asides and forms. The title is the first
    <h1> of that text, else the page <title>."""
    parser = _MainText()
    parser.feed(_escape_unterminated(html))
    parser.close()
    regions = ["".join(parts) for parts in parser.regions]
    chosen = max(range(len(regions)), key=lambda i: len(regions[i].strip()), default=-1)
    text = regions[chosen] if chosen >= 0 else "".join(parser.page_parts)
    h1 = next((h1 for region, h1 in parser.h1s if region == chosen and h1), None)
    page_title = _SPACES.sub(" ", "".join(parser.title_parts)).strip()
    return h1 or page_title or None, text
