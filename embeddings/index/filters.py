"""Which articles a search may return: a window of time and a set of outlets, decided on the facts
each article's record keeps (`ArticleRecord.date`, `outlet`, `url`, `mentioned_dates`), so both
backends filter alike (`VectorIndex.search(..., within=...)`).

An article is within a window when its date is; an article of unknown date when a date it
mentions may be within it (the only thing known about when it is from), or always, for a
filter that keeps them (`keep_undated`, a question's own span of time). An article is from an outlet when
its outlet or the site of its URL names it (compared normalized, word for word).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from corpus import normalize_text
from corpus.dates import DateWindow, PartialDate
from corpus.facts import outlet_of_url
from embeddings.index.manifest import ArticleRecord, Manifest


def _words(name: str) -> tuple[str, ...]:
    return tuple(normalize_text(name.replace(".", " ")).split())


def outlet_names(record: ArticleRecord) -> list[tuple[str, ...]]:
    """The names an article's outlet goes by: its outlet, and its URL's site without the
    domain ("sana.sy" -> "sana")."""
    names = [_words(record.outlet)] if record.outlet else []
    site = outlet_of_url(record.url)
    if site:
        names.append(_words(site.rsplit(".", 1)[0]))
    return [name for name in names if name]


def names_outlet(asked: str, record: ArticleRecord) -> bool:
    """Whether `asked` ("SANA", "سانا", "وكالة سانا") names the article's outlet: one name's
    words all among the other's."""
    words = set(_words(asked))
    return bool(words) and any(
        words <= set(name) or set(name) <= words for name in outlet_names(record)
    )


@dataclass(frozen=True)
class ArticleFilter:
    window: DateWindow | None = None
    outlets: tuple[str, ...] = ()
    # Keep the articles of unknown date (a question's "في تموز" narrows what is dated; an
    # encyclopedia's undated paragraph is not ruled out by the year its question names).
    keep_undated: bool = False

    @property
    def active(self) -> bool:
        return self.window is not None or bool(self.outlets)

    def label(self, language: str) -> str:
        """What it asks for, in words ("July 2025 · SANA")."""
        parts = [self.window.label(language)] if self.window else []
        return " · ".join([*parts, *self.outlets])

    def admits(self, record: ArticleRecord) -> bool:
        if self.outlets and not any(names_outlet(name, record) for name in self.outlets):
            return False
        if self.window is None:
            return True
        dated = PartialDate.from_iso(record.date)
        if dated is not None:
            return self.window.holds(dated) is True
        if self.keep_undated:
            return True
        # Of unknown date: it may be from the window if a date it mentions may be in it ("31
        # July" of a year it does not state may be in July 2025; "30 September 2015" is not).
        mentioned = (PartialDate.from_iso(text) for text in record.mentioned_dates)
        return any(d is not None and self.window.holds(d) is not False for d in mentioned)

    def article_ids(self, manifest: Manifest) -> frozenset[str]:
        """The articles of `manifest` it admits: decided once per filter and index, since a
        question searches three times and a conversation keeps its filter (`_ADMITTED`)."""
        key = (self, id(manifest))
        known = _ADMITTED.get(key)
        if known is None or known[0] is not manifest:
            ids = frozenset(i for i, record in manifest.articles.items() if self.admits(record))
            known = (manifest, ids)
            with _ADMITTED_LOCK:  # questions are answered on several threads
                _ADMITTED[key] = known
                while len(_ADMITTED) > ADMITTED_KEPT:
                    del _ADMITTED[next(iter(_ADMITTED))]
        return known[1]


# The articles each recent filter admits, by filter and index (the index kept with them, so an
# id is never mistaken for a later index's); one index is served at a time.
ADMITTED_KEPT = 16
_ADMITTED: dict[tuple[ArticleFilter, int], tuple[Manifest, frozenset[str]]] = {}
_ADMITTED_LOCK = threading.Lock()


def admitted(within: ArticleFilter | None, manifest: Manifest) -> frozenset[str] | None:
    """The article ids a search may return, or None when it may return any (no filter, or one
    that rules nothing out, which keeps the unfiltered search)."""
    if within is None or not within.active:
        return None
    ids = within.article_ids(manifest)
    return None if len(ids) == len(manifest.articles) else ids
