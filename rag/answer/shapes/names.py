"""A person or place named in one script and found in the other: "Lavrov" in an English
question, "لافروف" in the Arabic article. Both are reduced to the consonants they are spelled
with, mapped to one Latin letter each ("lfrf"), the way transliteration carries names across;
names the same in both scripts have the same skeleton. Short skeletons match too much ("sr" is
both الشرع and سوريا), so only skeletons of three consonants or more are compared.
"""

from __future__ import annotations

import re

from corpus import normalize_text, search_tokens

MIN_SKELETON = 3
_ARABIC = str.maketrans(
    {
        **dict.fromkeys("اأإآءؤئوىيةعه", ""),
        **dict(zip("بتثجحخدذرزسشصضطظغفقكلمنپچگڤ", "bttjhkddrzsssdtzgfkklmnbjgf", strict=True)),
    }
)
_DIGRAPHS = (
    ("kh", "k"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "s"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
)
_LATIN = str.maketrans(
    {**dict.fromkeys("aeiouwyh'-", ""), "p": "b", "v": "f", "q": "k", "c": "k", "x": "ks"}
)
_DOUBLE = re.compile(r"(.)\1+")
_WORD = re.compile(r"\w+")


def skeleton(word: str) -> str:
    """The consonants of a name, in Latin letters ("Lavrov" and "لافروف": "lfrf")."""
    word = normalize_text(word)
    if word.isascii():
        word = re.sub(r"^(?:al|el)[- ]", "", word)
        for digraph, letter in _DIGRAPHS:
            word = word.replace(digraph, letter)
        letters = word.translate(_LATIN)
    else:
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]
        letters = word.translate(_ARABIC)
    return _DOUBLE.sub(r"\1", "".join(c for c in letters if c.isalpha()))


def word_keys(word: str) -> tuple[frozenset[str], str]:
    """How a word is matched: its search tokens (same script), and its skeleton (across)."""
    return frozenset(search_tokens(word)), skeleton(word)


def named_at(text: str, name: str) -> list[int]:
    """Where in `text` (offsets of `normalize_text(text)`) a word of `name` is named: by the
    same search token, or, across scripts, by the same skeleton."""
    wanted = [word_keys(word) for word in _WORD.findall(normalize_text(name))]
    found = []
    for match in _WORD.finditer(normalize_text(text)):
        tokens, shape = word_keys(match.group())
        for name_tokens, name_shape in wanted:
            same = bool(tokens & name_tokens)
            across = len(shape) >= MIN_SKELETON and shape == name_shape
            if same or across:
                found.append(match.start())
                break
    return found
