"""The Milvus engine as this process sees it: every call bounded, a dead milvus-lite restarted,
and this process's claim on a milvus-lite file.

- **Bounded calls.** Each call gets a deadline per attempt (`READ_TIMEOUT`, `WRITE_TIMEOUT`) and
  at most `RETRIES` retries. pymilvus retries an unreachable engine 75 times with back-off up to
  3 s (211 s per call on a dead engine) unless told otherwise; an engine that does not answer
  in time is not retried. A call that fails because the engine is gone raises
  `EngineUnavailable` (an `IndexUnusableError`, so every caller already says it).
- **Restart.** milvus-lite runs as a child process of this one. Before each call its process is
  checked: a dead one (killed, crashed) fails the call at once instead of after the timeout, and
  the next call (at most one attempt per `RESTART_SECONDS`) starts a new engine on the same file
  and reconnects. Clients of the same file in this process follow the new engine.
- **Health.** `Engine.health` is None while the last call succeeded, else what went wrong.
- **The claim.** milvus-lite allows one process per file by a lock on `.<file>.lock`, but its
  `stop()` deletes that file though it never held it (also in a process whose start was
  refused), after which a second process starts a second engine on the same file. So this
  process first takes its own flock on `.<file>.claim`, which nothing deletes, and holds it until
  `release_local`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from embeddings.index.manifest import IndexUnusableError

T = TypeVar("T")
# Seconds per attempt. A float: pymilvus takes an int timeout as its retry budget instead.
READ_TIMEOUT = 10.0
WRITE_TIMEOUT = 120.0
RETRIES = 3
RESTART_SECONDS = 2.0
CLAIM_SUFFIX = ".claim"
# What pymilvus says when the engine cannot be reached or did not answer in time.
_UNREACHABLE = (
    "UNAVAILABLE",
    "DEADLINE_EXCEEDED",
    "Retry timeout",
    "Retry run out",
    "Fail connecting",
)


class EngineUnavailable(IndexUnusableError):
    """The Milvus engine did not answer: it died, or it is unreachable or stuck."""


# -- the claim on a milvus-lite file ---------------------------------------------------------

_claims: dict[str, int] = {}
_claims_lock = threading.Lock()


def claim_path(db_file: Path) -> Path:
    return db_file.parent / f".{db_file.name}{CLAIM_SUFFIX}"


def claim(db_file: Path) -> None:
    """Hold this process's claim on a milvus-lite file (once per process; idempotent)."""
    key = str(db_file.resolve())
    with _claims_lock:
        if key in _claims:
            return
        fd = os.open(claim_path(db_file), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexUnusableError(
                f"the Milvus index {db_file} is open in another process (milvus-lite allows one "
                "process per file): stop the app, or add articles from inside it"
            ) from None
        _claims[key] = fd


def unclaim(db_file: Path) -> None:
    with _claims_lock:
        fd = _claims.pop(str(db_file.resolve()), None)
    if fd is not None:
        os.close(fd)  # closing the only descriptor releases the flock


# -- this process's milvus-lite engines --------------------------------------------------------


def _lite_servers() -> dict[str, Any]:
    """milvus-lite's own table of the engines it started in this process, by resolved path
    (milvus_lite 2.5.1's ServerManager)."""
    from milvus_lite.server_manager import server_manager_instance

    return server_manager_instance._servers


def lite_server(db_file: Path) -> Any:
    """This process's milvus-lite engine for `db_file`, or None."""
    return _lite_servers().get(str(db_file.absolute().resolve()))


def lite_pid(db_file: Path) -> int | None:
    """The process id of this process's milvus-lite engine for `db_file` (tests kill it)."""
    server = lite_server(db_file)
    process = getattr(server, "_p", None)
    return process.pid if process is not None else None


def _alive(server: Any) -> bool:
    process = getattr(server, "_p", None)
    return process is not None and process.poll() is None


def stop_lite(db_file: Path) -> None:
    """Stop this process's engine for `db_file` (a dead one too), so the next client starts one."""
    from milvus_lite.server_manager import server_manager_instance

    if lite_server(db_file) is not None:
        server_manager_instance.release_server(str(db_file))


class Engine:
    """A MilvusClient for one URI behind bounded calls; for a milvus-lite file, restarted when its
    engine dies. `open_client(uri)` makes the client (connection.connect)."""

    def __init__(self, uri: str, local: Path | None, open_client: Callable[[], Any]) -> None:
        self.uri = uri
        self.local = local
        self._open = open_client
        self._lock = threading.Lock()
        self._client = open_client()
        self._server = lite_server(local) if local else None
        self._failed_at = 0.0
        self.health: str | None = None

    def _live(self) -> Any:
        """The client, after restarting a dead milvus-lite engine (or following the engine
        another client of this process restarted)."""
        if self.local is None:
            return self._client
        with self._lock:
            current = lite_server(self.local)
            if current is not None and _alive(current):
                if current is not self._server:
                    self._client, self._server = self._open(), current
                return self._client
            if time.monotonic() - self._failed_at < RESTART_SECONDS:
                raise EngineUnavailable(self._down(self.health or "it stopped"))
            self._failed_at = time.monotonic()
            stop_lite(self.local)
            # Clients of one URI share pymilvus's connection, which still names the dead
            # engine's socket: drop it, and the new client (and theirs) use the new engine.
            with contextlib.suppress(Exception):
                self._client.close()
            try:
                self._client = self._open()
            except Exception as error:
                self.health = f"could not be restarted ({error})"
                raise EngineUnavailable(self._down(self.health)) from error
            self._server = lite_server(self.local)
            return self._client

    def alive(self) -> bool:
        """Whether the engine this client uses is up (a server is assumed up; its calls say)."""
        return self.local is None or _alive(lite_server(self.local))

    def _down(self, reason: str) -> str:
        return f"the Milvus engine for {self.uri} is not answering: {reason}"

    def call(self, method: str, *args: Any, write: bool = False, **kwargs: Any) -> Any:
        client = self._live()
        kwargs["timeout"] = WRITE_TIMEOUT if write else READ_TIMEOUT
        kwargs["retry_times"] = RETRIES
        try:
            result = getattr(client, method)(*args, **kwargs)
        except Exception as error:
            raise self._translate(error) from error
        self.health = None
        return result

    def guard(self, step: Callable[[], T]) -> T:
        """One more step of a call already made (an iterator's next page), checked alike."""
        self._live()
        try:
            return step()
        except Exception as error:
            raise self._translate(error) from error

    def pages(self, *args: Any, **kwargs: Any) -> Iterator[list[dict]]:
        """`query_iterator`'s pages, each fetched under the same guard."""
        pages = self.call("query_iterator", *args, **kwargs)
        try:
            while page := self.guard(pages.next):
                yield page
        finally:
            with contextlib.suppress(Exception):  # a dead engine's iterator: nothing left to free
                pages.close()

    def _translate(self, error: Exception) -> Exception:
        dead = self.local is not None and not _alive(lite_server(self.local))
        if dead or any(sign in str(error) for sign in _UNREACHABLE):
            self._failed_at = 0.0 if dead else time.monotonic()
            self.health = "it stopped" if dead else "it did not answer in time"
            return EngineUnavailable(self._down(self.health))
        return error

    def schema(self, **kwargs: Any) -> Any:
        return self._client.create_schema(**kwargs)

    def index_params(self) -> Any:
        return self._client.prepare_index_params()
