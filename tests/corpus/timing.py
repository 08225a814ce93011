"""CPU time per megabyte of input, the measure every hostile-input test bounds.

CPU time of this process, not wall time: the test machine is shared, and other processes'
load must not make a linear function look slow. Inputs should be at least ~200 KB so that
constant costs (imports, a tokenizer's first call) do not dominate.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

# Generous for a slow shared machine; every quadratic path measured was 10-1000x over it.
SECONDS_PER_MB = 2.0
# html.parser alone takes about 2 s of CPU per MB here on a page of one tag per 4 bytes.
HTML_SECONDS_PER_MB = 5.0
# The e5 tokenizer alone takes about 0.6 s per MB here, and the chunker counts each stretch of
# text 5-15 times: the seed corpus chunks at 4-9 s per MB. Before chunking was made linear,
# 200 KB of unpunctuated Arabic took over 200 s per MB.
CHUNK_SECONDS_PER_MB = 20.0


def seconds_per_mb(run: Callable[[str], object], text: str) -> float:
    started = time.process_time()
    run(text)
    return (time.process_time() - started) / (len(text.encode("utf-8", "surrogatepass")) / 1e6)


def assert_linear(run: Callable[[str], object], text: str, limit: float = SECONDS_PER_MB) -> None:
    rate = seconds_per_mb(run, text)
    assert rate < limit, f"{rate:.2f} s per MB on {len(text)} characters"


def cpu_seconds(run: Callable[[], object]) -> float:
    """CPU time of `run()`, with the garbage collector run before and kept out of it."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        run()
        return time.process_time() - started
    finally:
        gc.enable()


# Twice the input may take at most this many times as long (linear: 2; quadratic: 4). Wide, for
# a shared machine: CPU time still varies with cache and memory pressure.
GROWTH_LIMIT = 3.0
# Below this, both runs are noise: a run this short is linear enough, whatever the ratio.
NOISE_SECONDS = 0.05
# A run over the limit is tried again this many times: a busy machine slows one run, a
# superlinear path slows them all.
RETRIES = 2


def assert_grows_linearly(
    run: Callable[[Any], object], make: Callable[[int], Any], size: int
) -> None:
    """`run` on an input twice as large (`make(2 * size)`) takes at most GROWTH_LIMIT times as
    long as on `make(size)` (its best of two runs): a bound on growth, not on absolute time."""
    small, large = make(size), make(2 * size)
    run(small)  # imports and first-call costs are not growth
    once = min(cpu_seconds(lambda: run(small)) for _ in range(2))
    for _ in range(1 + RETRIES):
        twice = cpu_seconds(lambda: run(large))
        if twice < GROWTH_LIMIT * once + NOISE_SECONDS:
            return
    raise AssertionError(f"{once:.3f} s, then {twice:.3f} s at 2x")
