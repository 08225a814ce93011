"""The filter a reader sets beside the question (the chat's filter control, the API's `filters`
field): dates from and to, as typed, and outlets, parsed once at the edge into the
`ArticleFilter` the search runs with."""

from __future__ import annotations

from collections.abc import Sequence

from corpus.dates import window_between
from embeddings.index.filters import ArticleFilter
from rag.messages import message
from rag.question.language import Language


class FilterError(ValueError):
    """A filter that cannot be read; the message says why, in the question's language."""

    def __init__(self, text: str, language: Language) -> None:
        super().__init__(text)
        self.language = language


def request_filter(
    date_from: str | None,
    date_to: str | None,
    outlets: Sequence[str] = (),
    language: Language = "en",
) -> ArticleFilter | None:
    """The filter the reader set, or None when they set none."""
    try:
        window = window_between(date_from, date_to)
    except ValueError as error:
        raise FilterError(
            message("bad_filter_date", language, value=str(error)), language
        ) from None
    names = tuple(dict.fromkeys(name.strip() for name in outlets if name and name.strip()))
    if window is None and not names:
        return None
    return ArticleFilter(window, names)
