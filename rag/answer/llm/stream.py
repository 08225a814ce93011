"""The LLM's reply as a stream of text, under one deadline for the whole reply, and every way it
can fail turned into an `LLMFailure` with a reason a user can be told."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage

from rag.messages import message
from rag.question.language import Language

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# A reply longer than this is not an answer of a few sentences; reading stops there.
MAX_REPLY_CHARS = 20_000


# Failures of a reply the model did send: the notice says it replied, not that it was unreachable.
REPLIED = frozenset({"uncited", "invalid", "empty", "interrupted"})


class LLMFailure(Exception):
    """The model gave no usable answer; `reason` is a `llm_reason_*` message key."""

    def __init__(self, reason: str, detail: str = "", **values: object) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.values = values

    def describe(self, language: Language) -> str:
        return message(f"llm_reason_{self.reason}", language, **self.values)

    def notice(self, language: Language) -> str:
        """What the user is told above the extractive answer given instead."""
        key = "llm_fallback_replied" if self.reason in REPLIED else "llm_fallback"
        return message(key, language, reason=self.describe(language))


def classify_failure(error: BaseException, received: bool) -> LLMFailure:
    """Classify an exception from the client or the stream."""
    import httpx
    import openai

    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, LLMFailure):
        return error
    if isinstance(error, openai.APIStatusError):
        return LLMFailure("http", detail, status=error.status_code)
    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LLMFailure("timeout", detail)
    if isinstance(error, openai.APIConnectionError | httpx.TransportError | OSError):
        return LLMFailure("interrupted" if received else "unreachable", detail)
    return LLMFailure("invalid", detail)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, str) or (isinstance(part, dict) and part.get("type") == "text")
        )
    return ""


def reply_tokens(
    model: BaseChatModel, messages: list[BaseMessage], timeout: float
) -> Iterator[str]:
    """The reply's text deltas, read in a worker thread so that the deadline (`timeout` seconds
    for the whole reply) holds even while the client waits on a silent socket."""
    deadline = time.monotonic() + timeout
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        finish = None
        try:
            for chunk in model.stream(messages):
                if stop.is_set():
                    return
                finish = chunk.response_metadata.get("finish_reason") or finish
                text = _text_of(chunk.content)
                if text:
                    inbox.put(("delta", text))
            inbox.put(("end", finish))
        except BaseException as error:
            inbox.put(("error", error))

    worker = threading.Thread(target=read, name="llm-stream", daemon=True)
    worker.start()
    received = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LLMFailure("timeout", f"no complete reply within {timeout:g} s")
            try:
                kind, value = inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if kind == "error":
                raise value
            if kind == "end":
                if value is None:
                    raise LLMFailure("interrupted", "the stream ended without finish_reason")
                if value == "content_filter":
                    raise LLMFailure("invalid", "finish_reason content_filter")
                return
            received += len(value)
            if received > MAX_REPLY_CHARS:
                raise LLMFailure("invalid", f"reply longer than {MAX_REPLY_CHARS} characters")
            yield value
    finally:
        # The worker stops at its next chunk; a blocked read ends by the client's timeout.
        stop.set()
