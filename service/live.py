"""The live pipeline behind the chat, its atomic swap after a re-index, and its indexing queue."""

from __future__ import annotations

import threading

from embeddings.index.backends import index_writer
from embeddings.index.manifest import Manifest
from embeddings.ingest.incremental import IngestReport, ingest
from embeddings.ingest.local import Progress
from rag.config import Settings
from rag.pipeline import Pipeline
from service.indexing import Indexer


class Service:
    """The live pipeline, swapped atomically after a re-index.

    Uploads and removals go through `indexer` (service/indexing.py), whose one worker is what calls
    `reindex`; the lock only keeps an embedding app's own calls from overlapping it.
    """

    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self._pipeline = pipeline
        self.settings = settings
        self._swap = threading.Lock()
        self._reindex = threading.Lock()
        self.indexer = Indexer(self)

    @property
    def pipeline(self) -> Pipeline:
        with self._swap:
            return self._pipeline

    def manifest(self) -> Manifest:
        """The manifest of the index being served."""
        return self.pipeline.index.manifest

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
            fresh = Pipeline.from_settings(self.settings, embedder=current.embedder)
            with self._swap:
                self._pipeline = fresh
            return report
