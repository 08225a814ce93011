"""Linear time, checked so that a shared, busy machine cannot fail the check by chance.

The measure is growth: the CPU time of `run` on an input, and on the same input twice over. A
linear function takes about twice as long; a quadratic one about four times. Both are measured
in the same test, the same second, so the machine's speed cancels out; each is the least of
three runs, and the input is doubled until it takes long enough (0.2 s) for a busy machine's
jitter not to matter. CPU time of this process, not wall time: other processes' load is not ours.

An absolute bound stays as a backstop far above the typical cost (five times the figures below,
which were already generous): it catches a function that became uniformly slow, which growth
alone cannot see.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

Input = TypeVar("Input")

# Typical costs measured here, in CPU seconds per MB: most loaders and splitters well under 1.
SECONDS_PER_MB = 2.0
# html.parser alone takes about 2 s of CPU per MB here on a page of one tag per 4 bytes.
HTML_SECONDS_PER_MB = 5.0
# The e5 tokenizer alone takes about 0.6 s per MB here, and the chunker counts each stretch of
# text 5-15 times: the seed corpus chunks at 4-9 s per MB. Before chunking was made linear,
# 200 KB of unpunctuated Arabic took over 200 s per MB.
CHUNK_SECONDS_PER_MB = 20.0
BACKSTOP = 5.0
# Linear growth doubles the time, quadratic quadruples it; the bound sits between.
MAX_GROWTH = 3.0
MIN_SECONDS = 0.2
MAX_BYTES = 8_000_000
# Built inputs (PDF, Word) are doubled at most this many times to reach MIN_SECONDS.
MAX_DOUBLINGS = 3


def megabytes(text: str) -> float:
    return len(text.encode("utf-8", "surrogatepass")) / 1e6


def cpu_seconds(run: Callable[[Input], object], text: Input, repeats: int = 3) -> float:
    """The least CPU time of `repeats` runs of `run(text)`, with the garbage collector off as
    `timeit` does (its full passes grow with everything alive, not with this input)."""
    best = float("inf")
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            started = time.process_time()
            run(text)
            best = min(best, time.process_time() - started)
    finally:
        if collecting:
            gc.enable()
    return best


def assert_linear(run: Callable[[str], object], text: str, limit: float = SECONDS_PER_MB) -> None:
    """`run` grows linearly from `text` to `text` twice over, and stays under BACKSTOP times
    `limit` CPU seconds per MB."""
    run(text[:1000])  # first-call costs (imports, a tokenizer's caches) are not growth
    size, large = _growth(
        run, lambda n: text * n, 1, lambda n: megabytes(text) * n <= MAX_BYTES, len(text)
    )
    rate = large / (megabytes(text) * 2 * size)
    assert rate < BACKSTOP * limit, f"{rate:.2f} s per MB on {2 * size * len(text)} characters"


def assert_grows_linearly(
    run: Callable[[Input], object], make: Callable[[int], Input], size: int
) -> None:
    """As `assert_linear`, for inputs that are built rather than text (a PDF page of `size`
    operators, a Word file of `size` paragraphs): `run` on `make(2 * size)` against `make(size)`,
    `size` doubled (up to MAX_DOUBLINGS times) until the smaller takes long enough."""
    run(make(size))  # first-call costs are not growth
    _growth(run, make, size, lambda n: n <= size * 2**MAX_DOUBLINGS, size)


def _growth(
    run: Callable[[Input], object],
    make: Callable[[int], Input],
    size: int,
    may_grow: Callable[[int], bool],
    unit: int,
) -> tuple[int, float]:
    """The growth check of both: `size` doubled while `make(size)` takes under MIN_SECONDS and
    `may_grow` allows it, then the time on `make(2 * size)` against it. Returns that size and
    the larger input's CPU seconds. `unit`: characters (or operators, paragraphs) per size."""
    small = cpu_seconds(run, make(size))
    while small < MIN_SECONDS and may_grow(2 * size):
        size *= 2
        small = cpu_seconds(run, make(size))
    large = cpu_seconds(run, make(2 * size))
    growth = large / max(small, 1e-9)
    assert growth < MAX_GROWTH, (
        f"{growth:.2f}x the time on twice the input ({small:.3f} s -> {large:.3f} s, "
        f"{size * unit} units): not linear"
    )
    return size, large
