"""How well extracted text matches the text a document holds: the measures the PDF and web page
comparisons report (README, "Adding articles").

- character accuracy: difflib's ratio (2 x matched characters / both lengths) between the source
  and the extraction, each NFKC-folded with its whitespace collapsed; text in the wrong order or
  in presentation forms matches little;
- word share: the share of extracted words that normalize (`corpus.normalize_text`) to a word of
  the source, i.e. that a search can find;
- kept: the share of the source's words (as a multiset) found in the extraction.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

from corpus import normalize_text

_WORD = re.compile(r"[^\W_]+")


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def words(text: str) -> list[str]:
    return _WORD.findall(normalize_text(text))


def character_accuracy(source: str, extracted: str) -> float:
    return SequenceMatcher(None, _flat(source), _flat(extracted), autojunk=False).ratio()


def word_share(source: str, extracted: str) -> float:
    known = set(words(source))
    found = words(extracted)
    return sum(word in known for word in found) / len(found) if found else 0.0


def kept(source: str, extracted: str) -> float:
    wanted = Counter(words(source))
    got = Counter(words(extracted))
    return sum((wanted & got).values()) / sum(wanted.values())


def boilerplate_left_out(snippets: list[str], extracted: str) -> float:
    flat = " ".join(words(extracted))
    return sum(" ".join(words(s)) not in flat for s in snippets) / len(snippets)
