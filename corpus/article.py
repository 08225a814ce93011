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
    url: str | None = None
    date: str | None = None

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
    ) -> Article:
        """Build an article with its fingerprint, so the two can never disagree."""
        return cls(
            id=id,
            title=title,
            text=text,
            source=source,
            fingerprint=article_fingerprint(title, text),
            url=url,
            date=date,
        )


def article_fingerprint(title: str | None, text: str) -> str:
    """Hash of what a reader sees, so re-ingesting detects any change to title or body."""
    return hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()
