"""The live pipeline behind the chat, its atomic swap after a re-index, and its indexing queue."""

from __future__ import annotations

import logging
import threading

from embeddings.index.backends import engine_health, index_writer, live_stamp
from embeddings.index.manifest import Manifest
from embeddings.ingest.incremental import IngestReport, ingest
from embeddings.ingest.local import Progress
from rag.config import Settings
from rag.pipeline import Pipeline
from service.indexing import Indexer

logger = logging.getLogger(__name__)


class Service:
    """The live pipeline, swapped atomically after a re-index.

    Uploads and removals go through `indexer` (service/indexing.py), whose one worker is what calls
    `reindex`, and, while idle, `refresh`; the lock only keeps an embedding app's own calls from
    overlapping them.
    """

    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self._pipeline = pipeline
        self.settings = settings
        self._swap = threading.Lock()
        self._reindex = threading.Lock()
        self._stamp = live_stamp(settings.index.target, pipeline.index)
        self.indexer = Indexer(self)

    @property
    def pipeline(self) -> Pipeline:
        with self._swap:
            return self._pipeline

    def manifest(self) -> Manifest:
        """The manifest of the index being served."""
        return self.pipeline.index.manifest

    def health(self) -> str | None:
        """None while the index answers; else what is wrong with its engine (a Milvus engine
        that stopped is restarted at the next call)."""
        return engine_health(self.pipeline.index)

    def _serve_fresh(self, embedder_of: Pipeline) -> None:
        fresh = Pipeline.from_settings(self.settings, embedder=embedder_of.embedder)
        stamp = live_stamp(self.settings.index.target, fresh.index)
        with self._swap:
            self._pipeline, self._stamp = fresh, stamp

    def reindex(self, progress: Progress | None = None) -> IngestReport:
        """Bring the index up to date with the corpus folder and serve the new one.

        Raises RuntimeError (from embeddings.ingest.incremental) while another process holds the index lock.
        """
        with self._reindex:
            current = self.pipeline
            report = ingest(
                self.settings.ingest.corpus_dir,
                self.settings.index.path,
                current.embedder,
                self.settings.ingest.chunker,
                progress=progress,
                writer=index_writer(self.settings.index.target, current.embedder),
            )
            self._serve_fresh(current)
            return report

    def refresh(self) -> bool:
        """Serve the stored index when another process (`python -m rag ingest`) published a
        newer one than the one served; True when it did. A new index that cannot be opened is
        logged, and the one served stays."""
        with self._reindex:
            current = self.pipeline
            stamp = live_stamp(self.settings.index.target, current.index)
            if stamp is None or stamp == self._stamp:
                return False
            try:
                self._serve_fresh(current)
            except Exception:
                logger.exception("the index published by another process cannot be served")
                self._stamp = stamp  # not again until the next one
                return False
            logger.info("serving the index another process published (%s)", stamp)
            return True
