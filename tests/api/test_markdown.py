"""Markdown escaping of the API's text: whole or streamed in any pieces, the same text."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from api.markdown import MarkdownStream, escape_markdown

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
