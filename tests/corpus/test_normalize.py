import pytest

from corpus import clean_text, normalize_text, search_tokens
from corpus.normalize import stream_safe
from tests.corpus.timing import assert_linear


def test_removes_harakat_tanween_shadda_and_sukun():
    assert normalize_text("مُحَمَّدٌ رَسُولٌ قَدْ") == "محمد رسول قد"


def test_removes_superscript_alef_and_quranic_marks():
    assert normalize_text("هٰذا") == "هذا"
    assert normalize_text("الله\u0610") == "الله"
    assert normalize_text("كتاب\u06d6\u06ed") == "كتاب"


def test_removes_tatweel():
    assert normalize_text("مـــرحبــا") == "مرحبا"


@pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ", "ٲ", "ٳ"])
def test_folds_each_alef_form_to_bare_alef(alef):
    assert normalize_text(f"{alef}حمد") == "احمد"


def test_folds_decomposed_hamza_above_after_composing_it():
    assert normalize_text("ا\u0654حمد") == "احمد"


def test_keeps_other_hamza_carriers():
    assert normalize_text("مؤتمر هيئة سماء") == "مؤتمر هيئة سماء"


def test_maps_arabic_indic_digits_to_ascii():
    assert normalize_text("٠١٢٣٤٥٦٧٨٩") == "0123456789"


def test_maps_extended_arabic_indic_digits_to_ascii():
    assert normalize_text("۰۱۲۳۴۵۶۷۸۹") == "0123456789"


def test_nfkc_resolves_presentation_forms():
    assert normalize_text("ﻻ") == "لا"
    assert normalize_text("ﺍﻟﺴﻼﻡ") == "السلام"
    # The Allah ligature decomposes with shadda and superscript alef, which are then removed.
    assert normalize_text("ﷲ") == "الله"


def test_casefolds():
    assert normalize_text("HELLO Straße") == "hello strasse"


def test_collapses_and_strips_whitespace():
    assert normalize_text("  سوريا \t\n\u00a0 روسيا  ") == "سوريا روسيا"


def test_removes_invisible_bidi_and_joiner_marks():
    assert normalize_text("سو\u200fريا\u200c") == normalize_text("سوريا")


def test_spelling_variants_compare_equal():
    assert normalize_text("إلى الأمام ٣") == normalize_text("الى الامام 3")
    assert normalize_text("أيضاً") == normalize_text("ايضا")


def test_is_idempotent_on_the_seed_corpus(seed_paths):
    for path in seed_paths:
        once = normalize_text(path.read_text(encoding="utf-8"))
        assert normalize_text(once) == once


def test_empty_text():
    assert normalize_text("") == ""
    assert search_tokens("") == []


def test_search_drops_arabic_and_english_stopwords():
    assert search_tokens("في من إلى على عن هذا التي كان") == []
    assert search_tokens("What is the capital of Syria?") == ["capital", "syria"]


def test_search_drops_stopwords_behind_a_conjunction():
    assert search_tokens("وهذا فقد ولكن") == []


@pytest.mark.parametrize("word", ["الكتاب", "والكتاب", "بالكتاب", "كالكتاب", "فالكتاب", "للكتاب"])
def test_search_strips_article_prefixes(word):
    assert search_tokens(word) == ["كتاب"]


def test_search_strips_single_letter_prefixes_only_from_long_words():
    assert search_tokens("وسيارة") == search_tokens("سيارة")
    assert search_tokens("لمدرسة") == search_tokens("مدرسة")
    # Stripping would leave a 3-letter remainder, which is usually a root letter lost.
    assert search_tokens("وزير") == search_tokens("الوزير") == ["وزير"]
    assert search_tokens("وصل") == ["وصل"]


def test_search_strips_suffixes_keeping_three_letters():
    assert search_tokens("المعلمون") == search_tokens("المعلمين") == ["معلم"]
    assert search_tokens("السورية") == search_tokens("السوري")
    assert search_tokens("الاتفاقات") == ["اتفاق"]
    assert search_tokens("كتب") == ["كتب"]


def test_search_folds_alef_maqsura_and_ta_marbuta():
    assert search_tokens("مستشفى") == search_tokens("مستشفي")
    assert search_tokens("مدينة") == search_tokens("مدينه")


def test_search_normalizes_before_tokenizing():
    assert search_tokens("الكِتَابُ") == ["كتاب"]
    assert search_tokens("عام ٢٠٢٤، في U.S-based") == ["عام", "2024", "u", "s", "based"]


def test_search_splits_on_punctuation_and_is_deterministic():
    text = "بحث الرئيس الروسي، فلاديمير بوتين، مع الشيباني (وزير الخارجية)."
    tokens = search_tokens(text)
    assert tokens == search_tokens(text)
    assert all(token.isalnum() for token in tokens)
    assert "شيبان" in tokens


# Two accents of different combining classes, alternating and then in two blocks: the orders
# NFKC's canonical reordering is slowest on, quadratic in the run (80 KB took 3.5 s).
MARK_RUNS = ["a" + "\u0301\u0316" * 100_000, "a" + "\u0301" * 100_000 + "\u0316" * 100_000]


@pytest.mark.parametrize("text", MARK_RUNS, ids=["alternating", "blocks"])
def test_long_runs_of_marks_normalize_in_linear_time(text):
    assert_linear(normalize_text, text)
    assert_linear(clean_text, text)
    normalized = normalize_text(text)
    assert normalize_text(normalized) == normalized
    assert "\u034f" in normalized  # a grapheme joiner after every 30 marks


def test_stream_safe_leaves_ordinary_text_alone():
    for text in ["كَتَبَ الوزيرُ", "e\u0301" * 40, "a" + "\u0301" * 30, "-" * 100, "ﷺ"]:
        assert stream_safe(text) == text
    assert stream_safe("a" + "\u0301" * 61) == "a" + ("\u0301" * 30 + "\u034f") * 2 + "\u0301"
