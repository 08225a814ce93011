"""The Markdown export carries no live HTML: a conversation whose titles, dates, ids, quoted
sentences, LLM reply, question and stopped text hold scripts, event handlers, an iframe, an
image, links and raw HTML blocks is exported, rendered by a CommonMark renderer (markdown-it-py,
raw HTML on, as CommonMark has it) and opened in Chromium from a local server that records every
request: no script runs, nothing loads, and the hostile text is shown as text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from markdown_it import MarkdownIt

from corpus import Chunk, Span
from rag.schema import Answer, AnswerSentence, Citation, Passage
from service.sources import ArticleMeta
from ui.conversation import Entry
from ui.reading import export_file

pytestmark = pytest.mark.browser


class Bait(BaseHTTPRequestHandler):
    """Serves the rendered export and records every other request (a load the export made)."""

    page: ClassVar[bytes] = b""
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if self.path in {"/export.html", "/favicon.ico"}:  # the page, and the browser's own
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(Bait.page)
            return
        Bait.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<script>parent.window.__pwned = 'loaded'</script>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bait() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Bait)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Bait.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _hostile_turns(bait: str) -> list[Entry]:
    sentence = (
        f'قال المتحدث <iframe src="{bait}/iframe"></iframe> إن الاجتماع انتهى.\n\n'
        "<script>window.__pwned = 'sentence'</script>"
    )
    chunk = Chunk("a:0-200", "a", None, sentence, 0, len(sentence))
    citation = Citation(1, Passage(chunk, 0.9), Span(0, len(sentence), sentence), 0.9)
    reply = AnswerSentence(
        f"[click](javascript:window.__pwned='link') <{bait}/autolink> ![x]({bait}/image.png)", (1,)
    )
    answer = Answer(
        question="<script>window.__pwned = 'question'</script>",
        language="en",
        lead="<img src=x onerror=\"window.__pwned = 'lead'\">",
        sentences=[reply, AnswerSentence(sentence, (1,))],
        citations=[citation],
        mode="llm",
        notices=[f"<a href='{bait}/notice'>notice</a>"],
    )
    title = "<script>window.__pwned = 'title'</script>"
    meta = ArticleMeta(
        "a`<img src=x onerror=window.__pwned='id'>`",
        title,
        True,
        outlet=f"<img src={bait}/outlet.png>",
        date=f"![d]({bait}/date.png)",
    )
    done = Entry(answer.question, "en", 0, status="done", answer=answer, metas={"a": meta})
    stopped = Entry(
        "# <svg onload=\"window.__pwned='svg'\">",
        "en",
        1,
        status="stopped",
        streamed=f'line\n<div><iframe src="{bait}/stopped"></iframe></div>',
    )
    return [done, stopped]


def test_the_rendered_export_runs_no_script_and_loads_nothing(browser, bait):
    turns = _hostile_turns(bait)
    markdown = Path(export_file(turns)).read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark").render(markdown)
    Bait.page = f"<!doctype html><meta charset=utf-8><body>{rendered}</body>".encode()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{bait}/export.html")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        pwned = page.evaluate("window.__pwned")
        live = page.evaluate(
            "document.querySelectorAll('script, iframe, img, svg, object, embed, a').length"
        )
        shown = page.inner_text("body")
    finally:
        context.close()
    assert pwned is None and live == 0 and Bait.requests == [], (pwned, live, Bait.requests)
    # Shown as written, as text.
    assert "<script>window.__pwned = 'title'</script>" in shown
    assert f'<iframe src="{bait}/iframe"></iframe>' in shown
    assert f"![x]({bait}/image.png)" in shown and "[1]" in shown
