"""Broad questions: the ones a single sentence cannot answer, and the shape their answer takes.

- timeline: "رتّب زمنياً اللقاءات ...", "Timeline of the meetings ...";
- speaker (who said what): "ماذا قال لافروف عن سوريا؟", "What did Lavrov say about Syria?";
- summary: "ما أبرز نتائج الزيارة؟", "What happened between Syria and Russia?", "results of ...";
- comparison: "ما الفرق بين ما قاله لافروف في أنقرة وموسكو؟", "Compare X and Y", "Do the
  articles disagree about ...?".

Read from the question's own words, in both languages; what is left once the shape's words
are taken out is the subject, searched for and matched against. The patterns run on the text
with its alef, ya and ta marbuta forms folded one for one, so offsets point into the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_FOLD = str.maketrans("أإآٱىة", "اااايه")
# Tashkeel and tatweel: left out of the folded text (`_Folded` maps offsets back).
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_I = re.IGNORECASE


class _Folded:
    """The question with alef, ya and ta marbuta forms folded and its marks left out, and the
    way back from its offsets to the question's."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.where = [i for i, char in enumerate(text) if not _MARKS.match(char)]
        self.text = "".join(text[i] for i in self.where).translate(_FOLD)

    def span(self, match: re.Match[str], group: str | int = 0) -> tuple[int, int]:
        start, end = match.span(group)
        if start == end:
            return start, end
        start, end = self.where[start], self.where[end - 1] + 1
        while end < len(self.original) and _MARKS.match(self.original[end]):
            end += 1  # the marks on its last letter
        return start, end

    def part(self, match: re.Match[str], group: str) -> str:
        return self.original[slice(*self.span(match, group))].strip() if match[group] else ""


class Shape(StrEnum):
    TIMELINE = "timeline"
    SPEAKER = "speaker"
    SUMMARY = "summary"
    COMPARISON = "comparison"


@dataclass(frozen=True)
class Broad:
    shape: Shape
    subject: str  # what the answer is about: the question without the words of its shape
    speaker: str | None = None  # whose statements are asked for
    sides: tuple[str, ...] = ()  # what a comparison sets side by side


