"""Slow clients cannot starve the server: the HTTP protocol the server speaks, with a deadline
for a request's headers, a minimum rate for its body, and a cap on open connections.

uvicorn (under Gradio) waits for a request's headers and body for ever and accepts connections
until the process runs out of file descriptors; 1,100 loopback connections sending a header
line every 8 s under `ulimit -n 1024` made every other request wait 40-65 s. `GuardedH11` is
uvicorn's h11 protocol with three limits:

- a request's headers must arrive within `header_timeout` seconds (of the connection, or of the
  previous response on a kept-alive one); a body within `body_timeout` seconds plus one second
  per `BODY_MIN_RATE` bytes received, so a large upload at a fair rate is never cut;
- at most `max_connections` connections are open (and never more than the descriptors the
  process may open, less `FD_RESERVE` for its files): a connection beyond that closes the one
  that has waited longest for its client (a request that is not in yet), so a new client
  always gets in, and only when every connection is busy answering is the new one refused (503).

A connection cut by a limit gets a 408 (headers) or is closed (body). Answers that stream for
long (server-sent events) are not limited: once a request is in, the client waits, not us.
"""

from __future__ import annotations

import resource
import time
from asyncio import BaseTransport, TimerHandle, Transport
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

FD_RESERVE = 128  # descriptors kept for files, the engine, the parser process and logs
BODY_MIN_RATE = 500  # bytes per second a body must average beyond its first timeout
TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
BUSY_503 = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    header_timeout: float
    body_timeout: float

    def cap(self) -> int:
        """The connections this process may hold: the setting, within its descriptor limit."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.max_connections
        return max(1, min(self.max_connections, soft - FD_RESERVE))


def guarded_protocol(limits: ConnectionLimits) -> type[H11Protocol]:
    """The protocol class for uvicorn's `Config(http=...)`, with these limits."""
    return type("GuardedH11", (GuardedH11,), {"limits": limits, "cap": limits.cap()})


class GuardedH11(H11Protocol):
    limits: ClassVar[ConnectionLimits]
    cap: ClassVar[int]

    # -- the phase of the request the connection is on --------------------------------------
    # "head": waiting for a request's headers; "body": for its body; "busy": it is in.

    def connection_made(self, transport: BaseTransport) -> None:
        self._phase, self._since, self._body = "head", time.monotonic(), 0
        self._timer: TimerHandle | None = None
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm(self.limits.header_timeout)
        if len(self.connections) > self.cap:
            self._make_room()

    def data_received(self, data: bytes) -> None:
        if self._phase == "body":
            self._body += len(data)
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        cycle = self.cycle
        if self._phase == "busy" or cycle is None or cycle.response_complete:
            return
        if not cycle.more_body:
            self._become("busy")
        elif self._phase == "head":
            self._become("body")
            self._arm(self.limits.body_timeout)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._become("head")
            self._arm(self.limits.header_timeout)

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._become("busy")
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    # -- limits -------------------------------------------------------------------------------

    def _become(self, phase: str) -> None:
        self._cancel()
        self._phase, self._since, self._body = phase, time.monotonic(), 0

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _arm(self, seconds: float) -> None:
        self._cancel()
        self._timer = self.loop.call_later(seconds, self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._phase == "head":
            self._close(TIMEOUT_408)
        elif self._phase == "body":
            allowed = self.limits.body_timeout + self._body / BODY_MIN_RATE
            left = self._since + allowed - time.monotonic()
            if left > 0:
                self._arm(left)
            else:
                self._close(b"")

    def waiting(self) -> bool:
        """Whether the connection waits on its client (a request or a body not in yet)."""
        return self._phase != "busy"

    def _close(self, reply: bytes) -> None:
        transport: Transport = self.transport
        if not transport.is_closing():
            if reply:
                transport.write(reply)
            transport.close()

    def _open(self) -> bool:
        return not self.transport.is_closing()

    def _make_room(self) -> None:
        """Over the cap: close the connection that has waited longest for its client, or, when
        every other one is answering a request, refuse this one."""
        others = [c for c in self.connections if isinstance(c, GuardedH11) and c is not self]
        if len([c for c in others if c._open()]) < self.cap:
            return  # the ones over it are closing already
        waiting = [c for c in others if c._open() and c.waiting()]
        if waiting:
            min(waiting, key=lambda other: other._since)._close(TIMEOUT_408)
        else:
            self._close(BUSY_503)
