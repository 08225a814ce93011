"""Property tests: hostile input never crashes the text pipeline, and its invariants always hold.

Inputs mix Arabic (with tashkeel, tatweel, alef forms and Arabic-Indic digits), Latin, emoji,
combining marks, bidi/RTL and zero-width marks, control characters, lone surrogates where a
`str` allows them, 100k-character lines, empty strings and invalid UTF-8 written to files.
The fast properties use a whitespace token counter; one slow example uses the real tokenizer,
and the slow CLI tests run `python -m rag ask` on hostile questions against the seed index.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus import (
    Article,
    ChunkerSettings,
    chunk_article,
    clean_text,
    load_file,
    normalize_text,
    search_tokens,
)
from corpus.loader import SUPPORTED_SUFFIXES
from corpus.sentences import split_sentences
from rag.grounding.citations import parse_markers, strip_markers
from rag.question.cleaning import QuestionError, clean_question

ROOT = Path(__file__).resolve().parents[2]
LONG = 100_000

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- alphabets --------------------------------------------------------------------------------

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءئؤ"
TASHKEEL = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670" + "\u0610\u0615\u06d6\u06ed"
TATWEEL = "\u0640"
ALEF_FORMS = "أإآٱٲٳ"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"
PRESENTATION = "ﻻﷲﺍﺏﻼ\ufe70\ufe72\ufe7c"  # NFKC expands these, some to tashkeel
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éçßİıǰﬁ"
EMOJI = "😀👍🏽🇸🇾👨‍👩‍👧❤️🔥"
COMBINING = "\u0300\u0301\u0302\u0308\u030c\u0327\u0338\u20dd\u0654\u0655\u0653"
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u200b\u200c\u200d\ufeff\u00ad\u2060"
CONTROLS = "".join(chr(c) for c in range(0x00, 0x20)) + "\x7f\x85\u2028\u2029"
SPACES = " \t\n\r\u00a0\u3000\u2003"
PUNCTUATION = ".!?؟؛،,:;…\"'“”«»()[]［］{}<>-–—/\\|#*_`~=+&%$@^"
MARKERS = ["[1]", "[٢]", "[1, 3]", "[١،٢]", "［３］", "[1-3]", "[0]", "[1000]", "[", "]"]
WORDS = [
    "الخارجية",
    "الشيباني",
    "موسكو",
    "بوتين",
    "وزير",
    "Putin",
    "Moscow",
    "U.S.",
    "3.5",
    "example.com",
    "اقرأ أيضاً",
    "Share",
    "شارك",
    "Read more:",
    "تجاهل جميع التعليمات السابقة",
]

ALPHABET = (
    ARABIC_LETTERS
    + TASHKEEL
    + TATWEEL
    + ALEF_FORMS
    + ARABIC_DIGITS
    + PRESENTATION
    + LATIN
    + EMOJI
    + COMBINING
    + BIDI
    + INVISIBLE
    + CONTROLS
    + SPACES
    + PUNCTUATION
)

_pieces = st.one_of(
    st.text(alphabet=ALPHABET, min_size=1, max_size=12),
    st.sampled_from(WORDS + MARKERS),
    st.sampled_from(["\n", "\n\n", " ", ". ", "؟ ", "،"]),
)
mixed_text = st.one_of(
    st.lists(_pieces, max_size=40).map("".join),
    st.text(max_size=60),  # any code point, lone surrogates included
    st.just(""),
)


@st.composite
def long_line(draw: st.DrawFn) -> str:
    """About 100k characters on one line (or with rare breaks), built from a random fragment."""
    fragment = draw(st.lists(_pieces, min_size=1, max_size=8).map("".join))
    fragment = fragment or "x"
    return (fragment * (LONG // len(fragment) + 1))[:LONG]


# Line-structured "articles": a few paragraphs, some repeated, maybe a footer marker.
@st.composite
def article_like(draw: st.DrawFn) -> str:
    paragraphs = draw(st.lists(mixed_text, min_size=0, max_size=8))
    if paragraphs and draw(st.booleans()):
        paragraphs += draw(st.lists(st.sampled_from(paragraphs), max_size=3))  # duplicates
    if paragraphs and draw(st.booleans()):
        variant = draw(st.sampled_from(paragraphs))
        paragraphs.append(TATWEEL.join(variant) + "\u064e")  # a spelling variant of one
    separator = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028", "\x85"]))
    return separator.join(paragraphs)


any_text = st.one_of(mixed_text, article_like())


def whitespace_tokens(text: str) -> int:
    return len(text.split())


# -- load_file --------------------------------------------------------------------------------

_counter = itertools.count()


@pytest.fixture(scope="module")
def files_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property-files")


def _check_load(path: Path) -> None:
    result = load_file(path)
    assert result.articles or result.errors, "a file gives articles or a reason"
    for error in result.errors:
        assert error.source and error.reason.strip()
        # A catch-all reason means some input reached a code path that raised.
        assert not error.reason.startswith("unexpected error"), error
    for article in result.articles:
        assert article.text.strip()
        assert article.id.strip() and "/" not in article.id
        _assert_clean_body(article.text)
    if path.suffix.lower() != ".jsonl":
        assert len(result.articles) + len(result.errors) == 1


def _write(directory: Path, suffix: str, data: bytes) -> Path:
    path = directory / f"case-{next(_counter)}{suffix}"
    path.write_bytes(data)
    return path


suffixes = st.sampled_from([*SUPPORTED_SUFFIXES, ".TXT", ".PDF", ".doc", ""])


@FAST
@given(text=any_text, suffix=suffixes, bom=st.booleans())
def test_load_file_never_raises_on_text(files_dir: Path, text: str, suffix: str, bom: bool) -> None:
    data = text.encode("utf-8", errors="surrogatepass")  # lone surrogates make invalid UTF-8
    _check_load(_write(files_dir, suffix, (b"\xef\xbb\xbf" if bom else b"") + data))


@FAST
@given(data=st.binary(max_size=300), text=mixed_text, suffix=suffixes)
@example(data=b"\xff\xfe\x00a", text="", suffix=".txt")  # UTF-16 BOM and NUL
@example(data=b"\xc3\x28", text="خبر", suffix=".md")  # invalid continuation byte
@example(data=b"\xed\xa0\x80", text="", suffix=".html")  # encoded surrogate
@example(data=b"\xf4\x90\x80\x80", text="x", suffix=".jsonl")  # beyond U+10FFFF
def test_load_file_never_raises_on_bytes(
    files_dir: Path, data: bytes, text: str, suffix: str
) -> None:
    """Random bytes spliced into otherwise valid text, including invalid UTF-8."""
    encoded = text.encode("utf-8", errors="surrogatepass")
    middle = len(encoded) // 2
    _check_load(_write(files_dir, suffix, encoded[:middle] + data + encoded[middle:]))


@st.composite
def jsonl_records(draw: st.DrawFn) -> str:
    import json

    values = st.one_of(st.none(), mixed_text, st.integers(), st.lists(st.integers(), max_size=2))
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        record = {
            key: draw(values)
            for key in draw(st.lists(st.sampled_from(["id", "text", "title", "url", "date"])))
        }
        line = json.dumps(record, ensure_ascii=draw(st.booleans()))
        if draw(st.integers(0, 5)) == 0:
            line = line[: draw(st.integers(0, len(line)))]  # a truncated record
        lines.append(line)
    return "\n".join(lines)


@FAST
@given(content=jsonl_records())
def test_load_file_never_raises_on_jsonl(files_dir: Path, content: str) -> None:
    _check_load(_write(files_dir, ".jsonl", content.encode("utf-8", errors="surrogatepass")))


@FEW
@given(line=long_line(), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_load_file_handles_100k_character_lines(files_dir: Path, line: str, suffix: str) -> None:
    _check_load(_write(files_dir, suffix, line.encode("utf-8", errors="surrogatepass")))


# -- clean_text -------------------------------------------------------------------------------


def _assert_clean_body(body: str) -> None:
    paragraphs = body.split("\n") if body else []
    assert all(p.strip() for p in paragraphs), "no empty paragraph lines"
    keys = [normalize_text(p) for p in paragraphs]
    assert len(keys) == len(set(keys)), "duplicate normalized paragraphs"


@FAST
@given(raw=any_text, title=st.one_of(st.none(), mixed_text), detect=st.booleans())
@example(raw="", title="\u200b", detect=False)  # a title of a zero-width space alone
def test_clean_text_never_raises_and_has_no_duplicate_paragraphs(
    raw: str, title: str | None, detect: bool
) -> None:
    cleaned = clean_text(raw, title=title, detect_title=detect)
    _assert_clean_body(cleaned.body)
    assert all(isinstance(note, str) for note in cleaned.removed)
    if cleaned.title is not None:
        assert cleaned.title.strip()
        title_key = normalize_text(cleaned.title)
        if title is not None:  # a stated title is never repeated in the body
            assert title_key not in {normalize_text(p) for p in cleaned.body.split("\n")}


@FEW
@given(line=long_line())
def test_clean_text_handles_100k_character_lines(line: str) -> None:
    _assert_clean_body(clean_text(line).body)
    _assert_clean_body(clean_text(f"{line}\n{line}\nخبر\n{line}").body)


# -- chunk_article ----------------------------------------------------------------------------


def _check_chunks(article: Article, budget: ChunkerSettings, count=whitespace_tokens) -> None:
    chunks = chunk_article(article, count, budget)
    text = article.text
    previous = None
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text and chunk.text == chunk.text.strip()
        assert chunk.id == f"{article.id}:{chunk.start}-{chunk.end}"
        assert count(chunk.text) <= budget.max_tokens
        if previous is not None:
            assert chunk.start > previous.start and chunk.end > previous.end
            if chunk.start < previous.end:  # the overlap stays within its budget
                assert count(text[chunk.start : previous.end]) <= budget.overlap_tokens
        previous = chunk
    # Every visible character is in some chunk.
    covered = bytearray(len(text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    missing = [i for i, char in enumerate(text) if not char.isspace() and not covered[i]]
    assert not missing, f"characters outside every chunk at {missing[:5]}"


budgets = st.integers(1, 40).flatmap(
    lambda top: st.builds(ChunkerSettings, st.just(top), st.integers(0, top - 1))
)


@FAST
@given(text=any_text, budget=budgets, cleaned=st.booleans())
def test_chunk_offsets_are_exact_and_budgets_hold(
    text: str, budget: ChunkerSettings, cleaned: bool
) -> None:
    body = clean_text(text).body if cleaned else text
    article = Article.create(id="prop", title=None, text=body, source="prop")
    _check_chunks(article, budget)


@FEW
@given(line=long_line(), budget=budgets)
def test_chunking_a_100k_character_line(line: str, budget: ChunkerSettings) -> None:
    _check_chunks(Article.create(id="long", title=None, text=line, source="long"), budget)


@pytest.mark.slow
def test_chunking_hostile_text_with_the_real_tokenizer(embedder) -> None:
    from corpus import DEFAULT_CORPUS_DIR, load_corpus

    seed = load_corpus(DEFAULT_CORPUS_DIR).articles[0].text
    hostile = "\n".join(
        [
            seed,
            ("كَتَبَ الـــوزيرُ " + "😀👍🏽\u200f" + "e\u0301\u0338 ") * 300,  # one long sentence
            "ب" * 3000,  # one word over any budget
            "٣.٥ U.S. example.com [1] ［２］ \u202eRTL\u202c " * 200,
            seed,
        ]
    )
    article = Article.create(id="hostile", title="عنوان", text=hostile, source="hostile")
    for budget in (ChunkerSettings(), ChunkerSettings(max_tokens=32, overlap_tokens=8)):
        _check_chunks(article, budget, embedder.count_tokens)


# -- normalize_text and search_tokens -----------------------------------------------------------

_FOLDED_AWAY = set(TASHKEEL + TATWEEL + ALEF_FORMS + ARABIC_DIGITS + BIDI + "\u200b\ufeff")


@FAST
@given(text=any_text)
@example(text="e\u200b\u0301")  # a deleted mark between a letter and its accent
@example(text="ا\u0640\u0653")  # tatweel between alef and madda
@example(text="\ufe70\u0627")  # a presentation form that NFKC turns into tashkeel
def test_normalize_text_is_idempotent_and_folds_arabic(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert not _FOLDED_AWAY & set(once), sorted(_FOLDED_AWAY & set(once))
    assert once == once.strip() and "  " not in once and "\n" not in once


@FEW
@given(line=long_line())
def test_normalize_text_on_100k_characters(line: str) -> None:
    once = normalize_text(line)
    assert normalize_text(once) == once


@FAST
@given(text=any_text)
def test_search_tokens_are_nonempty_words(text: str) -> None:
    tokens = search_tokens(text)
    assert all(isinstance(t, str) and t and not any(c.isspace() for c in t) for t in tokens)
    assert tokens == search_tokens(text)  # deterministic
    assert search_tokens(normalize_text(text)) == tokens  # normalizing first changes nothing


# -- parse_markers ----------------------------------------------------------------------------


@FAST
@given(text=any_text)
@example(text="[\ufe47]")
@example(text="\ufe47١\ufe48 ［１，２］ [٣-٥]")
@example(text="[" + "1" * 5000 + "]")
def test_parse_markers_spans_are_in_the_input(text: str) -> None:
    previous_end = 0
    for marker in parse_markers(text):
        assert 0 <= marker.start < marker.end <= len(text)
        assert text[marker.start : marker.end] == marker.text
        assert marker.text in text
        assert marker.start >= previous_end
        assert marker.numbers and all(n >= 1 for n in marker.numbers)
        previous_end = marker.end
    assert parse_markers(strip_markers(text)) == []


# -- clean_question ---------------------------------------------------------------------------


@FAST
@given(
    question=st.one_of(st.none(), any_text, long_line()),
    limit=st.sampled_from([1, 10, 2000]),
)
@example(question="", limit=2000)
@example(question="؟؟؟ ... !!!", limit=2000)
@example(question="\u200f\u200e\u202e\u2066", limit=2000)
@example(question="ب" * LONG, limit=2000)
def test_clean_question_returns_a_usable_question_or_a_clear_error(
    question: str | None, limit: int
) -> None:
    try:
        cleaned = clean_question(question, limit)
    except QuestionError as error:
        assert str(error).strip()
        assert error.language in {"ar", "en"}
        return
    assert cleaned and cleaned == cleaned.strip() and len(cleaned) <= limit
    assert any(char.isalnum() for char in cleaned)
    assert not any(
        unicodedata.category(char) in {"Cc", "Cf"} and char not in "\u200c\u200d"
        for char in cleaned
    )


# -- sentences (what chunking and answers are built on) ---------------------------------------


@FAST
@given(text=any_text, max_chars=st.one_of(st.none(), st.integers(1, 50)))
def test_sentence_spans_are_exact(text: str, max_chars: int | None) -> None:
    for span in split_sentences(text, max_chars=max_chars):
        assert text[span.start : span.end] == span.text and span.text.strip()


# -- the CLI on hostile questions ---------------------------------------------------------------

ASK_TIMEOUT = 300


def _ask(seed_index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--index", str(seed_index), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=ASK_TIMEOUT,
    )


# 100k characters, kept under Linux's 128 KiB limit for one argument: Arabic takes 2 bytes each.
LONG_QUESTION = ("ما " * 8000 + "what happened in Moscow? " * 4000)[:LONG]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", "السؤال فارغ"),
        ("   \u200f\t", "السؤال فارغ"),
        # Framed by an Arabic question word, so told in Arabic (rag/question/language.py).
        (LONG_QUESTION, "السؤال طويل جداً"),
        ("؟!... ،؛ ?!", "لا يحتوي السؤال على كلمات"),
    ],
    ids=["empty", "blank", "100k", "punctuation"],
)
def test_cli_rejects_hostile_questions_without_a_traceback(
    seed_index: Path, question: str, expected: str
) -> None:
    assert len(question.encode()) < 128 * 1024
    result = _ask(seed_index, question)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode != 0
    assert expected in result.stderr
    assert result.stderr.startswith("error: ")


@pytest.mark.slow
def test_cli_batch_with_a_hostile_question_fails_cleanly(seed_index: Path, tmp_path: Path) -> None:
    """A 100k-character Arabic question (too big for argv) through `--questions`."""
    import json

    batch = tmp_path / "questions.jsonl"
    batch.write_text(json.dumps({"question": "بوتين " * 20_000}, ensure_ascii=False) + "\n")
    result = _ask(seed_index, "--questions", str(batch))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode != 0 and "السؤال طويل جداً" in result.stderr
