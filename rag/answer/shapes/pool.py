"""What every broad answer is made of: each sentence of the retrieved passages once (overlapping
chunks repeat sentences), scored against the question, with its article's date (against which
the dates it mentions are resolved, `corpus.dates.date_mentions`, read once per sentence) and
the people it names.

People are found the way news introduces them, by a title before the name ("الرئيس الروسي
فلاديمير بوتين", `rag.answer.direct.person_names`). What follows a title is not always a name
("وأكد الرئيس بوتين رفض روسيا"), so a word is taken for part of a name when it follows a title
in two places or more: a name recurs, the words after it vary. A word in three quarters of
the index's passages or more ("روسيا" in a corpus about Russia) names no one in particular and
is left out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from corpus import Span, search_tokens
from corpus.dates import DateMention, PartialDate, date_mentions
from embeddings.index.lexical import bm25_idf
from embeddings.index.protocol import VectorIndex
from rag.answer.direct import person_names
from rag.answer.selection import ScoredSentence
from rag.schema import Passage, Question

NAMED_TWICE = 2
COMMON_SHARE = 0.75


@dataclass(frozen=True)
class Found:
    """A sentence of the retrieved passages."""

    passage: int  # the first retrieved passage that holds it
    span: Span  # offsets in that passage's chunk text
    article_id: str
    offset: int  # where it starts in its article
    score: float  # `SentenceSelector.score` against the question
    vector: np.ndarray = field(repr=False, compare=False)
    anchor: dt.date | None = None  # its article's date, when the day is known

    @property
    def text(self) -> str:
        return self.span.text

    # Read once per sentence: the shapes compare sentences pair by pair.
    @cached_property
    def dates(self) -> tuple[DateMention, ...]:
        return date_mentions(self.span.text, self.anchor)

    @cached_property
    def tokens(self) -> frozenset[str]:
        """Its search tokens (`corpus.search_tokens`)."""
        return frozenset(search_tokens(self.span.text))


@dataclass(frozen=True)
class Pool:
    question: Question
    passages: Sequence[Passage]
    found: list[Found]  # best first
    people: dict[str, int]  # search token of a name -> the person it names
    # How a reader knows each article: its title (or first sentence) and its date.
    occasions: dict[str, str] = field(default_factory=dict)

    def participants(self, found: Found) -> frozenset[int]:
        """The people a sentence names ("أسعد الشيباني" and "الشيباني" are one)."""
        return frozenset(self.people[t] for t in found.tokens if t in self.people)

    def relevant(self, margin: float) -> list[Found]:
        """Sentences scoring within `margin` of the best one."""
        if not self.found:
            return []
        floor = self.found[0].score - margin
        return [f for f in self.found if f.score >= floor]


def gather(
    question: Question,
    passages: Sequence[Passage],
    scored: Sequence[ScoredSentence],
    index: VectorIndex,
) -> Pool:
    """The pool of the sentences the extractive answer scored (`scored`, best first)."""
    records = index.manifest.articles
    anchors: dict[str, dt.date | None] = {}
    occasions: dict[str, str] = {}
    for article_id in {p.article_id for p in passages}:
        record = records.get(article_id)
        date = PartialDate.from_iso(record.date) if record else None
        anchors[article_id] = date.exact if date else None
        title = (record.title or record.opening) if record else None
        dated = date.label(question.language) if date else ""
        occasions[article_id] = " · ".join(filter(None, (title or article_id, dated)))
    found: list[Found] = []
    seen: set[tuple[str, int]] = set()
    for item in scored:
        chunk = passages[item.passage].chunk
        key = (chunk.article_id, chunk.start + item.span.start)
        if key not in seen:
            seen.add(key)
            anchor = anchors.get(chunk.article_id)
            found.append(
                Found(item.passage, item.span, key[0], key[1], item.score, item.vector, anchor)
            )
    return Pool(question, passages, found, _people(found, index), occasions)


def _people(found: list[Found], index: VectorIndex) -> dict[str, int]:
    """The words that name people, each with the person it names: words of one name ("أسعد
    الشيباني") name one person."""
    names = [set(search_tokens(f.text[a:b])) for f in found for a, b in person_names(f.text)]
    titled = Counter(token for name in names for token in name)
    size = index.manifest.chunks or 1
    common = bm25_idf(round(COMMON_SHARE * size), size)
    idf = index.idf([t for t, count in titled.items() if count >= NAMED_TWICE])
    person: dict[str, int] = {}
    for name in names:
        words = [t for t in name if idf.get(t, 0.0) > common]
        known = {person[t] for t in words if t in person}
        number = min(known, default=len(person) + len(found))
        for token, other in list(person.items()):
            if other in known:
                person[token] = number  # two names that share a word are one person
        person.update(dict.fromkeys(words, number))
    return person
