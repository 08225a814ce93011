"""Serving the chat: launch it with its stylesheet, script and limits, or run it from Settings."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gradio import http_server
from starlette.middleware import Middleware

from api.connections import ConnectionLimits, guarded_protocol
from api.limits import LoginThrottle, RequestLimits
from api.openai import app_kwargs
from api.origin import LOOPBACK, OriginPolicy, parse_origins
from api.slots import stop_on_sigterm
from embeddings.index.manifest import IndexMissingError, IndexUnusableError
from rag.config import Settings, load_settings
from rag.pipeline import Pipeline
from service.live import Service
from service.notices import UPLOAD_LIMIT_BYTES
from ui.layout import App, build_app

ASSETS = Path(__file__).resolve().parent / "assets"
# Gradio's cache (uploads the app never handled, e.g. sent to the API alone) is swept this often
# of files older than this, in seconds; the upload handler removes the files it handles at once.
CACHE_SWEEP = (600, 600)
# A multipart upload's overhead beyond its files: field headers and boundaries.
UPLOAD_OVERHEAD_BYTES = 1024 * 1024
# One launch at a time swaps Gradio's server class (see _guarded_server).
_LAUNCHING = threading.Lock()


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def serve(
    app: App,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> Any:
    """Launch with the app's CSS and script (Gradio 6 takes them in launch, not in Blocks), its
    request limits, origin policy and login throttle, and the session capacity of Settings."""
    settings = app.settings
    app.blocks.delete_cache = CACHE_SWEEP
    limits = ConnectionLimits(
        settings.server.max_connections,
        settings.server.header_timeout,
        settings.server.body_timeout,
    )
    with _guarded_server(limits):
        return _launch(app, host, port, auth, prevent_thread_lock, quiet)


def _launch(
    app: App,
    host: str,
    port: int,
    auth: tuple[str, str] | None,
    prevent_thread_lock: bool,
    quiet: bool,
) -> Any:
    settings = app.settings
    return app.blocks.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        css=_asset("app.css"),
        head=f"<script>\n{_asset('app.js')}</script>\n",
        max_file_size=UPLOAD_LIMIT_BYTES,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=False,
        state_session_capacity=settings.server.session_capacity,
        # The OpenAI-compatible API and the MCP server, on the app's own port.
        mcp_server=True,
        app_kwargs=_app_kwargs(app.service, settings, host, login=auth is not None),
    )


@contextmanager
def _guarded_server(limits: ConnectionLimits) -> Iterator[None]:
    """Gradio makes its uvicorn server inside `launch`, with uvicorn's defaults and no way to
    pass others; during the launch its server class is one that speaks `GuardedH11`
    (api/connections.py: header and body deadlines, a connection cap)."""
    original = http_server.Server
    protocol = guarded_protocol(limits)

    class Guarded(original):  # type: ignore[misc, valid-type]
        def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
            config.http = protocol
            super().__init__(config, *args, **kwargs)

    with _LAUNCHING:
        http_server.Server = Guarded  # type: ignore[misc]
        try:
            yield
        finally:
            http_server.Server = original  # type: ignore[misc]


def _app_kwargs(service: Service, settings: Settings, host: str, *, login: bool) -> dict[str, Any]:
    """The API's routes, and our middleware around its key guard: a request another origin
    sends, or one over the limits, never reaches the API either."""
    api = app_kwargs(service)
    return {**api, "middleware": [*_middleware(settings, host, login=login), *api["middleware"]]}


def _middleware(settings: Settings, host: str, *, login: bool) -> list[Middleware]:
    """Ours, inside Gradio's CORS and compression middleware: the origin policy first, then the
    body limits and (with a login) the login throttle."""
    server = settings.server
    throttle = (
        LoginThrottle(server.login_max_failures, server.login_lockout_seconds) if login else None
    )
    return [
        Middleware(
            OriginPolicy,
            allowed=parse_origins(server.allowed_origins),
            loopback_only=host in LOOPBACK,
        ),
        Middleware(
            RequestLimits,
            body_bytes=int(server.max_request_mb * 1024 * 1024),
            upload_bytes=server.max_upload_files * UPLOAD_LIMIT_BYTES + UPLOAD_OVERHEAD_BYTES,
            throttle=throttle,
        ),
    ]


def main() -> None:
    """Serve the app on the index and address in Settings (`python app.py`, `make run`)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    try:
        # A missing or damaged index is refused before the model loads.
        pipeline = Pipeline.from_settings(settings)
    except IndexMissingError:
        print(
            f"No index found in {settings.index.path}.\n"
            "Build it first: `make run` builds the index and starts the app, or run\n"
            "`python -m rag ingest` and then `python app.py`.",
            file=sys.stderr,
        )
        sys.exit(2)
    except IndexUnusableError as error:
        print(f"The index cannot be used: {error}", file=sys.stderr)
        sys.exit(2)
    app = build_app(pipeline, settings)
    host, port, auth = settings.server.host, settings.server.port, settings.server.auth
    print(f"Serving on http://{host}:{port}" + (" (login required)" if auth else ""), flush=True)
    stop_on_sigterm()  # streamed API answers end with an error event and [DONE], not cut
    try:
        serve(app, host=host, port=port, auth=auth)
    except KeyboardInterrupt:
        # SIGTERM or Ctrl-C before Gradio's launch reached its own wait (it serves requests
        # while it still checks its page): close the server as that wait would, and end cleanly.
        app.blocks.close()
