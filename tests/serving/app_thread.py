"""The app served in this process over a private copy of the seed index and corpus (so uploads
and feedback never touch the repo), as `python app.py` serves it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.serving.net import free_port


@dataclass
class Served:
    url: str
    built: Any  # ui.layout.App
    index_dir: Path
    corpus_dir: Path

    def close(self) -> None:
        self.built.close()


def app_folders(root: Path, seed_index: Path) -> tuple[Path, Path]:
    """A corpus and index copied into `root`, for an app that may change them."""
    from corpus import DEFAULT_CORPUS_DIR

    corpus_dir, index_dir = root / "corpus", root / "index"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus_dir)
    shutil.copytree(seed_index, index_dir)
    return index_dir, corpus_dir


def serve_app(
    index_dir: Path, corpus_dir: Path, embedder: Any, pipeline_class: type | None = None, **settings
) -> Served:
    """The app over these folders on a free port, as `python app.py` serves it."""
    from rag.config import load_settings
    from rag.pipeline import Pipeline
    from ui.layout import build_app
    from ui.server import serve

    config = load_settings(index_dir=index_dir, corpus_dir=corpus_dir, **settings)
    pipeline = (pipeline_class or Pipeline).from_settings(config, embedder=embedder)
    demo = build_app(pipeline, config)
    port = free_port()
    serve(
        demo,
        host="127.0.0.1",
        port=port,
        auth=config.server.auth,
        prevent_thread_lock=True,
        quiet=True,
    )
    return Served(f"http://127.0.0.1:{port}/", demo, index_dir, corpus_dir)