_PREPOSITIONS = "عن|بشان|حول|تجاه|في|خلال|من|about|on|regarding|concerning|in|at|during"
_WORD = rf"(?!(?:{_PREPOSITIONS})\b)[^\s؟?،,.]+"
_NAME = rf"(?P<who>{_WORD}(?:\s+{_WORD}){{0,3}}?)"
_ABOUT = rf"(?:\s+(?P<about>(?:{_PREPOSITIONS})\s+.+?))?"
_END = r"\s*[؟?.!]*\s*$"
_SPEAKER = (
    re.compile(
        r"(?:^|\s)(?:ماذا|ما الذي|بماذا|ما|ما هي|ما هو)\s+(?:قال|قالت|قاله|قالته|صرح|صرحت|"
        rf"صرح به|اعلن|اعلنت|اكد|اكدت|تصريحات|اقوال)\s+{_NAME}{_ABOUT}{_END}",
        _I,
    ),
    re.compile(
        r"\bwhat\s+(?:did|does|has|have|had)\s+(?:the\s+)?"
        rf"{_NAME}\s+(?:say|said|state|stated|tell|told|announce|announced|declare){_ABOUT}{_END}",
        _I,
    ),
    re.compile(
        r"\b(?:statements?|remarks|comments|quotes|words)\s+(?:of|by|from)\s+(?:the\s+)?"
        rf"{_NAME}{_ABOUT}{_END}",
        _I,
    ),
    re.compile(rf"\bwhat\s+{_NAME}\s+(?:said|has said|stated){_ABOUT}{_END}", _I),
)
_TIMELINE = re.compile(
    r"رتب\S*\s+زمني\S*|ترتيب\S*\s+زمني\S*|تسلسل\S*\s+زمني\S*|التسلسل الزمني|"
    r"(?:جدول|خط)\s+زمني|كرونولوجي\S*|بالترتيب الزمني|حسب التاريخ|"
    r"\btimelines?\s+of\b|^\s*timeline\b|\b(?:give|show|make|list|build|draw|create)\b[^?]*\btimeline\b|"
    r"\bchronology\b|\bchronologically\b|\bin\s+(?:chronological|date|calendar)\s+order\b|"
    r"\b(?:sequence|order)\s+of\s+events\b",
    _I,
)
_SUMMARY = re.compile(
    r"(?:^|\s)ما\s*(?:هي\s+)?(?:ابرز|اهم)\s|(?:^|\s)(?:لخص|تلخيص|ملخص|خلاصه)\S*|"
    r"(?:^|\s)(?:ماذا|ما الذي)\s+(?:حدث|جرى|جري)|(?:^|\s)(?:ما\s+)?(?:هي\s+)?(?:نتائج|حصيله)\s|"
    r"^\s*summar(?:ize|ise)\b|\bsummar(?:y|ize|ise)\s+(?:of|what)\b|\bgive\s+(?:me\s+)?a\s+summary\b|"
    r"\bwhat\s+(?:has\s+)?happened\b(?!\s+to\b)|\boverview\b|\b(?:key|main)\s+points\b|"
    r"\b(?:results|outcomes)\s+of\b|\brecap\b",
    _I,
)
# "Different", "الفرق" (also "the teams") and "compared to" appear in plain questions too; a
# comparison names what differs between what, or asks whether the articles agree.
_COMPARISON = re.compile(
    r"(?:^|\s)(?:ما\s+)?(?:الفرق|الفارق|الاختلاف|التباين)\s+بين\b|(?:^|\s)ما\s+الفرق\b|"
    r"^\s*(?:قارن|وازن)\S*|(?:^|\s)(?:مقارنه\s+بين)|"
    r"(?:^|\s)هل\s+(?:تختلف|تتفق|اتفقت|اختلفت|تتناقض|تناقضت)\s+(?:المقالات|التقارير|المصادر)|"
    r"\bdifferences?\s+between\b|^\s*compare\b|\bhow\s+do\b.+\bdiffer\b|"
    r"\b(?:articles|reports|outlets|sources)\s+(?:disagree|differ|contradict|agree)\b|"
    r"\bcontradict\w*",
    _I,
)
# "بين X و Y", "between X and Y", "compare X with Y", "X vs Y".
_SIDES = (
    re.compile(r"(?:^|\s)بين\s+(?P<a>.+)\s+و\s*(?P<b>[^\s؟?]+(?:\s+[^\s؟?]+){0,3}?)" + _END, _I),
    re.compile(r"\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)" + _END, _I),
    re.compile(r"\bcompar\w*\s+(?P<a>.+?)\s+(?:with|to|and)\s+(?P<b>.+?)" + _END, _I),
    re.compile(r"(?P<a>[^\s]+(?:\s+[^\s]+){0,3})\s+(?:vs\.?|versus)\s+(?P<b>.+?)" + _END, _I),
)
_SPACES = re.compile(r"\s+")


def _without(folded: _Folded, match: re.Match[str]) -> str:
    start, end = folded.span(match)
    text = folded.original
    return _SPACES.sub(" ", f"{text[:start]} {text[end:]}").strip(" ؟?.!،,:")


def _speaker(folded: _Folded) -> tuple[str, str] | None:
    for pattern in _SPEAKER:
        match = pattern.search(folded.text)
        if match:
            return folded.part(match, "who"), folded.part(match, "about")
    return None


def _sides(folded: _Folded) -> tuple[str, ...]:
    for pattern in _SIDES:
        match = pattern.search(folded.text)
        if match:
            return folded.part(match, "a"), folded.part(match, "b")
    return ()


def read_broad(text: str) -> Broad | None:
    """The shape a question asks its answer to take, or None for a question one sentence can
    answer."""
    folded = _Folded(text)
    comparison = _COMPARISON.search(folded.text)
    if comparison:
        found = _speaker(folded)
        speaker = found[0] if found else None
        return Broad(Shape.COMPARISON, _without(folded, comparison), speaker, _sides(folded))
    timeline = _TIMELINE.search(folded.text)
    if timeline:
        return Broad(Shape.TIMELINE, _without(folded, timeline) or text)
    found = _speaker(folded)
    if found:
        who, about = found
        return Broad(Shape.SPEAKER, about or text, who)
    summary = _SUMMARY.search(folded.text)
    if summary:
        return Broad(Shape.SUMMARY, _without(folded, summary) or text)
    return None
