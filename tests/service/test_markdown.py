"""Markdown escaping of text that is not ours: whole or streamed in any pieces the same text, the
answer's markers kept; a value inside a line on one line with every mark escaped."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from service.markdown import MarkdownStream, escape_markdown, markdown_line

PIECES = st.lists(st.text(alphabet="[]12\\<>*_ab من", max_size=8), max_size=8)


@given(PIECES)
@example(["[", "1", "]", " [", "12]"])
@example(["a [1", "0] b\\", "]"])
def test_a_stream_escapes_to_the_text_escaped_whole(pieces: list[str]) -> None:
    stream = MarkdownStream()
    streamed = "".join(stream.feed(piece) for piece in pieces) + stream.flush()
    assert streamed == escape_markdown("".join(pieces))


def test_markup_is_escaped_and_markers_kept() -> None:
    assert escape_markdown("<b>x</b> [1][2] [link](u) a_b") == (
        "\\<b\\>x\\</b\\> [1][2] \\[link\\](u) a\\_b"
    )


def test_a_value_in_a_line_stays_on_it_with_every_mark_escaped() -> None:
    assert markdown_line("عنوان [1]\n<img src=x onerror=alert(1)>\u2028`x`") == (
        "عنوان \\[1\\] \\<img src=x onerror=alert(1)\\> \\`x\\`"
    )
