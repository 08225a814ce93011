"""Article ids end up in chunk ids, index keys and citations, so they must look like what
they are: no control characters and no invisible format characters."""

import json

import pytest

from corpus import load_file

BODY = "أعلنت الوزارة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية خلال العام المقبل."


def reasons(tmp_path, article_id: str) -> list[str]:
    path = tmp_path / "feed.jsonl"
    record = {"id": article_id, "title": "t", "text": BODY}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return [error.reason for error in load_file(path).errors]


BIDI = "\u202e\u202a\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = "\u200b\u200d\u2060\ufeff\u00ad"


@pytest.mark.parametrize("char", BIDI + INVISIBLE)
def test_ids_with_format_characters_are_rejected(tmp_path, char):
    (reason,) = reasons(tmp_path, f"news{char}txt.exe")
    assert "invisible format characters" in reason
    assert f"U+{ord(char):04X}" in reason
    assert char not in reason  # the reason names the character without displaying it


def test_a_file_name_with_a_bidi_override_is_rejected(tmp_path):
    path = tmp_path / "report\u202eftp.txt"
    path.write_text(f"عنوان\n{BODY}", encoding="utf-8")
    (error,) = load_file(path).errors
    assert "U+202E" in error.reason


def test_ordinary_arabic_and_latin_ids_load(tmp_path):
    for article_id in ["خبر-١", "story_2025-01-02", "Ünïcödé"]:
        assert reasons(tmp_path, article_id) == []
