"""The fixtures of the browser tests: headless Chromium, and a fresh page (a fresh session) per
test, screenshotted into artifacts/screenshots/. The served app is `served` (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, SCREENSHOTS


# Per module: Playwright's sync API keeps an event loop running in the main thread while it is
# open, and the tests that call asyncio themselves (the MCP client) must not run inside it.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}; run `make browser` or set CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, request) -> Iterator[Callable[..., Any]]:
    """`open_page(url, viewport=DESKTOP, **context options)`: a page in a fresh context. Each
    is screenshotted at the end as `<test name>[-n].png`, and must have raised no error."""
    opened: list[tuple[Any, Any, list[str]]] = []

    def open_(url: str, viewport: dict = DESKTOP, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, **options)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector("#question textarea")
        opened.append((context, page, errors))
        return page

    yield open_
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number, (context, page, errors) in enumerate(opened):
        suffix = f"-{number}" if number else ""
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}{suffix}.png"), full_page=True)
        context.close()
        assert not errors, errors


@pytest.fixture
def page(served, open_page):
    return open_page(served.url)
