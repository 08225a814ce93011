"""Loading in a worker process, with a time limit per file.

Parsing is pure Python: in a server it holds the interpreter while it runs, so one large or
hostile upload would hold up every other request, and nothing could stop it. `IsolatedLoader`
runs `corpus.loader.load_file` in a child process (`python -m corpus.isolated`) and waits for
it without holding the interpreter. A file that takes longer than the limit gets the worker
killed and becomes a `LoadError` ("took longer than 20 s to parse"); the next file starts a
new worker, so the other files still load.

    with IsolatedLoader(time_limit=20) as isolated:
        result = load_corpus(directory, load=isolated.load_file)

or `load_file_isolated(path)` and `load_corpus_isolated(directory)` for one call each.

The worker reads one JSON request a line on stdin: {"path": ...} (a file, `load_file`) or
{"path": ..., "feed": true} (an RSS/Atom feed, `read_feed`), and answers each with one JSON line on stdout, after a first line
saying it is ready. Results cross the pipe as JSON, never pickle, so the parent only ever
decodes data.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path
from types import TracebackType

from corpus.article import Article
from corpus.formats import Feed, FeedItem, FormatError, read_feed
from corpus.limits import MAX_FILE_BYTES, PARSE_TIME_LIMIT_SECONDS
from corpus.loader import LoadError, LoadResult, load_corpus, load_file

_ROOT = Path(__file__).resolve().parents[1]
_READY = b'"ready"'
# Starting Python and importing corpus is not parsing, so it is not held to the parse limit.
_START_TIME_LIMIT_SECONDS = 120.0


def _encode(result: LoadResult) -> bytes:
    # ASCII JSON carries any str, lone surrogates from undecodable file names included.
    record = {
        "articles": [asdict(article) for article in result.articles],
        "errors": [asdict(error) for error in result.errors],
    }
    return json.dumps(record).encode("ascii") + b"\n"


def _decode(line: bytes) -> LoadResult:
    record = json.loads(line)
    return LoadResult(
        articles=[Article(**article) for article in record["articles"]],
        errors=[LoadError(**error) for error in record["errors"]],
    )


def _feed(path: Path) -> bytes:
    """A feed file's items (or why it has none) as one ASCII JSON line."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FormatError(f"feed too large (limit {MAX_FILE_BYTES} bytes)")
        record: dict[str, object] = {"feed": asdict(read_feed(path.read_bytes()))}
    except (FormatError, OSError) as error:
        record = {"error": str(error)}
    except Exception as error:  # one malformed feed must not stop the worker
        record = {"error": f"unexpected error: {type(error).__name__}: {error}"}
    return json.dumps(record).encode("ascii") + b"\n"


def _decode_feed(line: bytes) -> Feed | str:
    record = json.loads(line)
    if "error" in record:
        return str(record["error"])
    feed = record["feed"]
    return Feed(feed["title"], tuple(FeedItem(**item) for item in feed["items"]))


def _answer(request: dict[str, object]) -> bytes:
    path = Path(str(request["path"]))
    return _feed(path) if request.get("feed") else _encode(load_file(path))


class _Worker:
    """One child process running `serve`, and the bytes it has sent that are not yet read."""

    def __init__(self) -> None:
        path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "corpus.isolated"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.stdout, selectors.EVENT_READ)
        self.buffer = bytearray()

    def read_line(self, seconds: float) -> bytes | None:
        """The next line the worker writes, or None if it takes longer than `seconds`. Raises
        EOFError if the worker exits first."""
        deadline = time.monotonic() + seconds
        searched = 0
        while (newline := self.buffer.find(b"\n", searched)) < 0:
            searched = len(self.buffer)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.selector.select(remaining):
                return None
            # os.read, not stdout.read: a buffered read would wait for more than is there.
            data = os.read(self.stdout.fileno(), 1 << 20)
            if not data:
                raise EOFError
            self.buffer += data
        line = bytes(self.buffer[:newline])
        del self.buffer[: newline + 1]
        return line

    def stop(self) -> None:
        self.selector.close()
        self.process.kill()
        self.process.wait()
        with suppress(BrokenPipeError):  # a request the dead worker never read
            self.stdin.close()
        self.stdout.close()


class IsolatedLoader:
    """`load_file` in a worker process that is killed when one file takes longer than
    `time_limit` seconds. Use it as a context manager, so the worker is always stopped."""

    def __init__(self, time_limit: float = PARSE_TIME_LIMIT_SECONDS) -> None:
        if time_limit <= 0:
            raise ValueError("time_limit must be positive")
        self.time_limit = time_limit
        self._worker: _Worker | None = None

    def __enter__(self) -> IsolatedLoader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def _started(self) -> _Worker:
        if self._worker is None:
            worker = _Worker()
            try:
                ready = worker.read_line(_START_TIME_LIMIT_SECONDS)
            except EOFError:
                ready = None
            if ready != _READY:
                worker.stop()
                raise RuntimeError("the corpus loading worker did not start")
            self._worker = worker
        return self._worker

    def _ask(self, request: dict[str, object]) -> bytes | str:
        """The worker's answer line, or why there is none (the worker is then stopped)."""
        worker = self._started()
        try:
            worker.stdin.write(json.dumps(request).encode("ascii") + b"\n")
            worker.stdin.flush()
            line = worker.read_line(self.time_limit)
        except (EOFError, BrokenPipeError):
            code = worker.process.poll()
            reason = f"the parser stopped unexpectedly (exit code {code})"
        else:
            if line is not None:
                return line
            reason = f"took longer than {self.time_limit:g} s to parse"
        self.close()
        return reason

    def load_file(self, path: Path) -> LoadResult:
        """What `corpus.loader.load_file(path)` returns, or a `LoadError` for the file if it
        took longer than the time limit or the worker died parsing it."""
        answer = self._ask({"path": str(path)})
        if isinstance(answer, bytes):
            return _decode(answer)
        return LoadResult(errors=[LoadError(str(path), answer)])

    def read_feed(self, path: Path) -> Feed | str:
        """The items of the feed saved at `path`, or why there are none."""
        answer = self._ask({"path": str(path), "feed": True})
        return _decode_feed(answer) if isinstance(answer, bytes) else answer


def load_file_isolated(path: Path, time_limit: float = PARSE_TIME_LIMIT_SECONDS) -> LoadResult:
    with IsolatedLoader(time_limit) as isolated:
        return isolated.load_file(path)


def load_corpus_isolated(
    directory: Path, time_limit: float = PARSE_TIME_LIMIT_SECONDS
) -> LoadResult:
    with IsolatedLoader(time_limit) as isolated:
        return load_corpus(directory, load=isolated.load_file)


def serve() -> None:
    """The worker: answer each request line on stdin with the `LoadResult` of its file."""
    output = sys.stdout.buffer
    output.write(_READY + b"\n")
    output.flush()
    for request in sys.stdin.buffer:
        output.write(_answer(json.loads(request)))
        output.flush()


if __name__ == "__main__":
    serve()
