from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.grounding.citations import MAX_DIGITS, Marker, parse_markers, resolve, strip_markers

ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
EXTENDED = "۰۱۲۳۴۵۶۷۸۹"
FULL_WIDTH = "０１２３４５６７８９"


def numbers_of(text: str) -> list[tuple[int, ...]]:
    return [marker.numbers for marker in parse_markers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1]", [(1,)]),
        ("[ 2 ]", [(2,)]),
        ("[1, 3]", [(1, 3)]),
        ("[1,3]", [(1, 3)]),
        ("[1][2]", [(1,), (2,)]),
        ("[١]", [(1,)]),
        ("[٢،٣]", [(2, 3)]),
        ("[٢ ، ٣]", [(2, 3)]),
        ("[۴]", [(4,)]),
        ("［１］", [(1,)]),
        ("［２，３］", [(2, 3)]),
        ("﹇1﹈", [(1,)]),
        ("[1-3]", [(1, 2, 3)]),
        ("[12]", [(12,)]),
        ("[999]", [(999,)]),
        ("زار الوزير موسكو [١]، ثم عاد [٢].", [(1,), (2,)]),
        ("He left [1]. He came back [2, 4].", [(1,), (2, 4)]),
    ],
)
def test_markers_are_found(text: str, expected: list[tuple[int, ...]]) -> None:
    assert numbers_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[a]",
        "[]",
        "[ ]",
        "[1",
        "1]",
        "[0]",
        "[00]",
        "[01]",
        "[-1]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1.5]",
        "[3-1]",
        "[1-99]",
        "[1000]",
        "[99999999999]",
        "[١٢٣٤٥]",
        "(1)",
        "{1}",
        "[one]",
        "[1a]",
    ],
)
def test_malformed_markers_are_not_citations(text: str) -> None:
    assert parse_markers(text) == []
    assert strip_markers(text) == text.strip()


def test_spans_refer_to_the_original_text() -> None:
    text = "أولاً ﷺ ［１］ ثم [٢،٣] و[4]."
    markers = parse_markers(text)
    assert [m.text for m in markers] == ["［１］", "[٢،٣]", "[4]"]
    for marker in markers:
        assert text[marker.start : marker.end] == marker.text


def test_strip_markers() -> None:
    assert strip_markers("He left [1].") == "He left."
    assert strip_markers("He left [1] and came back [2][3].") == "He left and came back."
    assert strip_markers("زار موسكو [١، ٢].") == "زار موسكو."
    assert strip_markers("a[1]b") == "a b"
    assert strip_markers("[1] Leading marker.") == "Leading marker."
    assert strip_markers("Keeps [a] and [0] and (1).") == "Keeps [a] and [0] and (1)."
    assert strip_markers("[[1]2]") == ""  # removing one marker never leaves another behind


def test_resolve() -> None:
    assert resolve([1, 3, 7, 1, 0, 7], 3) == ([1, 3], [7, 0])
    assert resolve([], 3) == ([], [])
    assert resolve([1, 2], 0) == ([], [1, 2])


# -- properties ---------------------------------------------------------------------------------

DIGIT_SCRIPTS = ["0123456789", ARABIC_INDIC, EXTENDED, FULL_WIDTH]
SEPARATORS = [",", ", ", " , ", "،", "، ", "，"]
BRACKETS = [("[", "]"), ("［", "］"), ("[ ", " ]")]

numbers_st = st.lists(st.integers(1, 10**MAX_DIGITS - 1), min_size=1, max_size=4)


@st.composite
def markers_st(draw: st.DrawFn) -> tuple[str, tuple[int, ...]]:
    numbers = draw(numbers_st)
    script = draw(st.sampled_from(DIGIT_SCRIPTS))
    separator = draw(st.sampled_from(SEPARATORS))
    opening, closing = draw(st.sampled_from(BRACKETS))
    written = [str(n).translate(str.maketrans("0123456789", script)) for n in numbers]
    return f"{opening}{separator.join(written)}{closing}", tuple(numbers)


# Prose without anything that is, or folds to, a square bracket.
prose_st = st.text(
    alphabet=st.characters(blacklist_characters="[]［］﹇﹈", blacklist_categories=("Cs",)),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(prose_st, markers_st()), max_size=5), prose_st)
def test_every_written_marker_is_found_where_it_was_written(
    parts: list[tuple[str, tuple[str, tuple[int, ...]]]], tail: str
) -> None:
    text = ""
    expected: list[tuple[int, int, tuple[int, ...]]] = []
    for prose, (marker, numbers) in parts:
        text += prose
        expected.append((len(text), len(text) + len(marker), numbers))
        text += marker
    text += tail
    found = [(m.start, m.end, m.numbers) for m in parse_markers(text)]
    assert found == expected
    stripped = strip_markers(text)
    assert parse_markers(stripped) == []
    for prose, _ in parts:
        for word in prose.split():
            assert word in stripped or not word.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parsing_any_text_is_safe_and_consistent(text: str) -> None:
    markers = parse_markers(text)
    previous_end = 0
    for marker in markers:
        assert isinstance(marker, Marker)
        assert text[marker.start : marker.end] == marker.text
        assert marker.start >= previous_end
        assert all(1 <= n < 10**MAX_DIGITS for n in marker.numbers)
        previous_end = marker.end
    assert parse_markers(strip_markers(text)) == []


@given(st.lists(st.integers(-5, 50), max_size=12), st.integers(0, 20))
def test_resolve_partitions_numbers(numbers: list[int], n_passages: int) -> None:
    valid, invalid = resolve(numbers, n_passages)
    assert set(valid) | set(invalid) == set(numbers)
    assert not set(valid) & set(invalid)
    assert all(1 <= n <= n_passages for n in valid)
    assert len(valid) == len(set(valid)) and len(invalid) == len(set(invalid))
    assert valid == sorted(set(valid), key=numbers.index)
