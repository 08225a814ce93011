"""The indexing queue's jobs: an upload, a removal, or bringing the index up to date, each with
the phase it is in and what became of it (service/indexing.py runs them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from service.notices import Notice
from service.uploads import Outcome, Staged


class Phase(StrEnum):
    QUEUED = "queued"
    CHECKING = "checking"
    WAITING = "waiting"  # for another process's ingest to release the index
    INDEXING = "indexing"
    DONE = "done"
    FAILED = "failed"


class QueueFull(Exception):
    """Too many jobs are waiting; the new one was not queued."""


@dataclass
class Job:
    """An upload (`staged`), the removal of an uploaded article (`remove`, its id) or file
    (`remove_file`, its name), or bringing the index up to date with the uploads (`sync`)."""

    staged: Staged | None = None
    remove: str | None = None
    remove_file: str | None = None
    sync: bool = False
    phase: Phase = Phase.QUEUED
    ahead: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    progress: tuple[int, int] | None = None
    summary: list[Notice] = field(default_factory=list)
    version: int = 0

    @property
    def finished(self) -> bool:
        return self.phase in {Phase.DONE, Phase.FAILED}

    @property
    def changes_corpus(self) -> bool:
        return self.sync or any(o.status in {"added", "removed"} for o in self.outcomes)
