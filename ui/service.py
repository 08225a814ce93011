"""The live pipeline behind the chat, and its atomic swap after a re-index."""

from __future__ import annotations

import threading

from embeddings.backends import index_writer
from embeddings.ingest import Progress, ingest
from embeddings.store import Manifest
from rag.config import Settings
from rag.pipeline import Pipeline


class Service:
    """The live pipeline, swapped atomically after a re-index."""

    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self._pipeline = pipeline
        self.settings = settings
        self._swap = threading.Lock()
        self._reindex = threading.Lock()

    @property
    def pipeline(self) -> Pipeline:
        with self._swap:
            return self._pipeline

    def manifest(self) -> Manifest:
        """The manifest of the index being served."""
        return self.pipeline.index.manifest

    def reindex(self, progress: Progress | None = None) -> str:
        """Bring the index up to date with the corpus folder and serve the new one."""
        if not self._reindex.acquire(blocking=False):
            raise RuntimeError("another re-index is running; try again when it ends")
        try:
            current = self.pipeline
            report = ingest(
                self.settings.corpus_dir,
                self.settings.index_dir,
                current.embedder,
                self.settings.chunker,
                progress=progress,
                writer=index_writer(self.settings.index_target, current.embedder),
            )
            fresh = Pipeline.from_settings(self.settings, embedder=current.embedder)
            with self._swap:
                self._pipeline = fresh
            return report.summary()
        finally:
            self._reindex.release()
