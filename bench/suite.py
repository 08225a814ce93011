"""The state the sections of `bench.run` share, and how one section runs: a failed section is
reported and recorded, and the run goes on, so one broken figure does not cost the others.
"""

from __future__ import annotations

import random
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import SEED


@dataclass(frozen=True)
class Sizes:
    """How much a run measures: XQuAD paragraphs to ingest, chunks and questions of the large
    replicated index, and questions for recall (None: all of them)."""

    paragraphs: int
    big_chunks: int
    big_questions: int
    recall_questions: int | None


FULL = Sizes(paragraphs=240, big_chunks=10_000, big_questions=100, recall_questions=None)
QUICK = Sizes(paragraphs=30, big_chunks=2_000, big_questions=20, recall_questions=50)


class Bench:
    def __init__(self, quick: bool, workdir: Path, *, kept: bool = False) -> None:
        self.quick = quick
        self.sizes = QUICK if quick else FULL
        self.workdir = workdir
        # A kept work folder (`--keep`): steps an interrupted run finished there are reused.
        self.kept = kept
        self.results: dict[str, Any] = {"quick": quick, "sizes": asdict(self.sizes)}
        self.failed: list[str] = []
        # Filled in as sections run; later sections check what they need.
        self.embedder: Any = None
        self.settings: Any = None
        self.passages: list[Any] = []
        self.questions: dict[str, list[Any]] = {}
        self.xquad_index: Any = None
        self.seed_dir: Path | None = None
        self.mixed_questions: list[str] = []

    @contextmanager
    def section(self, key: str, title: str) -> Iterator[None]:
        print(f"\n== {title} ==", flush=True)
        started = time.perf_counter()
        try:
            yield
        except Exception as error:
            self.failed.append(key)
            self.results.setdefault(key, {})["error"] = f"{type(error).__name__}: {error}"
            print(f"  FAILED: {type(error).__name__}: {error}")
            traceback.print_exc(limit=3, file=sys.stderr)
        seconds = time.perf_counter() - started
        self.results.setdefault(key, {})["section_seconds"] = seconds
        print(f"  (section took {seconds:.1f} s)", flush=True)

    def require(self, *names: str) -> None:
        missing = [name for name in names if not getattr(self, name)]
        if missing:
            raise RuntimeError(f"skipped: an earlier section did not produce {', '.join(missing)}")

    def mixed_sample(self, n: int) -> list[str]:
        """n questions, half Arabic and half English, distinct question ids, interleaved."""
        rng = random.Random(SEED)
        ids = sorted({q.id for q in self.questions["ar"]})
        rng.shuffle(ids)
        ar = {q.id: q.question for q in self.questions["ar"]}
        en = {q.id: q.question for q in self.questions["en"]}
        mixed = []
        for position, question_id in enumerate(ids[:n]):
            mixed.append((ar if position % 2 == 0 else en)[question_id])
        return mixed


@dataclass(frozen=True)
class Section:
    """One printed section: its key in the results, its heading, and what it measures."""

    key: str
    title: str
    run: Callable[[Bench], None]
