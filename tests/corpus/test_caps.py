"""The hard caps of corpus.limits hold for any text, in any script or none: no sentence piece,
answer span or chunk is ever longer than its cap, and a forced cut splits no character from its
marks unless the marks alone are longer than the cap."""

import unicodedata
from itertools import pairwise

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus import Article, ChunkerSettings, answer_spans, chunk_article, split_sentences
from corpus.limits import MAX_ANSWER_CHARS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKS = "\u064e\u064f\u0650\u0651\u0652\u0670\u0301\u0308\u20dd\ufe0f"
JOINERS = "\u200c\u200d"
# Letters with marks and joiners between them, and no whitespace or punctuation to cut at.
unbreakable = st.text(alphabet="بتكلمaeé😀" + MARKS + JOINERS, min_size=1, max_size=300)
any_text = st.one_of(st.text(max_size=300), unbreakable)


def splits_a_character(text: str, i: int) -> bool:
    before, char = text[i - 1], text[i]
    return (
        unicodedata.category(char).startswith("M")
        or char in JOINERS
        or before == "\u200d"
        or ("\ud800" <= before <= "\udbff" and "\udc00" <= char <= "\udfff")
    )


def forced(text: str, start: int, cut: int) -> bool:
    """No position in (start, cut] could have been cut without splitting a character."""
    return all(splits_a_character(text, i) for i in range(start + 1, cut + 1))


@SETTINGS
@given(any_text, st.integers(1, 40))
@example("ب" + "\u064e" * 50, 10)
@example("\u200c".join(["كلمة"] * 50), 7)
@example("ab،\u064ecd،\u0651ef", 3)  # a comma with a mark on it
@example("0000000.\u0300", 2)  # a full stop with a mark on it
def test_no_sentence_piece_is_longer_than_max_chars(text, max_chars):
    spans = split_sentences(text, max_chars=max_chars)
    for span in spans:
        assert text[span.start : span.end] == span.text and span.text.strip()
        assert len(span.text) <= max_chars
    for previous, span in pairwise(spans):
        if previous.end == span.start:  # cut inside a word, not at a space
            assert not splits_a_character(text, span.start) or forced(
                text, previous.start, span.start
            )


@SETTINGS
@given(st.lists(any_text, min_size=1, max_size=6).map("".join))
def test_no_answer_span_is_longer_than_the_answer_cap(text):
    assert all(len(span.text) <= MAX_ANSWER_CHARS for span in answer_spans(text * 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text, st.integers(3, 24))
@example("ب" * 300, 8)
@example("\u200c".join(["كلمة"] * 80), 8)
def test_no_chunk_is_over_its_token_budget(count_tokens, text, max_tokens):
    settings = ChunkerSettings(max_tokens=max_tokens, overlap_tokens=max_tokens // 4)
    article = Article.create(id="caps", title=None, text=text, source="caps")
    for chunk in chunk_article(article, count_tokens, settings):
        assert article.text[chunk.start : chunk.end] == chunk.text
        # Only one character with its marks can be over: e5 counts 2 special tokens, and one
        # character can normalize to many (U+FDFA becomes 18 letters).
        assert count_tokens(chunk.text) <= max_tokens or forced(text, chunk.start, chunk.end - 1)
