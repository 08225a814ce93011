"""A page on another localhost port, in the same real Chromium as a logged-in user, cannot read
the app or drive the user's session: cookies do not tell ports apart, so only the app's origin
policy stands between them.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.serving.app_process import running_app
from tests.serving.net import free_port
from tests.ui.browser import AR_QUESTION, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER = "reader"
# The other page's script: read the config, start an answer, upload a file, with the user's
# cookies; it writes what it got into the page.
PROBE = """
<!doctype html><html><body><pre id="out"></pre><script>
const APP = %(app)s, out = {};
async function attempt(name, request) {
  try {
    const response = await request();
    out[name] = response.status + " " + (await response.text()).slice(0, 200);
  } catch (error) { out[name] = "blocked " + error; }
}
(async () => {
  await attempt("config", () => fetch(APP + "config", {credentials: "include"}));
  await attempt("answer", () => fetch(APP + "gradio_api/call/respond", {
    method: "POST", credentials: "include", headers: {"content-type": "application/json"},
    body: JSON.stringify({data: [%(question)s, [], 5, "extractive"]})}));
  const form = new FormData();
  form.append("files", new Blob(["planted"]), "planted.txt");
  await attempt("upload", () => fetch(APP + "gradio_api/upload",
    {method: "POST", credentials: "include", body: form, mode: "no-cors"}));
  document.getElementById("out").textContent = JSON.stringify(out);
  document.body.dataset.done = "1";
})();
</script></body></html>
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder, seed_index):
    password = secrets.token_urlsafe(12)
    root = tmp_path_factory.mktemp("origin")
    with running_app(root, embedder, seed_index, auth=(USER, password)) as running:
        running.password = password  # type: ignore[attr-defined]
        yield running


@pytest.fixture
def other_page(app) -> Iterator[str]:
    """Another server on loopback, serving the probe page."""
    body = PROBE % {"app": json.dumps(app.url), "question": json.dumps(AR_QUESTION)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def test_a_page_on_another_port_cannot_use_the_login(app, browser, other_page):
    context = browser.new_context()
    page = context.new_page()
    page.goto(app.url)
    page.fill("input[type=text], input[name=username]", USER)
    page.fill("input[type=password]", app.password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#question textarea", timeout=60_000)  # logged in

    uploads = _cached(app)
    probe = context.new_page()
    probe.goto(other_page)
    probe.wait_for_selector("body[data-done]", timeout=60_000)
    results = json.loads(probe.locator("#out").inner_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    probe.screenshot(path=str(SCREENSHOTS / "other_port_probe.png"), full_page=True)
    print("\nanother port's page got:", results)
    assert not results["config"].startswith("200"), results
    assert "components" not in results["config"]
    assert not results["answer"].startswith("200") and "event_id" not in results["answer"]
    assert "planted.txt" not in " ".join(_cached(app) - uploads)
    # The user's own page still works.
    assert page.evaluate("fetch('config').then(r => r.status)") == 200
    context.close()


def _cached(app) -> set[str]:
    folder = Path(app.built.blocks.server_app.uploaded_file_dir)
    return {str(p) for p in folder.rglob("*") if p.is_file()}
