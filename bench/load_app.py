"""The app under load and the sessions that talk to it: the loopback-only guard, the server in
this process, finding the server process and its chat endpoint, and one client session that
asks, times and checks a question.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

TOP_K = 5
MODE = "extractive"
# A final answer of any tier or a refusal, with whatever classes follow (ui/render/answer.py:
# "answer tier-likely shape-timeline", "refusal tier-refused"); a streaming or error message is
# not one.
_RENDERED = re.compile(r'class="msg msg-(?:ar|en) (?:answer|refusal)(?: [\w-]+)*"')


def require_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if not host:
        raise SystemExit(f"not a URL: {url}")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise SystemExit(f"cannot resolve {host}: {error}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"refusing to load-test {url}: only loopback addresses are allowed")


def server_pid_for(url: str) -> int | None:
    """The process listening on the URL's port on this machine, if it can be seen."""
    import psutil

    port = urlparse(url).port or 80
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return conn.pid
    except (psutil.AccessDenied, PermissionError):
        return None
    return None


def check_output(output: Any) -> str | None:
    """None for a rendered answer or refusal, else what is wrong with the response."""
    try:
        chat = output[0]
        text = chat[-1]["content"][0]["text"] if isinstance(chat[-1]["content"], list) else ""
        text = text or str(chat[-1]["content"])
    except (TypeError, IndexError, KeyError) as error:
        return f"unexpected response shape ({type(error).__name__}): {str(output)[:200]}"
    if _RENDERED.search(text):
        return None
    return f"not an answer: {text[:200]}"


# The chat's own handler (ui/wiring.py): callable, though not in the app's API docs.
CHAT_ENDPOINT = "/chat"


def find_chat_endpoint(client: Any) -> str:
    """The api_name of the chat handler: the app's "/chat", or for another app the documented
    endpoint taking a `question` textbox and returning a Chatbot."""
    names = {getattr(f, "api_name", None) for f in _functions(client)}
    if CHAT_ENDPOINT in names or CHAT_ENDPOINT.lstrip("/") in names:
        return CHAT_ENDPOINT
    api = client.view_api(return_format="dict", print_info=False)
    for name, endpoint in api["named_endpoints"].items():
        parameters = [p.get("parameter_name") for p in endpoint["parameters"]]
        if "question" in parameters and any(
            r["component"] == "Chatbot" for r in endpoint["returns"]
        ):
            return name
    raise SystemExit(f"no chat endpoint among {sorted(api['named_endpoints'])}")


def _functions(client: Any) -> list[Any]:
    return list(getattr(client, "endpoints", {}).values())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index_dir: Path | None) -> tuple[str, Any]:
    from embeddings.index.manifest import IndexUnusableError
    from rag.config import load_settings
    from rag.pipeline import Pipeline
    from ui.layout import build_app
    from ui.server import serve

    settings = load_settings(index_dir=index_dir)
    try:
        pipeline = Pipeline.from_settings(settings)
    except IndexUnusableError as error:
        raise SystemExit(
            f"no usable index in {settings.index.path} ({error}).\n"
            "Build it first with `make index` (or pass --index DIR)."
        ) from None
    demo = build_app(pipeline, settings)
    port = _free_port()
    serve(demo, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    return f"http://127.0.0.1:{port}/", demo


class Asker:
    """One session of one client: asks, times and checks questions until a deadline."""

    def __init__(self, url: str, auth: tuple[str, str] | None, api_name: str | None) -> None:
        from gradio_client import Client

        self.client = Client(url, auth=auth, verbose=False)
        self.api_name = api_name or find_chat_endpoint(self.client)

    def ask(self, question: str, deadline: float) -> tuple[float | None, str | None]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, "deadline reached before the question was asked"
        started = time.perf_counter()
        try:
            job = self.client.submit(question, [], TOP_K, MODE, api_name=self.api_name)
            output = job.result(timeout=remaining)
        except Exception as error:  # a failed request is a measured error, not a crash
            if isinstance(error, TimeoutError) or time.monotonic() >= deadline:
                return None, f"no answer before the deadline: {type(error).__name__}"
            return None, f"{type(error).__name__}: {error}"[:300]
        latency = time.perf_counter() - started
        problem = check_output(output)
        return (None, problem) if problem else (latency, None)

    def new_session(self) -> None:
        self.client.reset_session()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
