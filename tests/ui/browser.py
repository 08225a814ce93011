"""Helpers for the browser tests: Chromium, screen sizes, and asking the served app in a page.
The fixtures over them are in `conftest.py`; the app is served by `tests.serving.app_thread`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


AR_QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
EN_QUESTION = (
    "Which Russian minister did the Syrian defence minister Murhaf Abu Qasra meet in Moscow?"
)
