"""The limits Gradio does not set, on the real app with a login: wrong passwords are throttled per
client, request bodies are bounded, and requests a browser marks as another origin's (another
localhost port, a DNS-rebound name) are refused before any route runs.

Each test that sends wrong passwords does so from its own loopback address (127.0.0.x), so its
lockout is its own: the throttle keys on the client address.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.serving.app_process import running_app

pytestmark = pytest.mark.slow

USER = "reader"
LOCKOUT = 2.0
FAILURES = 5
QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
TIMEOUT = 120


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder, seed_index):
    password = secrets.token_urlsafe(12)
    root = tmp_path_factory.mktemp("limits")
    settings = {"login_max_failures": FAILURES, "login_lockout_seconds": LOCKOUT}
    with running_app(root, embedder, seed_index, auth=(USER, password), **settings) as running:
        running.password = password  # type: ignore[attr-defined]
        yield running


def _client(app, address: str = "127.0.0.1") -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=app.url, timeout=TIMEOUT, transport=transport)


@contextmanager
def _logged_in(app) -> Iterator[httpx.Client]:
    with _client(app) as session:
        assert session.post("login", data={"username": USER, "password": app.password}).is_success
        yield session


async def _wrong_logins(url: str, address: str, count: int) -> list[httpx.Response]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, transport=transport) as client:
        return await asyncio.gather(
            *[
                client.post("login", data={"username": USER, "password": f"guess-{n}"})
                for n in range(count)
            ]
        )


def test_wrong_passwords_lock_the_client_out(app):
    started = time.perf_counter()
    responses = asyncio.run(_wrong_logins(app.url, "127.0.0.3", 200))
    elapsed = time.perf_counter() - started
    codes = [r.status_code for r in responses]
    checked = codes.count(400)
    print(
        f"\n200 wrong logins at once in {elapsed:.2f} s: {checked} checked, {codes.count(429)} refused"
    )
    assert 1 <= checked <= FAILURES and set(codes) <= {400, 429}
    refused = next(r for r in responses if r.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many login attempts" in refused.json()["detail"]

    with _client(app, "127.0.0.3") as attacker:
        # One at a time, the guesses go on only until the lockout.
        sequential = []
        for n in range(FAILURES + 1):
            wrong = attacker.post("login", data={"username": USER, "password": f"again-{n}"})
            sequential.append(wrong.status_code)
        assert sequential.count(400) == FAILURES - checked and sequential[-1] == 429, sequential
        # Locked out: the right password is refused too, so guessing on is pointless.
        locked = attacker.post("login", data={"username": USER, "password": app.password})
        assert locked.status_code == 429
        assert attacker.get("config").status_code == 401
    with _client(app, "127.0.0.4") as other:  # another client is not locked out
        assert other.post("login", data={"username": USER, "password": app.password}).is_success
        assert other.get("config").status_code == 200
    with _client(app, "127.0.0.3") as attacker:
        time.sleep(int(locked.headers["retry-after"]))  # the lockout ends
        assert attacker.post("login", data={"username": USER, "password": app.password}).is_success


def test_a_50_mb_chat_history_is_refused(app):
    huge = [{"role": "user", "content": "x" * (1 << 20)} for _ in range(50)]
    body = {"data": [QUESTION, huge, 5, "extractive"], "fn_index": 0, "session_hash": "big50mb"}
    with _logged_in(app) as session:
        response = session.post(
            "gradio_api/queue/join",
            content=json.dumps(body),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 413, response.text[:300]
        assert "larger than 2 MB" in response.json()["detail"]

        # The same without a declared length (chunked) is cut off as it streams.
        def chunks():
            payload = json.dumps(body).encode()
            for start in range(0, len(payload), 1 << 16):
                yield payload[start : start + (1 << 16)]

        streamed = session.post(
            "gradio_api/call/chat",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
        assert streamed.status_code == 413

        # A long but ordinary conversation still gets its answer.
        history = [
            {"role": role, "content": [{"type": "text", "text": "نص " * 2000}]}
            for _ in range(20)
            for role in ("user", "assistant")
        ]
        started = session.post(
            "gradio_api/call/chat", json={"data": [QUESTION, history, 5, "extractive"]}
        )
        assert started.status_code == 200, started.text[:300]
        stream = session.get(f"gradio_api/call/chat/{started.json()['event_id']}")
        # The event stream's data is JSON with ASCII escapes: decode it to find the answer.
        *_, completed = stream.text.partition("event: complete\ndata:")
        assert completed, stream.text[-500:]
        assert "بوتين" in json.dumps(json.loads(completed), ensure_ascii=False)


def test_an_upload_over_the_limit_is_refused_by_gradio_at_the_same_limit(app):
    with _logged_in(app) as session:
        over = session.post(
            "gradio_api/upload", files={"files": ("big.txt", b"a" * (10 * 1024 * 1024 + 1))}
        )
        assert over.status_code == 413
        at_limit = session.post(
            "gradio_api/upload", files={"files": ("ok.txt", b"a" * (10 * 1024 * 1024))}
        )
        assert at_limit.status_code == 200

        # More than max_upload_files (20) files of 10 MB in one request, streamed: cut off.
        cached = _cached(app)

        def body():
            for n in range(202):  # 1 MB files, each under Gradio's own per-file limit
                yield f"--x\r\nContent-Disposition: form-data; name=files; filename=f{n}.txt\r\n\r\n".encode()
                yield b"a" * (1024 * 1024) + b"\r\n"
            yield b"--x--\r\n"

        streamed = session.post(
            "gradio_api/upload",
            content=body(),
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert streamed.status_code == 413
        assert _cached(app) - cached == set(), "a cut-off upload left files behind"


def _cached(app) -> set[Path]:
    return {
        p for p in Path(app.built.blocks.server_app.uploaded_file_dir).rglob("*") if p.is_file()
    }


OTHER_PORT = "http://127.0.0.1:9999"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": OTHER_PORT},
        {"Origin": "http://localhost:9999"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"},
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"},
        {"Host": "rebound.example:7860"},
    ],
    ids=["other-port", "localhost-port", "null", "same-site-no-cors", "cross-site", "rebound"],
)
def test_requests_from_another_origin_cannot_use_a_logged_in_session(app, headers):
    with _logged_in(app) as session:
        config = session.get("config", headers=headers)
        assert config.status_code == 403, config.text[:200]
        assert "components" not in config.text
        started = session.post(
            "gradio_api/call/chat",
            json={"data": [QUESTION, [], 5, "extractive"]},
            headers=headers,
        )
        assert started.status_code == 403


def test_the_apps_own_page_and_navigations_still_work(app):
    own = app.url.rstrip("/")
    with _logged_in(app) as session:
        assert session.get("config", headers={"Origin": own}).status_code == 200
        navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
        assert session.get("", headers=navigation).status_code == 200
    with _client(app) as fresh:
        login = fresh.post(
            "login", data={"username": USER, "password": app.password}, headers={"Origin": own}
        )
        assert login.is_success
        cookies = login.headers.get_list("set-cookie")
        assert cookies and all("samesite=none" not in c.lower() for c in cookies), cookies
