"""Split articles into overlapping, sentence-aligned chunks that fit the embedding model.

Chunking takes time linear in the article. Every unit is at most a budget's worth of text, no
search looks further ahead than a chunk can reach, and each cut (the end of a piece, of a chunk,
of an overlap) is found by galloping out from a guess instead of adding one unit at a time, so
a chunk costs a few token counts of about its own length. Those searches assume that a longer
span never has fewer tokens than a shorter one it contains, which holds for subword tokenizers
such as e5's on whitespace-separated text; with that, the cuts are the ones a unit-by-unit scan
would find. Where it fails (inside one long word, a longer span can tokenize shorter) a cut may
differ, but never the budget: every chunk is counted before it is kept.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache, partial
from itertools import pairwise

from corpus.article import Article
from corpus.limits import CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN
from corpus.sentences import CLAUSE_BREAKS, Span, character_cut, split_sentences

_WORD = re.compile(r"\S+")
_CLAUSE_ENDS = CLAUSE_BREAKS | {"؛", ";"}
# Searches for one chunk and the next ask about the same slices, never about ones far behind.
_COUNT_CACHE_SIZE = 1024

_Count = Callable[[int, int], int]


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


def _counter(text: str, count_tokens: Callable[[str], int]) -> _Count:
    """Token counts of slices text[start:end], the recent ones kept."""

    @lru_cache(maxsize=_COUNT_CACHE_SIZE)
    def count(start: int, end: int) -> int:
        return count_tokens(text[start:end])

    return count


def _last_fitting(fits: Callable[[int], bool], lo: int, hi: int, guess: int) -> int:
    """The largest i in [lo, hi] for which `fits` holds, where it holds up to some point and
    not after; lo is the answer when nothing fits. Searching out from `guess` with doubling
    steps, then halving, costs two or three calls when the guess is close."""
    good = bad = min(max(guess, lo), hi)
    if fits(good):
        step = 1
        while good < hi:
            bad = min(good + step, hi)
            if not fits(bad):
                break
            good, step = bad, step * 2
        else:
            return hi
    else:
        step = 1
        while good > lo:
            good = max(bad - step, lo)
            if good == lo or fits(good):
                break
            bad, step = good, step * 2
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(middle):
            good = middle
        else:
            bad = middle
    return good


def _fits_to(count: _Count, budget: int, start: int, ends: Sequence[int], i: int) -> bool:
    return count(start, ends[i]) <= budget


def _fits_from(count: _Count, budget: int, starts: Sequence[int], end: int, i: int) -> bool:
    return count(starts[i], end) <= budget


def _cut_word(text: str, count: _Count, start: int, end: int, max_tokens: int) -> list[Span]:
    """A word over the token budget in pieces that fit, each cut where it splits no character
    from its marks. A piece is at least one character, even one over the budget."""
    pieces: list[Span] = []
    positions = range(end + 1)  # searched by index, and each position is its own index
    length = max(1, (end - start) * max_tokens // count(start, end))
    while start < end:
        fits = partial(_fits_to, count, max_tokens, start, positions)
        cut = _last_fitting(fits, start + 1, end, start + length)
        safe = character_cut(text, start, cut) if cut < end else cut
        if safe != cut and fits(safe):  # the budget holds first; whole characters if they fit
            cut = safe
        pieces.append(Span(start, cut, text[start:cut]))
        length, start = cut - start, cut
    return pieces


def _fit_units(text: str, count: _Count, max_tokens: int) -> list[Span]:
    """Sentences, with long ones cut at commas, any piece still over the token budget cut
    greedily at whitespace, and any word still over it cut inside."""
    units: list[Span] = []
    for sentence in split_sentences(text, max_chars=max_tokens * CHARS_PER_TOKEN):
        tokens = count(sentence.start, sentence.end)
        if tokens <= max_tokens:
            units.append(sentence)
            continue
        words = list(_WORD.finditer(text, sentence.start, sentence.end))
        ends = [word.end() for word in words]
        first, size = 0, max(1, len(words) * max_tokens // tokens)
        while first < len(words):
            start = words[first].start()
            fits = partial(_fits_to, count, max_tokens, start, ends)
            last = _last_fitting(fits, first, len(words) - 1, first + size - 1)
            if last == first and not fits(last):
                units.extend(_cut_word(text, count, start, ends[last], max_tokens))
            else:
                units.append(Span(start, ends[last], text[start : ends[last]]))
            first, size = last + 1, last + 1 - first
    return units


class _Packer:
    def __init__(self, article: Article, count: _Count, settings: ChunkerSettings) -> None:
        self.article = article
        self.text = article.text
        self.count = count
        self.settings = settings
        self.units = _fit_units(self.text, count, settings.max_tokens)
        self.starts = [unit.start for unit in self.units]
        self.ends = [unit.end for unit in self.units]
        self.sentence_ends = [sentence.end for sentence in split_sentences(self.text)]
        self.is_sentence_end = set(self.sentence_ends)
        # How far past its start a chunk or the sentence it must hold can reach.
        self.reach = settings.max_tokens * MAX_CHARS_PER_TOKEN
        self.previous_length = 0  # of the previous chunk: where to start looking for the next end

    def chunk_end(self, start: int, first_new: int) -> int:
        """Index of the last unit of the chunk starting at `start`: as many units as fit,
        backed off to the last sentence end, but always including unit `first_new`."""
        fits = partial(_fits_to, self.count, self.settings.max_tokens, start, self.ends)
        farthest = max(first_new, bisect_right(self.ends, start + self.reach) - 1)
        guess = bisect_right(self.ends, start + self.previous_length) - 1
        last = _last_fitting(fits, first_new, farthest, guess)
        sentence_end = next(
            (i for i in range(last, first_new - 1, -1) if self.ends[i] in self.is_sentence_end),
            last,
        )
        # The search checked `last`, and shorter spans fit too unless counts shrink as text
        # grows, which can happen inside one long word; the budget holds either way.
        return sentence_end if sentence_end == last or fits(sentence_end) else last

    def next_goal(self, first_new: int) -> int:
        """End of what the next chunk must hold whole: the next sentence if it fits the
        budget on its own, else just the next unit."""
        start, fallback = self.starts[first_new], self.ends[first_new]
        following = bisect_left(self.sentence_ends, fallback)
        if following == len(self.sentence_ends):
            return fallback
        end = self.sentence_ends[following]
        fits = end - start <= self.reach and self.count(start, end) <= self.settings.max_tokens
        return end if fits else fallback

    def earliest_start(self, candidates: list[int], end: int, goal: int) -> int | None:
        """The earliest candidate whose tail [candidate, end) fits overlap_tokens and that
        leaves room for [candidate, goal) in max_tokens, if the latest candidate does."""
        backwards = candidates[::-1]
        within_overlap = partial(
            _fits_from, self.count, self.settings.overlap_tokens, backwards, end
        )
        leaves_room = partial(_fits_from, self.count, self.settings.max_tokens, backwards, goal)
        if not backwards or not within_overlap(0) or not leaves_room(0):
            return None
        back = _last_fitting(within_overlap, 0, len(backwards) - 1, 0)
        if not leaves_room(back):
            back = _last_fitting(leaves_room, 0, back - 1, back - 1)
        return backwards[back]

    def overlap_start(self, start: int, end: int, first_new: int) -> int:
        """Where the next chunk starts: the earliest point in the tail of the previous chunk
        [start, end) within overlap_tokens that leaves room for the next sentence. Whole
        sentences are preferred, then clause starts, then any word."""
        goal = self.next_goal(first_new)
        words = list(_WORD.finditer(self.text, start, end))
        tiers = (
            self.starts[bisect_right(self.starts, start) : bisect_left(self.starts, end)],
            [word.start() for prev, word in pairwise(words) if prev[0][-1] in _CLAUSE_ENDS],
            [word.start() for word in words[1:]],
        )
        for candidates in tiers:
            best = self.earliest_start(candidates, end, goal)
            if best is not None:
                return best
        return self.starts[first_new]

    def chunks(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        budget = self.settings.max_tokens
        first_new = 0  # first unit not yet in any chunk; the next chunk must include it
        start = self.starts[0] if self.units else 0
        while first_new < len(self.units):
            last = self.chunk_end(start, first_new)
            if start < self.starts[first_new] and self.count(start, self.ends[last]) > budget:
                # The overlap was chosen to fit by counts that shrink as text grows; drop it.
                start = self.starts[first_new]
                last = self.chunk_end(start, first_new)
            end = self.ends[last]
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
            self.previous_length = end - start
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
    longer than the overlap. Every chunk adds new text, so chunking always ends. A word longer
    than the budget is cut inside, so only a single character with its marks can exceed it."""
    return _Packer(article, _counter(article.text, count_tokens), settings).chunks()
