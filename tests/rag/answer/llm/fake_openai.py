"""A tiny OpenAI-compatible chat server on 127.0.0.1 for exercising the real ChatOpenAI client.

`POST /v1/chat/completions` answers with the configured `Reply`: a streamed (SSE) or JSON reply,
an HTTP error, garbage bytes, a stall, an endless drip, a stream cut mid-way (socket closed
inside a chunked body) or a stream that just ends without `finish_reason` and `[DONE]`.

The server runs in a daemon thread, records every request body, and stops when its `with` block
ends or, at the latest, after `lifetime` seconds; stalled handlers wake up when it stops.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Kind = Literal["ok", "status", "garbage", "stall", "drip", "cut", "eof"]


@dataclass
class Reply:
    text: str = ""
    kind: Kind = "ok"
    status: int = 200
    chunk_chars: int = 6  # characters per streamed delta
    delay: float = 0.0  # before the reply (stall) or between chunks (drip and ok)
    cut_after: int = 3  # chunks sent before a cut or an early end
    finish_reason: str = "stop"
    # Computes the text from the request body instead (e.g. to cite the passage it holds).
    respond: Callable[[dict], str] | None = None


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _chunk(piece: str | None, finish_reason: str | None = None, role: bool = False) -> bytes:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = "assistant"
    if piece is not None:
        delta["content"] = piece
    payload = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- helpers --------------------------------------------------------------------------

    def _start_stream(self, chunked: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    # -- the endpoint ---------------------------------------------------------------------

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        fake.record(self.path, body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        reply = fake.reply
        if reply.respond is not None:
            reply = replace(reply, text=reply.respond(body), respond=None)
        try:
            self._serve(reply, bool(body.get("stream")))
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True  # the client gave up; nothing left to do

    def _serve(self, reply: Reply, stream: bool) -> None:
        stop = self.server.fake.stopped
        if reply.kind == "status":
            self._json(
                reply.status,
                {"error": {"message": "fake failure", "type": "server_error", "code": None}},
            )
            return
        if reply.kind == "stall":
            stop.wait(reply.delay)
            if stop.is_set():
                self.close_connection = True
                return
        if reply.kind == "garbage":
            self._start_stream()
            self._write_chunk(b"data: \xff\xfe{not json at all\x00\n\n")
            self._write_chunk(b"\x89PNG\r\n\x1a\n\xde\xad\xbe\xef\n\n")
            self._end_chunks()
            return
        if not stream:
            self._json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "fake-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.text},
                            "finish_reason": reply.finish_reason,
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
            return
        if reply.kind == "drip":
            self._start_stream()
            self._write_chunk(_chunk("", role=True))
            while not stop.wait(reply.delay):
                self._write_chunk(_chunk("…"))
            self.close_connection = True
            return
        if reply.kind == "eof":
            # No chunked framing: the body ends when the socket closes, without finish_reason.
            self._start_stream(chunked=False)
            for piece in _pieces(reply.text, reply.chunk_chars)[: reply.cut_after]:
                self.wfile.write(_chunk(piece))
            self.wfile.flush()
            return
        self._start_stream()
        self._write_chunk(_chunk("", role=True))
        for count, piece in enumerate(_pieces(reply.text, reply.chunk_chars)):
            if reply.kind == "cut" and count == reply.cut_after:
                # Announce a chunk, send half of it and hang up: an incomplete chunked body.
                data = _chunk(piece)
                self.wfile.write(f"{len(data):x}\r\n".encode() + data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if reply.delay:
                time.sleep(reply.delay)
            self._write_chunk(_chunk(piece))
        self._write_chunk(_chunk(None, finish_reason=reply.finish_reason))
        self._write_chunk(b"data: [DONE]\n\n")
        self._end_chunks()


class FakeOpenAI:
    """`with FakeOpenAI(Reply(text=...)) as server:` then point a client at `server.base_url`."""

    def __init__(self, reply: Reply | None = None, lifetime: float = 120.0) -> None:
        self.reply = reply or Reply()
        self.lifetime = lifetime
        self.requests: list[tuple[str, dict]] = []
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def last_request(self) -> dict:
        with self._lock:
            return self.requests[-1][1]

    def record(self, path: str, body: dict) -> None:
        with self._lock:
            self.requests.append((path, body))

    def start(self) -> FakeOpenAI:
        self._thread.start()
        self._timer.start()
        return self

    def close(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        self._timer.cancel()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
