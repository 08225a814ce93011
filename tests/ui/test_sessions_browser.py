"""Sessions beyond the server's capacity in real Chromium: the least recently used one is dropped,
and its page recovers with a clear message instead of a Gradio error.

The app keeps CAPACITY sessions (Settings.server.session_capacity), so a few pages stand in for the
520 browsers of the finding.
"""

from __future__ import annotations

import pytest

from tests.serving.app_process import running_app, wait_until
from tests.ui.browser import AR_QUESTION, EN_QUESTION, SCREENSHOTS, ask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CAPACITY = 3
RESTARTED = "let go of this page's earlier answers"


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder, seed_index):
    root = tmp_path_factory.mktemp("sessions")
    with running_app(root, embedder, seed_index, session_capacity=CAPACITY) as running:
        yield running


def _sessions(app) -> list[str]:
    return list(app.built.blocks.server_app.state_holder.session_data)


def _open(browser, app):
    """A new page, once its load events have made the server hold a session for it."""
    before = set(_sessions(app))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app.url)
    page.wait_for_selector("#question textarea")
    wait_until(lambda: bool(set(_sessions(app)) - before), "the new page's session", 60)
    return page


def test_the_least_recently_used_session_is_the_one_dropped(app, browser):
    pages = [_open(browser, app) for _ in range(CAPACITY)]
    oldest, recent = _sessions(app)[0], _sessions(app)[-1]
    ask(pages[0], EN_QUESTION)  # the oldest page is used again, so another one is least recent
    used = _sessions(app)[-1]
    assert used == oldest
    _open(browser, app)
    held = _sessions(app)
    assert len(held) == CAPACITY
    assert oldest in held and recent in held
    for page in pages:
        page.context.close()


def test_a_dropped_session_recovers_with_a_clear_message(app, browser):
    victim = _open(browser, app)
    errors: list[str] = []
    victim.on("pageerror", lambda error: errors.append(str(error)))
    ask(victim, AR_QUESTION)
    ask(victim, EN_QUESTION)
    before = _sessions(app)[-1]
    others = [_open(browser, app) for _ in range(CAPACITY)]
    assert before not in _sessions(app)  # the victim's state is gone

    # Picking the first answer's sources: the server no longer has them, and says so.
    victim.click("#sources-for input")
    victim.locator("[data-testid='dropdown-option']").first.click()
    restarted = f"document.querySelector('#sources').innerText.includes({RESTARTED!r})"
    victim.wait_for_function(restarted, timeout=30_000)
    sources = victim.locator("#sources")
    assert "أفرج الخادم" in sources.inner_text()
    assert sources.locator("[dir=rtl][lang=ar]").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    victim.screenshot(path=str(SCREENSHOTS / "session_dropped.png"), full_page=True)

    # A new question works, with a short notice; its sources are answer #3, after the two shown.
    ask(victim, EN_QUESTION)
    victim.wait_for_selector(".toast-body", timeout=10_000)
    assert "released this page's earlier sources" in victim.locator(".toast-body").inner_text()
    victim.wait_for_selector("#sources #src-2-1", timeout=30_000)
    assert "#3" in victim.locator("#sources-for input").input_value()
    # Clicking an answer from before shows the notice, not a Gradio error.
    victim.locator("#chat [data-testid='bot']").first.click()
    victim.wait_for_function(restarted, timeout=30_000)
    toasts = victim.locator(".toast-body").all_inner_texts()
    assert not any("not in the list of choices" in t for t in toasts), toasts
    victim.screenshot(path=str(SCREENSHOTS / "session_recovered.png"), full_page=True)
    assert not errors, errors
    for page in [victim, *others]:
        page.context.close()
