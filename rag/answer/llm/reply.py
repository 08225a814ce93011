"""Reading the LLM's reply: its sentences with the passage numbers each one cites, and whether
it is the refusal it was told to give."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus import normalize_text, split_sentences
from rag.grounding.citations import parse_markers, strip_markers
from rag.messages import message

_LIST_PREFIX = re.compile(r"^[ \t]*(?:[-*•·]|[0-9\u0660-\u0669]{1,2}[.)])[ \t]+", re.MULTILINE)
_MARKDOWN = re.compile(r"\*\*|__|^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_WORD = re.compile(r"[^\W_]")


def _refusal_core(text: str) -> str:
    """A refusal reduced to its letters: its first clause, normalized, without spaces and marks."""
    first_clause = re.split(r"[،,;؛]", text, maxsplit=1)[0]
    return "".join(_WORD.findall(normalize_text(first_clause)))


_REFUSALS = tuple(_refusal_core(message("refusal", language)) for language in ("ar", "en"))


def is_refusal(text: str) -> bool:
    """Does the reply say (in either language) that the articles do not hold the answer?"""
    letters = "".join(_WORD.findall(normalize_text(strip_markers(text))))
    return any(core in letters for core in _REFUSALS)


@dataclass
class ReplySentence:
    """A sentence of the reply and the passage numbers (as numbered in the prompt) it cites."""

    text: str
    numbers: list[int] = field(default_factory=list)


def split_reply(text: str) -> list[ReplySentence]:
    """The reply's sentences with the marker numbers each one ends with.

    Markers that open a sentence ("... in 2020. [1] The ...") belong to the sentence before, and
    a piece with no words ("[2].") only hands its markers back; list bullets and markdown
    emphasis are dropped.
    """
    clean = _MARKDOWN.sub("", _LIST_PREFIX.sub("", text))
    markers = parse_markers(clean)
    sentences: list[ReplySentence] = []
    for span in split_sentences(clean):
        inside = [m for m in markers if span.start <= m.start and m.end <= span.end]
        opening = 0  # markers before the first word
        cursor = span.start
        for marker in inside:
            if clean[cursor : marker.start].strip():
                break
            opening += 1
            cursor = marker.end
        words = strip_markers(span.text)
        if not _WORD.search(words):
            if sentences:
                sentences[-1].numbers.extend(n for m in inside for n in m.numbers)
            continue
        if sentences:
            sentences[-1].numbers.extend(n for m in inside[:opening] for n in m.numbers)
            inside = inside[opening:]
        sentences.append(ReplySentence(words, [n for m in inside for n in m.numbers]))
    return sentences
