"""Markdown and HTML extraction: the same text as before on ordinary markup, and time linear in
the input on hostile markup (each shape here was quadratic or worse)."""

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus.inline_markdown import strip_inline
from corpus.markup import _heading, html_to_text, markdown_to_text
from tests.corpus.timing import HTML_SECONDS_PER_MB, assert_linear

# The regular expressions inline Markdown was stripped with before the linear rewrite, kept
# here as the reference the rewrite must agree with.
REFERENCE_INLINE = (
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"), ""),
    (re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
)
REFERENCE_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")


def reference_inline(line: str) -> str:
    for pattern, replacement in REFERENCE_INLINE:
        line = pattern.sub(replacement, line)
    return line.strip()


SINGLE_CHARACTERS = "*_~`[]()!<>:/# \t\u00a0aب1\u064e"
OPENERS = ["**", "__", "~~", "![", "](", "][", "<http://", "<https://", "x_y", "2*3"]
MARKDOWN_PIECES = st.sampled_from([*SINGLE_CHARACTERS, *OPENERS])
markdown_lines = st.lists(MARKDOWN_PIECES, max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(markdown_lines)
@example("**bold** and *em* and __u__ ~~s~~ `code` [link](x) ![img](y) <http://a.b>")
@example("**a __b** c__")  # one pass for **, __ and ~~: the inner __ is text
@example("***a***")
@example("[a][b] [c](d [e]")
@example("<http://a<http://b>")
def test_inline_markup_is_stripped_as_the_reference_expressions_did(line):
    assert strip_inline(line) == reference_inline(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"# \t\u00a0ab"]), max_size=20).map("".join))
@example("# a ##")
@example("# ##")
@example("#  a # #  ")
def test_headings_are_parsed_as_the_reference_expression_did(line):
    reference = REFERENCE_HEADING.match(line)
    parsed = _heading(line)
    if reference is None:
        assert parsed is None
    else:
        assert parsed == (len(reference.group(1)), reference.group(2))


# The adversarial shapes, each about 200 KB on one line.
SIZE = 200_000
MARKDOWN_SHAPES = {
    "strong openers": "# t\n\n" + "**a " * (SIZE // 4),
    "image openers": "![" * (SIZE // 2),
    "link openers": "[" * SIZE,
    "autolink openers": "<http://" * (SIZE // 8),
    "unclosed link targets": "[a](" * (SIZE // 4),
    "emphasis openers": "*a _b ~~c `d " * (SIZE // 13),
    "spaces in a heading": "# a" + " " * SIZE + "b",
    "tabs before closing hashes": "# a" + " \t" * (SIZE // 2) + "#" * 10 + "b",
}


@pytest.mark.parametrize("markdown", MARKDOWN_SHAPES.values(), ids=MARKDOWN_SHAPES)
def test_markdown_time_is_linear_on_hostile_lines(markdown):
    assert_linear(markdown_to_text, markdown)


# Deep nesting, about 200 KB: what is hidden or in a region was a scan of the open-tag stack.
NESTING = ["<p>x", "<div>", "<article><p>x", "<main><li>x", "<nav><p>x", "<header><h1>t"]
NESTING += ["<script>", "<table><td>c", "<title>x"]
# Openers html.parser searches the rest of the page for when they have no terminator.
UNTERMINATED = ["<!--", "<!--x>", "</", "<a ", "<a b=", "<a/", "<![", "<![CDATA[x>", "<?", "<!x"]


@pytest.mark.parametrize("shape", NESTING + UNTERMINATED)
def test_html_time_is_linear_on_hostile_pages(shape):
    assert_linear(html_to_text, shape * (SIZE // len(shape)), HTML_SECONDS_PER_MB)


def test_unterminated_markup_is_text():
    assert html_to_text("<p>Hello <b")[1] == "\nHello <b"
    # The tags after an unclosed comment are still read as tags.
    assert html_to_text("<p>a <!-- b</p>")[1] == "\na <!-- b\n"


def test_unknown_marked_section_is_text_not_an_error():
    # html.parser raises AssertionError on these.
    assert html_to_text("<p>a <![foo]> b</p>")[1] == "\na <![foo]> b\n"
    assert html_to_text("<p>a <![<![ b</p>")[1] == "\na <![<![ b\n"
