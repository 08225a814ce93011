"""The indexing queue: one worker thread checks uploads, removes uploaded files and re-indexes,
so no request parses or embeds, and no change is lost to a busy index.

Jobs wait in order; the worker takes every waiting job at once, applies them (parsing uploads
through `service.uploads.parse_upload`, in one `corpus.isolated` worker process per batch with
`Settings.ingest.parse_time_limit` per file) and runs one incremental ingest for all of them. While another
process (`python -m rag ingest`) holds the index lock the worker waits for it and tries again,
so a saved file is always indexed. Staged uploads live under `<index>/.incoming/` until the
worker has handled them; any left there by a crash are queued again when the app starts, and
uploads saved but not indexed (the app was killed while indexing them) are indexed then. While
idle the worker follows the index: one that another process published is served.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from corpus.isolated import IsolatedLoader
from embeddings.files import StorageError, storage_error
from embeddings.index.articles import mentioning
from embeddings.index.manifest import Manifest
from embeddings.ingest.incremental import IngestReport
from embeddings.ingest.local import Progress
from rag.config import Settings
from service import notices as messages
from service.jobs import Job, Phase, QueueFull
from service.notices import Notice
from service.notices.storage import not_stored
from service.reconcile import (
    ingest_summary,
    remove_part_files,
    removed_uploads,
    unindexed_uploads,
)
from service.uploads import (
    UPLOADS_FOLDER,
    Outcome,
    Staged,
    admit,
    remove_upload,
    uploaded_file,
    uploads_dir,
)

logger = logging.getLogger(__name__)
STAGING_FOLDER = ".incoming"
LOCK_POLL_SECONDS = 0.5
# How often the idle worker checks for an index another process published.
FOLLOW_SECONDS = 2.0


class Reindexable(Protocol):
    """What the queue needs of the application: its settings, the manifest of the index being
    served, and a re-index that serves the new index (`service.live.Service`)."""

    settings: Settings

    def manifest(self) -> Manifest: ...

    def reindex(self, progress: Progress | None = None) -> IngestReport: ...

    def refresh(self) -> bool: ...


def _changed_since(job: Job, version: int) -> Callable[[], bool]:
    return lambda: job.version != version


def index_busy(error: BaseException) -> bool:
    """Whether an ingest failed only because another process holds the index lock."""
    return isinstance(error, RuntimeError) and isinstance(error.__cause__, BlockingIOError)


class Indexer:
    def __init__(self, service: Reindexable) -> None:
        self.service = service
        settings = service.settings
        self.staging_root = settings.index.path / STAGING_FOLDER
        self.uploads = uploads_dir(settings.ingest.corpus_dir)
        self.max_jobs = settings.server.max_queued_jobs
        self.parse_time_limit = settings.ingest.parse_time_limit
        self._changed = threading.Condition()
        self._pending: list[Job] = []
        self._running: list[Job] = []
        self._worker: threading.Thread | None = None
        # Ids saved or removed since the served index was built, for the clash check.
        self._added: set[str] = set()
        self._removed: set[str] = set()
        self._recover()
        with self._changed:
            self._start()

    # -- the request side -------------------------------------------------------------------

    def submit(self, job: Job) -> Job:
        with self._changed:
            if len(self._pending) >= self.max_jobs:
                raise QueueFull
            job.ahead = len(self._pending) + len(self._running)
            self._pending.append(job)
            self._start()
            self._changed.notify_all()
        return job

    def _start(self) -> None:
        if self._worker is None:
            owner = weakref.ref(self)  # the worker ends once the app lets go of its queue
            self._worker = threading.Thread(
                target=_work, args=(owner,), name="indexer", daemon=True
            )
            self._worker.start()

    def watch(self, job: Job, timeout: float) -> Iterator[Job]:
        """A copy of `job` now and after each change, until it finishes or `timeout` passes."""
        ends = time.monotonic() + timeout
        seen = -1
        while True:
            with self._changed:
                self._changed.wait_for(
                    _changed_since(job, seen), timeout=max(0.0, ends - time.monotonic())
                )
                if job.version == seen:
                    return
                seen = job.version
                view = replace(job, outcomes=list(job.outcomes), summary=list(job.summary))
            yield view
            if view.finished:
                return

    def is_idle(self) -> bool:
        with self._changed:
            return not (self._pending or self._running)

    # -- the worker -------------------------------------------------------------------------

    def _update(self, jobs: list[Job], **changes: object) -> None:
        with self._changed:
            for job in jobs:
                for name, value in changes.items():
                    setattr(job, name, value)
                job.version += 1
            self._changed.notify_all()

    def _step(self) -> None:
        """Run the waiting jobs, or (none within FOLLOW_SECONDS) follow the stored index."""
        with self._changed:
            self._changed.wait_for(lambda: bool(self._pending), timeout=FOLLOW_SECONDS)
            batch, self._pending = self._pending, []
            self._running = batch
        try:
            if batch:
                self._run(batch)
            else:
                self.service.refresh()
        except Exception as error:
            logger.exception("indexing %d job(s) failed", len(batch))
            self._update(batch, phase=Phase.FAILED, summary=[self._failure(error)])
        finally:
            with self._changed:
                self._running = []
                self._changed.notify_all()

    def _failure(self, error: Exception) -> Notice:
        """What the user is told of a failed indexing run: a full or read-only disk by name."""
        storage = error if isinstance(error, StorageError) else None
        if storage is None and isinstance(error, OSError):
            storage = storage_error(error, self.service.settings.index.path, "the index")
        return not_stored(storage, "index") if storage else messages.INDEX_FAILED

    def _run(self, batch: list[Job]) -> None:
        # The loader starts its worker process at the first upload and stops it after the batch.
        with IsolatedLoader(self.parse_time_limit) as loader:
            for job in batch:
                self._update([job], phase=Phase.CHECKING)
                outcomes = self._apply(job, loader)
                self._update([job], outcomes=job.outcomes + outcomes)
        if not any(job.changes_corpus for job in batch) and not self._out_of_step():
            self._update(batch, phase=Phase.DONE, summary=[messages.NOTHING_NEW])
            return
        summary = ingest_summary(self._reindex(batch), self.service.settings.ingest.corpus_dir)
        self._added.clear()
        self._removed.clear()
        for job in batch:
            # A file sent again unchanged was indexed now if it was not before.
            told = job.changes_corpus or any(o.status == "unchanged" for o in job.outcomes)
            self._update(
                [job], phase=Phase.DONE, summary=summary if told else [messages.NOTHING_NEW]
            )

    def _known_ids(self) -> set[str]:
        return (set(self.service.manifest().articles) - self._removed) | self._added

    def _out_of_step(self) -> bool:
        """Whether the uploads folder holds what the index does not, or lost what it does."""
        records = mentioning(self.service.manifest().articles, UPLOADS_FOLDER)
        sources = [record.source for record in records]
        return bool(unindexed_uploads(self.uploads, sources)) or removed_uploads(
            self.uploads, sources
        )

    def _apply(self, job: Job, loader: IsolatedLoader) -> list[Outcome]:
        if job.remove is not None:
            return [self._remove(job.remove)]
        if job.remove_file is not None:
            return [self._remove_file(job.remove_file)]
        if job.staged is None:
            return []
        known = self._known_ids()
        outcomes = []
        for entry in job.staged.entries:
            outcome = (
                entry if isinstance(entry, Outcome) else admit(entry, self.uploads, known, loader)
            )
            self._added.update(outcome.article_ids)
            outcomes.append(outcome)
        if job.staged.folder is not None:
            shutil.rmtree(job.staged.folder, ignore_errors=True)
        return outcomes

    def _remove(self, article_id: str) -> Outcome:
        record = self.service.manifest().articles.get(article_id)
        path = uploaded_file(record.source, self.uploads) if record else None
        if path is None or article_id in self._removed:
            return Outcome("rejected", messages.NOT_REMOVABLE)
        return self._remove_path(path)

    def _remove_file(self, name: str) -> Outcome:
        """An uploaded file by name (one the index does not hold: it has no article to name)."""
        path = (self.uploads / name).resolve()
        if path.parent != self.uploads.resolve() or not path.is_file():
            return Outcome("rejected", messages.NOT_REMOVABLE)
        return self._remove_path(path)

    def _remove_path(self, path: Path) -> Outcome:
        articles = self.service.manifest().articles
        ids = tuple(i for i, r in articles.items() if uploaded_file(r.source, self.uploads) == path)
        remove_upload(path)
        self._removed.update(ids)
        self._added.difference_update(ids)
        return Outcome("removed", messages.removed(path.name, len(ids)), ids)

    def _reindex(self, batch: list[Job]) -> IngestReport:
        def progress(done: int, total: int) -> None:
            self._update(batch, phase=Phase.INDEXING, progress=(done, total))

        while True:
            self._update(batch, phase=Phase.INDEXING, progress=None)
            try:
                return self.service.reindex(progress)
            except RuntimeError as error:
                if not index_busy(error):
                    raise
            self._update(batch, phase=Phase.WAITING)
            time.sleep(LOCK_POLL_SECONDS)

    def _recover(self) -> None:
        """Queue the uploads a crash left staged, and index the uploads a crash left saved but
        not indexed (or removed but still indexed), so none is lost."""
        remove_part_files(self.uploads)
        if self.staging_root.is_dir():
            for folder in sorted(p for p in self.staging_root.iterdir() if p.is_dir()):
                logger.warning(
                    "re-queueing the staged upload %s left by an earlier run", folder.name
                )
                files = sorted(p for p in folder.iterdir() if p.is_file())
                self.submit(Job(staged=Staged(folder, list[Path | Outcome](files))))
        if self._out_of_step():
            logger.warning("the uploads folder and the index differ: indexing the uploads again")
            self.submit(Job(sync=True))


def _work(owner: weakref.ref[Indexer]) -> None:
    while (indexer := owner()) is not None:
        indexer._step()
        del indexer
