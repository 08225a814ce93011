"""Split articles into overlapping, sentence-aligned chunks that fit the embedding model."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import pairwise

from corpus.article import Article
from corpus.sentences import CLAUSE_BREAKS, Span, split_sentences

# Arabic and English news run at about 3.5-4 characters per token with the e5 tokenizer. This
# only decides which sentences are pre-cut at commas; the token budget itself is always checked
# with the real tokenizer.
_CHARS_PER_TOKEN = 4
_WORD = re.compile(r"\S+")
_CLAUSE_ENDS = CLAUSE_BREAKS | {"؛", ";"}


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

    @property
    def search_text(self) -> str:
        """What the chunk is embedded and searched as: the title gives every chunk its topic."""
        return f"{self.title}\n{self.text}" if self.title else self.text


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


def _fit_units(text: str, count: _Counter, max_tokens: int) -> list[Span]:
    """Sentences, with long ones cut at commas and any piece still over the token budget cut
    greedily at whitespace."""
    units: list[Span] = []
    for sentence in split_sentences(text, max_chars=max_tokens * _CHARS_PER_TOKEN):
        if count(sentence.start, sentence.end) <= max_tokens:
            units.append(sentence)
            continue
        words = [match.span() for match in _WORD.finditer(text, sentence.start, sentence.end)]
        piece_start, piece_end = words[0]
        for word_start, word_end in words[1:]:
            if count(piece_start, word_end) <= max_tokens:
                piece_end = word_end
            else:
                units.append(Span(piece_start, piece_end, text[piece_start:piece_end]))
                piece_start, piece_end = word_start, word_end
        units.append(Span(piece_start, piece_end, text[piece_start:piece_end]))
    return units


class _Packer:
    def __init__(self, article: Article, count: _Counter, settings: ChunkerSettings) -> None:
        self.article = article
        self.text = article.text
        self.count = count
        self.settings = settings
        self.units = _fit_units(self.text, count, settings.max_tokens)
        self.sentence_ends = {sentence.end for sentence in split_sentences(self.text)}

    def chunk_end(self, start: int, first_new: int) -> int:
        """Index of the last unit of the chunk starting at `start`: as many units as fit,
        backed off to the last sentence end, but always including unit `first_new`."""
        last = first_new
        while (
            last + 1 < len(self.units)
            and self.count(start, self.units[last + 1].end) <= self.settings.max_tokens
        ):
            last += 1
        return next(
            (i for i in range(last, first_new - 1, -1) if self.units[i].end in self.sentence_ends),
            last,
        )

    def next_goal(self, first_new: int) -> int:
        """End of what the next chunk must hold whole: the next sentence if it fits the
        budget on its own, else just the next unit."""
        fallback = self.units[first_new].end
        for i in range(first_new, len(self.units)):
            if self.units[i].end in self.sentence_ends:
                whole = self.count(self.units[first_new].start, self.units[i].end)
                return self.units[i].end if whole <= self.settings.max_tokens else fallback
        return fallback

    def overlap_start(self, start: int, end: int, first_new: int) -> int:
        """Where the next chunk starts: the earliest point in the tail of the previous chunk
        [start, end) within overlap_tokens that leaves room for the next sentence. Whole
        sentences are preferred, then clause starts, then any word."""
        goal = self.next_goal(first_new)
        words = list(_WORD.finditer(self.text, start, end))
        tiers = (
            [unit.start for unit in self.units if start < unit.start < end],
            [word.start() for prev, word in pairwise(words) if prev[0][-1] in _CLAUSE_ENDS],
            [word.start() for word in words[1:]],
        )
        for candidates in tiers:
            best = None
            for candidate in reversed(candidates):
                if self.count(candidate, end) > self.settings.overlap_tokens:
                    break
                if self.count(candidate, goal) <= self.settings.max_tokens:
                    best = candidate
            if best is not None:
                return best
        return self.units[first_new].start

    def chunks(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        first_new = 0  # first unit not yet in any chunk; the next chunk must include it
        start = self.units[0].start if self.units else 0
        while first_new < len(self.units):
            last = self.chunk_end(start, first_new)
            end = self.units[last].end
            chunks.append(
                Chunk(
                    id=f"{self.article.id}:{start}-{end}",
                    article_id=self.article.id,
                    title=self.article.title,
                    text=self.text[start:end],
                    start=start,
                    end=end,
                )
            )
            first_new = last + 1
            if first_new < len(self.units):
                start = self.overlap_start(start, end, first_new)
        return chunks


def chunk_article(
    article: Article,
    count_tokens: Callable[[str], int],
    settings: ChunkerSettings = ChunkerSettings(),
) -> list[Chunk]:
    """Pack consecutive sentences into chunks of at most `max_tokens` (by `count_tokens`, the
    embedding model's tokenizer), ending each chunk at a sentence end whenever one fits, so a
    sentence that fits the budget is always whole in some chunk. Each chunk after the first
    repeats the tail of the previous one, up to `overlap_tokens`: whole trailing sentences when
    they fit, else from a clause or word boundary, because Arabic news sentences are often
    longer than the overlap. Every chunk adds new text, so chunking always ends. Only a single
    word longer than the budget can exceed it."""
    count = _Counter(article.text, count_tokens)
    return _Packer(article, count, settings).chunks()
