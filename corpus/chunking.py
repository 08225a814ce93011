"""Split articles into overlapping, sentence-aligned chunks that fit the embedding model."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from corpus.article import Article
from corpus.sentences import Span, split_sentences

# Arabic and English news run at about 3.5-4 characters per token with the e5 tokenizer. These
# ratios only decide where sentences are pre-cut; the token budget itself is always checked with
# the real tokenizer. Overlap pieces use the low end so that a tail piece usually fits.
_CHARS_PER_TOKEN = 4
_OVERLAP_CHARS_PER_TOKEN = 3
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ChunkerSettings:
    max_tokens: int = 200
    overlap_tokens: int = 40

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError("max_tokens must be positive")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise ValueError("overlap_tokens must be at least 0 and below max_tokens")

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """`text == article.text[start:end]`, so a chunk can always be located and cited."""

    id: str
    article_id: str
    title: str | None
    text: str
    start: int
    end: int


class _Counter:
    """Token counts of slices of one text, each computed once."""

    def __init__(self, text: str, count_tokens: Callable[[str], int]) -> None:
        self._text = text
        self._count_tokens = count_tokens
        self._cache: dict[tuple[int, int], int] = {}

    def __call__(self, start: int, end: int) -> int:
        key = (start, end)
        if key not in self._cache:
            self._cache[key] = self._count_tokens(self._text[start:end])
        return self._cache[key]


def _fit_units(text: str, count: _Counter, settings: ChunkerSettings) -> list[Span]:
    """Sentences cut into pieces small enough to serve as overlap, with any piece still over
    the token budget cut greedily at whitespace."""
    if settings.overlap_tokens:
        max_chars = settings.overlap_tokens * _OVERLAP_CHARS_PER_TOKEN
    else:
        max_chars = settings.max_tokens * _CHARS_PER_TOKEN
    units: list[Span] = []
    for sentence in split_sentences(text, max_chars=max_chars):
        if count(sentence.start, sentence.end) <= settings.max_tokens:
            units.append(sentence)
            continue
        words = [
            (sentence.start + match.start(), sentence.start + match.end())
            for match in _WORD.finditer(sentence.text)
        ]
        piece_start, piece_end = words[0]
        for word_start, word_end in words[1:]:
            if count(piece_start, word_end) <= settings.max_tokens:
                piece_end = word_end
            else:
                units.append(Span(piece_start, piece_end, text[piece_start:piece_end]))
                piece_start, piece_end = word_start, word_end
        units.append(Span(piece_start, piece_end, text[piece_start:piece_end]))
    return units


def chunk_article(
    article: Article,
    count_tokens: Callable[[str], int],
    settings: ChunkerSettings = ChunkerSettings(),
) -> list[Chunk]:
    """Pack consecutive sentences into chunks of at most `max_tokens` (by `count_tokens`, the
    embedding model's tokenizer), ending a chunk at a sentence end whenever one fits. Each
    chunk after the first starts with the tail of the previous one, up to `overlap_tokens` and
    cut at a clause or word boundary, so a fact split across a boundary is still whole in one
    chunk. Only a single word longer than the budget can exceed it."""
    text = article.text
    count = _Counter(text, count_tokens)
    units = _fit_units(text, count, settings)
    sentence_ends = {sentence.end for sentence in split_sentences(text)}

    def tokens(first: int, last: int) -> int:
        return count(units[first].start, units[last].end)

    chunks: list[Chunk] = []
    first = 0
    new_from = 0  # first unit not yet in any chunk; every chunk must include it
    while first < len(units):
        last = first
        while last + 1 < len(units) and tokens(first, last + 1) <= settings.max_tokens:
            last += 1
        last = next(
            (i for i in range(last, new_from - 1, -1) if units[i].end in sentence_ends), last
        )
        start, end = units[first].start, units[last].end
        chunks.append(
            Chunk(
                id=f"{article.id}:{start}-{end}",
                article_id=article.id,
                title=article.title,
                text=text[start:end],
                start=start,
                end=end,
            )
        )
        new_from = last + 1
        if new_from == len(units):
            break
        # Overlap: the longest tail of this chunk within overlap_tokens that still leaves room
        # for the next unit; it never reaches back to `first`, so chunks always move forward.
        previous_first, first = first, new_from
        while first - 1 > previous_first and tokens(first - 1, last) <= settings.overlap_tokens:
            first -= 1
        while first < new_from and tokens(first, new_from) > settings.max_tokens:
            first += 1
    return chunks
