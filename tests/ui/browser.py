"""Helpers for the tests that serve the app: serving it over a private copy of the seed index
and corpus (so uploads and feedback never touch the repo), and asking it in a browser page.
The fixtures over them are in `conftest.py`."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.net import free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ANSWER_TIMEOUT_MS = 90_000
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
FINAL = ".msg.answer, .msg.refusal, .msg.question-error"


@dataclass
class Served:
    url: str
    demo: Any
    index_dir: Path
    corpus_dir: Path

    def close(self) -> None:
        self.demo.close()


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
    from ui import build_app, serve

    config = load_settings(index_dir=index_dir, corpus_dir=corpus_dir, **settings)
    pipeline = (pipeline_class or Pipeline).from_settings(config, embedder=embedder)
    demo = build_app(pipeline, config)
    port = free_port()
    serve(
        demo,
        host="127.0.0.1",
        port=port,
        auth=config.app_auth,
        prevent_thread_lock=True,
        quiet=True,
    )
    return Served(f"http://127.0.0.1:{port}/", demo, index_dir, corpus_dir)


def bots(page) -> Any:
    return page.locator("#chat [data-testid='bot']")


def ask(page, question: str, final: str = FINAL) -> Any:
    """Submit a question and wait for the final rendering of its answer (the n-th bot message)."""
    before = bots(page).count()
    page.fill("#question textarea", question)
    page.click("#send")
    return wait_for_answer(page, before, final)


def wait_for_answer(page, before: int, final: str = FINAL) -> Any:
    page.wait_for_function(
        """([selector, count]) => {
            const bots = document.querySelectorAll("#chat [data-testid='bot']");
            return bots.length > count && bots[bots.length - 1].querySelector(selector) !== null;
        }""",
        arg=[final, before],
        timeout=ANSWER_TIMEOUT_MS,
    )
    return bots(page).last


def direction(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).direction")


def cited_markers(message) -> list[str]:
    """Every marker of the message, also those folded under "More evidence" (hidden text has
    no inner text, so the text content is read)."""
    return [text.strip("[]") for text in message.locator("a.cite").all_text_contents()]
