import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import Span, split_sentences


def texts(source: str, max_chars: int | None = None) -> list[str]:
    return [span.text for span in split_sentences(source, max_chars)]


def assert_exact_spans(source: str, spans: list[Span]) -> None:
    previous_end = 0
    for span in spans:
        assert source[span.start : span.end] == span.text
        assert span.text and span.text == span.text.strip()
        assert span.start >= previous_end
        previous_end = span.end
    # Only whitespace lies outside the spans.
    covered = "".join(span.text for span in spans)
    assert "".join(covered.split()) == "".join(source.split())


@pytest.mark.parametrize("terminator", [".", "!", "?", "؟", "؛"])
def test_each_terminator_ends_a_sentence(terminator):
    assert texts(f"الجملة الأولى{terminator} الجملة الثانية") == [
        f"الجملة الأولى{terminator}",
        "الجملة الثانية",
    ]


def test_newline_ends_a_sentence_without_punctuation():
    assert texts("عنوان بلا نقطة\nنص المقال") == ["عنوان بلا نقطة", "نص المقال"]


def test_run_of_terminators_stays_together():
    assert texts("حقاً؟! نعم... انتهى") == ["حقاً؟!", "نعم...", "انتهى"]


@pytest.mark.parametrize(
    ("opening", "closing"), [("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»"), ("(", ")"), ("[", "]")]
)
def test_closing_quote_or_bracket_stays_with_its_sentence(opening, closing):
    source = f"قال {opening}نعم.{closing} ثم غادر."
    assert texts(source) == [f"قال {opening}نعم.{closing}", "ثم غادر."]


def test_decimal_point_does_not_split():
    assert texts("ارتفع بنسبة 3.5 في المئة. ثم هبط") == ["ارتفع بنسبة 3.5 في المئة.", "ثم هبط"]
    assert texts("النسبة ٣.٥ بالمئة.") == ["النسبة ٣.٥ بالمئة."]


def test_single_letter_abbreviations_and_domains_do_not_split():
    assert texts("He moved to the U.S. in 1990. Then he left.") == [
        "He moved to the U.S. in 1990.",
        "Then he left.",
    ]
    assert texts("J. Smith wrote on example.com today.") == ["J. Smith wrote on example.com today."]


def test_dot_glued_to_the_next_arabic_word_still_splits():
    assert texts("انتهى البيان.وقال الوزير") == ["انتهى البيان.", "وقال الوزير"]


def test_surrounding_whitespace_is_excluded_and_empty_sentences_dropped():
    source = "  \n\n  أولى.   \n \n ثانية!  \n"
    spans = split_sentences(source)
    assert [span.text for span in spans] == ["أولى.", "ثانية!"]
    assert spans[0] == Span(source.index("أ"), source.index("أ") + 5, "أولى.")


def test_empty_and_blank_text():
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []
    assert split_sentences("...") == [Span(0, 3, "...")]


def test_max_chars_splits_long_sentence_at_arabic_comma():
    clause = "وأكد الوزير أهمية التعاون"
    source = "، ".join([clause] * 4) + "."
    spans = split_sentences(source, max_chars=len(clause) * 2 + 3)
    assert_exact_spans(source, spans)
    assert len(spans) == 2
    assert spans[0].text.endswith("،")
    assert all(len(span.text) <= len(clause) * 2 + 3 for span in spans)


def test_max_chars_falls_back_to_whitespace():
    source = " ".join(["كلمة"] * 50)
    spans = split_sentences(source, max_chars=30)
    assert_exact_spans(source, spans)
    assert len(spans) > 1
    assert all(len(span.text) <= 30 for span in spans)


def test_max_chars_cuts_a_word_longer_than_the_cap():
    word = "ا" * 25
    assert texts(f"قصير {word} قصير", max_chars=10) == ["قصير", "ا" * 10, "ا" * 10, "ا" * 5, "قصير"]


@pytest.mark.parametrize(
    ("word", "max_chars", "pieces"),
    [
        ("بَ" * 6, 5, ["بَ" * 2, "بَ" * 2, "بَ" * 2]),  # a letter keeps its tashkeel
        ("e\u0301" * 3, 3, ["e\u0301", "e\u0301", "e\u0301"]),
        ("\u200c".join(["كلمة"] * 3), 5, ["كلمة\u200c", "كلمة\u200c", "كلمة"]),  # ZWNJ stays behind
        ("ab\u200dcd\u200def", 3, ["a", "b\u200dc", "d\u200de", "f"]),  # ZWJ joins both sides
        (
            "\ud83d\ude00" * 3,
            3,
            ["\ud83d\ude00", "\ud83d\ude00", "\ud83d\ude00"],
        ),  # surrogate pairs
    ],
)
def test_a_hard_cut_never_splits_a_character_from_its_marks(word, max_chars, pieces):
    assert texts(word, max_chars) == pieces


def test_a_hard_cut_is_forced_when_a_mark_run_exceeds_the_cap():
    source = "e" + "\u0301" * 9
    assert texts(source, max_chars=4) == ["e\u0301\u0301\u0301", "\u0301" * 4, "\u0301" * 2]


def test_max_chars_leaves_short_sentences_alone():
    source = "أولى، ثانية. ثالثة"
    assert split_sentences(source, max_chars=100) == split_sentences(source)


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        split_sentences("نص", max_chars=0)


def test_offsets_reproduce_the_seed_articles(seed_paths):
    for path in seed_paths:
        source = path.read_text(encoding="utf-8")
        for max_chars in (None, 200, 40, 5):
            assert_exact_spans(source, split_sentences(source, max_chars))


_ALPHABET = st.sampled_from([*'ab سوريا ٣3.!?؟؛،,:\n\t”"’»)]«“( ', "U.S.", "3.5", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join), st.one_of(st.none(), st.integers(1, 30)))
def test_offsets_and_limits_hold_for_arbitrary_text(source, max_chars):
    spans = split_sentences(source, max_chars)
    assert_exact_spans(source, spans)
    if max_chars is not None:
        assert all(len(span.text) <= max_chars for span in spans)
