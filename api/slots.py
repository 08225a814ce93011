"""The API's answering slots, and the process stopping under open streams.

A request takes its slot on the event loop, before any answering starts and before a streamed
response sends its first byte: waiting costs no worker thread, so the answers that hold slots
always get the threads they need to finish. A request whose client goes away while it waits
gives up its place, and a streamed answer gives its slot back however it ends (finished, failed,
or its client gone; `SlotStream`).

`SHUTDOWN` is the process stopping (SIGTERM): open streams end with an error event and `[DONE]`
instead of being cut, and the process waits a moment for them.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import anyio
from fastapi import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

# How often a request waiting for a slot looks whether its client is still there, in seconds.
POLL_SECONDS = 0.25


class Slots:
    """At most `count` answers at once."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._free = anyio.Semaphore(self.count)

    @property
    def free(self) -> int:
        return self._free.value

    async def take(self, request: Request, wait: float) -> bool:
        """Wait up to `wait` seconds for a slot: True once taken, False when none came free in
        time or the client went away meanwhile."""
        ends = anyio.current_time() + wait
        while True:
            with anyio.move_on_after(max(0.0, min(POLL_SECONDS, ends - anyio.current_time()))):
                await self._free.acquire()
                return True
            if anyio.current_time() >= ends or await request.is_disconnected():
                return False

    def give_back(self) -> None:
        self._free.release()


class SlotStream(StreamingResponse):
    """A streamed response that runs `finish` once it ends, whatever ended it (its last event, an
    error, or the client's disconnection cancelling it)."""

    def __init__(
        self, events: AsyncGenerator[str, None], finish: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(events, media_type="text/event-stream")
        self._events = events
        self._finish = finish

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()
                await self._finish()


class Shutdown:
    """The process is stopping: streams look at `stopping` between their events."""

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._open = 0
        self._changed = threading.Condition()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @contextmanager
    def stream(self) -> Iterator[None]:
        with self._changed:
            self._open += 1
        try:
            yield
        finally:
            with self._changed:
                self._open -= 1
                self._changed.notify_all()

    def stop(self, grace: float) -> bool:
        """Tell open streams to end, and wait up to `grace` seconds for them; True when none is
        left open."""
        self._stopping.set()
        with self._changed:
            return self._changed.wait_for(lambda: self._open == 0, timeout=grace)


SHUTDOWN = Shutdown()
# Seconds a stopping process gives its open streams to send their last events.
SHUTDOWN_GRACE = 5.0


def stop_on_sigterm(grace: float = SHUTDOWN_GRACE) -> None:
    """On SIGTERM, end the open streams with an error event and `[DONE]`, then stop the way
    Ctrl-C does (the server's own loop closes it). Call from the main thread."""

    def handler(signum: int, frame: FrameType | None) -> None:
        SHUTDOWN.stop(grace)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
