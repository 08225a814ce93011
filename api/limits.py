"""Limits Gradio does not set: the size of request bodies, and wrong passwords per client.

`RequestLimits` is an ASGI middleware inside Gradio's app. A body over its limit (uploads have
their own, files x the per-file limit) gets 413 before any route reads it, whether it announces
its length or streams. Logins are throttled per client address: one attempt at a time, and after
`max_failures` wrong passwords a lockout that doubles with each further failure (up to 15
minutes), during which even the right password gets 429 with a Retry-After.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.formparsers import MultiPartException

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOGIN_PATHS = {"/login", "/login/"}
UPLOAD_PATHS = {"/gradio_api/upload", "/gradio_api/upload/"}
MAX_LOCKOUT_SECONDS = 15 * 60
# Clients remembered at once; the least recently seen are forgotten first.
MAX_CLIENTS = 10_000


@dataclass
class _Client:
    failures: int = 0
    locked_until: float = 0.0
    in_flight: bool = False


class LoginThrottle:
    def __init__(
        self,
        max_failures: int,
        lockout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max(1, max_failures)
        self.lockout_seconds = lockout_seconds
        self._clock = clock
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, client: str) -> float | None:
        """None when `client` may try a password now (it is then in flight), else the seconds
        until it may."""
        with self._lock:
            state = self._clients.setdefault(client, _Client())
            self._clients.move_to_end(client)
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)
            wait = state.locked_until - self._clock()
            if wait > 0:
                return wait
            if state.in_flight:
                return 1.0
            state.in_flight = True
            return None

    def record(self, client: str, success: bool | None) -> None:
        """The outcome of an admitted attempt (None: neither, e.g. a malformed request)."""
        with self._lock:
            state = self._clients.setdefault(client, _Client())
            state.in_flight = False
            if success:
                self._clients.pop(client, None)
            elif success is False:
                state.failures += 1
                extra = state.failures - self.max_failures
                if extra >= 0:
                    lockout = min(MAX_LOCKOUT_SECONDS, self.lockout_seconds * 2 ** min(extra, 30))
                    state.locked_until = self._clock() + lockout


async def respond(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(key.encode(), value.encode()) for key, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> tuple[int, str, dict[str, str]]:
    megabytes = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    return (
        413,
        f"The request is larger than {megabytes} MB · الطلب أكبر من {megabytes} ميغابايت",
        {"connection": "close"},
    )


class _BodyTooLarge(MultiPartException):
    """Raised into the app past the limit. A MultiPartException, so an upload parser that catches
    it removes the files it had written so far (Gradio's does)."""

    def __init__(self) -> None:
        super().__init__("Request body exceeded the maximum allowed size.")


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        body_bytes: int,
        upload_bytes: int,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if scope["path"] in UPLOAD_PATHS else self.body_bytes
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if declared > limit:
            await respond(send, *_too_large(limit))
            return
        if self.throttle is not None and scope["method"] == "POST" and scope["path"] in LOGIN_PATHS:
            await self._login(scope, receive, send, limit)
        else:
            await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app with `receive` cut off past `limit` bytes, answering 413 instead."""
        seen, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def relayed(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own reaction to the cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, relayed)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await respond(send, *_too_large(limit))

    async def _login(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        assert self.throttle is not None
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.admit(client)
        if wait is not None:
            seconds = math.ceil(wait)
            detail = (
                f"Too many login attempts; try again in {seconds} s · "
                f"محاولات دخول كثيرة؛ حاول بعد {seconds} ثانية"
            )
            await respond(send, 429, detail, {"retry-after": str(seconds)})
            return
        status: list[int] = []

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self._bounded(scope, receive, observed, limit)
        finally:
            code = status[0] if status else None
            self.throttle.record(client, True if code == 200 else False if code == 400 else None)
