"""The article record that every later stage (chunking, indexing, citing) works from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """A cleaned article. `text` is the body shown to users (NFKC, original spelling and
    diacritics kept, paragraphs joined by newlines) and never contains the title."""

    id: str
    title: str | None
    text: str
    source: str
    fingerprint: str
    # What is known about the article itself (from its file's fields, its markup or its opening
    # lines): where it was published, when (ISO 8601, YYYY-MM-DD, when the day is known), by
    # which outlet, and by whom.
    url: str | None = None
    date: str | None = None
    outlet: str | None = None
    author: str | None = None

    @classmethod
    def create(
        cls,
        *,
        id: str,
        title: str | None,
        text: str,
        source: str,
        url: str | None = None,
        date: str | None = None,
        outlet: str | None = None,
        author: str | None = None,
    ) -> Article:
        """Build an article with its fingerprint, so the two can never disagree."""
        return cls(
            id=id,
            title=title,
            text=text,
            source=source,
            fingerprint=article_fingerprint(title, text, url, date, outlet, author),
            url=url,
            date=date,
            outlet=outlet,
            author=author,
        )


def article_fingerprint(title: str | None, text: str, *facts: str | None) -> str:
    """Hash of what a reader sees, so re-ingesting detects any change to the title, the body or
    what is known about the article (its URL, date, outlet, author): a corrected date is
    indexed again."""
    seen = f"{title or ''}\n{text}"
    if any(facts):  # an article with no facts keeps the fingerprint it always had
        seen += "\n" + "\n".join(fact or "" for fact in facts)
    return hashlib.sha256(seen.encode()).hexdigest()
