"""The filter a search runs with: what the request asks (the chat's filter control, the API's
`filters` field) and what the question itself says ("في تموز", "in 2025", "last week",
"according to SANA").

A question's span of time counts from the newest article's date ("last week") and narrows the
articles of known date only (an undated article is not ruled out by a year its question names;
the broad answers still keep to the span); an outlet is read from it only when the index holds
that outlet, after words that attribute ("بحسب",
"وفق", "according to"), so no other word of a question becomes a filter. The request's filter
is kept as asked; one read from the question is dropped (and the answer says so) when no
article would be left.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from corpus import normalize_text
from corpus.dates import PartialDate, question_window
from embeddings.index.filters import ArticleFilter, outlet_names
from embeddings.index.manifest import Manifest
from rag.messages import count_words, message
from rag.question.language import Language

_ATTRIBUTION = re.compile(
    r"(?:^|\s)(?:بحسب|حسب|وفق|وفقا ل|نقلا عن|كما (?:اوردت|ذكرت|نقلت)|according to|as reported by"
    r"|reported by|per)\s+",
    re.IGNORECASE,
)
_OUTLET_WORDS = 4  # words after an attribution where an outlet's name is looked for
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Settled:
    """The filter a search runs with, and whether the question's own was set aside because no
    article matched it (the words it was read from, for the answer to say so)."""

    filter: ArticleFilter | None
    dropped: str = ""


@dataclass(frozen=True)
class _IndexFacts:
    newest: dt.date | None  # the last possible day of the newest article of known date
    outlets: frozenset[tuple[str, ...]]  # every name an article's outlet goes by


_facts: list[tuple[Manifest, _IndexFacts]] = []  # of the manifest served, computed once


def _index_facts(manifest: Manifest) -> _IndexFacts:
    if _facts and _facts[0][0] is manifest:
        return _facts[0][1]
    latest = None
    for record in manifest.articles.values():
        date = PartialDate.from_iso(record.date)
        bounds = date.bounds() if date is not None else None
        if bounds is not None and (latest is None or bounds[1] > latest):
            latest = bounds[1]
    names = frozenset(name for r in manifest.articles.values() for name in outlet_names(r))
    _facts[:] = [(manifest, _IndexFacts(latest, names))]
    return _facts[0][1]


def _outlets(text: str, facts: _IndexFacts) -> tuple[tuple[str, ...], str]:
    """The outlets of the index the question attributes to, and the words that name them."""
    folded = normalize_text(text)
    found: dict[str, str] = {}
    for attribution in _ATTRIBUTION.finditer(folded):
        words = _WORDS.findall(folded[attribution.end() :])[:_OUTLET_WORDS]
        bare = set(words) | {word.removeprefix("ال") for word in words}
        for name in facts.outlets:
            if set(name) <= bare:
                found.setdefault(" ".join(name), " ".join(words[: len(name)]))
    return tuple(found), " ".join(dict.fromkeys(found.values()))


def question_filter(text: str, manifest: Manifest) -> tuple[ArticleFilter | None, str]:
    """The filter a question states, and its words (for telling the reader), or (None, "")."""
    facts = _index_facts(manifest)
    window = question_window(text, facts.newest)
    outlets, named = _outlets(text, facts)
    if window is None and not outlets:
        return None, ""
    said = [text[slice(*window[1])]] if window else []
    found = ArticleFilter(window[0] if window else None, outlets, keep_undated=True)
    return found, " ".join([*said, named]).strip()


def settle(asked: ArticleFilter | None, text: str, manifest: Manifest) -> Settled:
    """The request's filter, narrowed by the question's where it says more."""
    said, words = question_filter(text, manifest)
    if said is None:
        return Settled(asked)
    window = asked.window if asked and asked.window else said.window
    merged = ArticleFilter(
        window,
        asked.outlets if asked and asked.outlets else said.outlets,
        keep_undated=window is said.window,
    )
    if merged.article_ids(manifest) or not manifest.articles:
        return Settled(merged)
    return Settled(asked, words)


def filter_notices(settled: Settled, manifest: Manifest, language: Language) -> list[str]:
    """What the answer tells of its filter: which articles were searched, or that the
    question's own filter matched none and was set aside."""
    notices = []
    if settled.dropped:
        notices.append(message("filter_dropped", language, words=settled.dropped))
    within = settled.filter
    if within is not None and within.active:
        count = len(within.article_ids(manifest))
        if count == len(manifest.articles):
            return notices  # it ruled nothing out
        label = within.label(language)
        if count:
            articles = count_words(count, "article", language)
            notices.append(message("filter_searched", language, filter=label, articles=articles))
        else:
            notices.append(message("filter_empty", language, filter=label))
    return notices
