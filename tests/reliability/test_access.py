"""Access control of the real app: with APP_USERNAME/APP_PASSWORD set, nothing answers without a
login, the API client logs in and gets cited answers, and a wrong password is refused.

The routes are Gradio 6's (gradio/routes.py): the page `/` and `/config`, and under
`/gradio_api/` the API description (`info`, `openapi.json`), the queue (`queue/join`,
`queue/data`), the REST-style calls (`call/<api>`, `call/v2/<api>`, `run/<api>`, `api/<api>`),
uploads and file downloads.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.serving.net import free_port

pytestmark = pytest.mark.slow

AR_QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
USER = "reader"
# What only an answer, the corpus or the app's own page would contain.
ANSWER_DATA = ("بوتين", "الشيباني", 'class="cite"', "source-title", "اكتب سؤالك عن الأخبار")
TIMEOUT = 60


@dataclass
class Server:
    url: str
    password: str
    corpus_dir: Path


@pytest.fixture(scope="module")
def server(seed_index: Path, embedder, tmp_path_factory) -> Iterator[Server]:
    from corpus import DEFAULT_CORPUS_DIR
    from rag.config import load_settings
    from rag.pipeline import Pipeline
    from ui.layout import build_app
    from ui.server import serve

    root = tmp_path_factory.mktemp("access")
    corpus_dir = root / "corpus"
    index_dir = root / "index"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus_dir)
    shutil.copytree(seed_index, index_dir)
    password = secrets.token_urlsafe(16)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_USERNAME", USER)
        patch.setenv("APP_PASSWORD", password)
        # As app.main() reads them: a login is required when both are set.
        settings = load_settings(index_dir=index_dir, corpus_dir=corpus_dir)
    auth = settings.server.auth
    assert auth == (USER, password)
    demo = build_app(Pipeline.from_settings(settings, embedder=embedder), settings)
    port = free_port()
    serve(demo, host="127.0.0.1", port=port, auth=auth, prevent_thread_lock=True, quiet=True)
    try:
        yield Server(f"http://127.0.0.1:{port}/", password, corpus_dir)
    finally:
        demo.close()


def _assert_no_answer_data(response: httpx.Response) -> None:
    for text in ANSWER_DATA:
        assert text not in response.text, (response.request.url, text)


REFUSED = {401, 403}
PROTECTED_GETS = [
    "config",
    "config/",
    "gradio_api/info",
    "gradio_api/info/",
    "gradio_api/openapi.json",
    "gradio_api/queue/data?session_hash=abc123",
    "gradio_api/call/chat/0123456789abcdef",
    "gradio_api/call/v2/chat/0123456789abcdef",
    "gradio_api/deep_link?session_hash=abc123",
    "gradio_api/file=/etc/hostname",
    "gradio_api/file/etc/hostname",
    "gradio_api/upload_progress?upload_id=abc",
    "monitoring",
    "monitoring/summary",
]
PREDICT_BODY = {"data": [AR_QUESTION, [], 5, "extractive"]}
PROTECTED_POSTS = [
    ("gradio_api/queue/join", {**PREDICT_BODY, "fn_index": 0, "session_hash": "abc123"}),
    ("gradio_api/call/chat", PREDICT_BODY),
    ("gradio_api/call/v2/chat", PREDICT_BODY),
    ("gradio_api/run/chat", PREDICT_BODY),
    ("gradio_api/api/chat", PREDICT_BODY),
    ("gradio_api/run/predict", PREDICT_BODY),
    ("gradio_api/upload", None),
]


def test_page_without_login_is_the_login_form(server: Server) -> None:
    response = httpx.get(server.url, timeout=TIMEOUT, follow_redirects=False)
    # Gradio serves its login form at `/`: a page with no components and no app config. (Gradio
    # 6 still embeds the API schema, `window.gradio_api_info`, in it: endpoint and parameter
    # names, no corpus text and no answers.)
    assert response.status_code == 200
    assert '"auth_required":true' in response.text.replace(" ", "")
    assert '"components":[]' in response.text.replace(" ", "")
    _assert_no_answer_data(response)


@pytest.mark.parametrize("path", PROTECTED_GETS)
def test_api_reads_without_login_are_refused(server: Server, path: str) -> None:
    response = httpx.get(server.url + path, timeout=TIMEOUT, follow_redirects=False)
    assert response.status_code in REFUSED or (
        response.status_code in {302, 303, 307} and "login" in response.headers["location"]
    ), (path, response.status_code, response.text[:300])
    _assert_no_answer_data(response)


@pytest.mark.parametrize(("path", "body"), PROTECTED_POSTS, ids=[p for p, _ in PROTECTED_POSTS])
def test_api_calls_without_login_are_refused(server: Server, path: str, body: dict | None) -> None:
    if body is None:
        response = httpx.post(server.url + path, files={"files": ("a.txt", b"x")}, timeout=TIMEOUT)
    else:
        response = httpx.post(server.url + path, json=body, timeout=TIMEOUT)
    assert response.status_code in REFUSED, (path, response.status_code, response.text[:300])
    _assert_no_answer_data(response)


def test_a_forged_session_cookie_is_refused(server: Server) -> None:
    cookies = {f"access-token-{name}": secrets.token_urlsafe(32) for name in ("", "x")}
    response = httpx.get(server.url + "config", cookies=cookies, timeout=TIMEOUT)
    assert response.status_code == 401
    response = httpx.post(
        server.url + "gradio_api/call/chat", json=PREDICT_BODY, cookies=cookies, timeout=TIMEOUT
    )
    assert response.status_code == 401


def test_wrong_password_is_refused(server: Server) -> None:
    from gradio_client import Client

    for user, password in (
        (USER, "wrong-" + server.password),
        ("admin", server.password),
        (USER, ""),
        (USER, server.password.upper() + "x"),
    ):
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as session:
            response = session.post("login", data={"username": user, "password": password})
            assert response.status_code >= 400
            assert session.get("config").status_code == 401
    with pytest.raises(ValueError, match="Could not login"):
        Client(server.url, auth=(USER, "wrong-" + server.password), verbose=False)


def test_browser_style_login_opens_the_api(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as session:
        response = session.post("login", data={"username": USER, "password": server.password})
        assert response.status_code == 200
        assert session.get("config").status_code == 200
        # The documented API is the assistant's tools (the chat's own /chat is undocumented).
        assert "/ask" in json.dumps(session.get("gradio_api/info").json())


def test_logged_in_client_gets_a_cited_answer(server: Server) -> None:
    from gradio_client import Client

    client = Client(server.url, auth=(USER, server.password), verbose=False)
    try:
        api = client.view_api(return_format="dict", print_info=False)
        assert "/ask" in api["named_endpoints"]
        # The chat handler itself: its outputs other than the session's state, in order.
        chat, question_box, sources, *_controls = client.predict(
            AR_QUESTION, [], 5, "extractive", api_name="/chat"
        )
    finally:
        client.close()
    answer = chat[-1]["content"][0]["text"]
    # A tier that states the answer (answer or likely), with its markers.
    assert re.search(r'class="msg msg-ar answer tier-(answer|likely)"', answer), answer
    assert 'class="cite"' in answer
    assert "بوتين" in answer
    assert '<section class="source"' in sources and "<mark" in sources
    # The box is cleared by the handler's first update; the final one leaves it alone.
    assert question_box in ("", {"__type__": "update"})


def test_logged_in_api_cannot_make_the_server_read_its_own_files(server: Server) -> None:
    """The upload handler takes file paths; a path outside Gradio's upload folder is refused, so
    the API cannot copy a server file (here the repo's README) into the corpus."""
    readme = Path(__file__).resolve().parents[2] / "README.md"
    before = sorted(p.name for p in server.corpus_dir.iterdir())
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as session:
        session.post("login", data={"username": USER, "password": server.password})
        file_data = {
            "path": str(readme),
            "orig_name": "readme.md",
            "meta": {"_type": "gradio.FileData"},
        }
        started = session.post("gradio_api/call/add_articles", json={"data": [[file_data]]})
        assert started.status_code == 200
        event_id = started.json()["event_id"]
        stream = session.get(f"gradio_api/call/add_articles/{event_id}")
    assert "event: error" in stream.text, stream.text[:500]
    assert sorted(p.name for p in server.corpus_dir.iterdir()) == before
