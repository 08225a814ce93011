"""The assistant as an API other tools can call, served by the chat's own process and port: an
OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`), and the guard that asks for
the API key there and on Gradio's MCP server (`/gradio_api/mcp`).

Any `model` name is accepted. The answer's text is `choices[0].message.content` (streamed as
`delta.content`), escaped for Markdown (`service.markdown`); its tier, confidence and citations are in
the extra field `rag` of the completion (of the last chunk when streaming): see `answer_payload`
and the README. Every failure answers in OpenAI's error shape (`api.errors`), an unexpected one
too; a failure after a stream started is an error event, then `[DONE]`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator, Generator, Iterator
from typing import Any
from uuid import uuid4

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.middleware import Middleware
from starlette.responses import Response

from api.auth import ApiGuard
from api.errors import openai_error
from api.requests import MODEL_ID, Asked, RequestError, parse_request
from api.slots import SHUTDOWN, Slots, SlotStream
from embeddings.index.manifest import IndexUnusableError
from rag.question.cleaning import QuestionError, clean_question
from rag.schema import Answer, AnswerChunk, AnswerStream
from service.live import Service
from service.markdown import MarkdownStream, escape_markdown

logger = logging.getLogger(__name__)

EXTRA_FIELD = "rag"
# A call waits this long for one of the app's answering slots before it is told to retry.
SLOT_WAIT_SECONDS = 60
BUSY = "The assistant is busy; retry shortly."
FAILED = "Answering failed; please try again."
# A dead index engine (a Milvus engine being restarted): the client may retry.
INDEX_DOWN = "The search index is not answering; retry shortly."
STOPPING = "The server is shutting down; retry shortly."
DONE = "data: [DONE]\n\n"


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The extra field: what the answer text alone does not say. Citation titles are escaped
    for Markdown, as the text is."""
    data = answer.to_json()
    keys = ("tier", "confidence", "language", "refused", "mode", "notices")
    payload = {key: data[key] for key in keys}
    payload["citations"] = [
        {**citation, "title": escape_markdown(citation["title"] or "") or None}
        for citation in data["citations"]
    ]
    payload["unsupported_sentences"] = data["unsupported_sentences"]
    payload["evidence"] = data["evidence"]
    return payload


def answer_content(answer: Answer) -> str:
    """The answer's text as the API sends it: escaped for Markdown, its markers kept."""
    return escape_markdown(answer.text)


def _event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _error_event(message: str) -> str:
    return _event({"error": {"message": message, "type": "server_error", "code": None}})


class ChatCompletions:
    """`POST /v1/chat/completions` over the live pipeline, at most `app_concurrency` at once."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.slots = Slots(service.settings.server.concurrency)

    def _parse(self, body: bytes) -> Asked:
        asked = parse_request(body)
        clean_question(asked.question, self.service.settings.answer.max_question_chars)
        return asked

    async def create(self, request: Request) -> Response:
        try:
            return await self._create(request)
        except IndexUnusableError as error:
            logger.warning("answering failed: %s", error)
            return openai_error(503, INDEX_DOWN, "index_unavailable", "server_error")
        except Exception:
            logger.exception("a chat completion failed")
            return openai_error(500, FAILED, "internal_error", "server_error")

    async def _create(self, request: Request) -> Response:
        try:
            asked = self._parse(await request.body())
        except QuestionError as error:
            return openai_error(400, str(error), "invalid_question", param="messages")
        except RequestError as error:
            return openai_error(400, str(error), "invalid_request", param=error.param)
        if not await self.slots.take(request, SLOT_WAIT_SECONDS):
            return openai_error(503, BUSY, "busy", "server_error")
        if asked.stream:
            return self._streamed(asked)
        try:
            answer = await anyio.to_thread.run_sync(self._ask, asked)
        finally:
            self.slots.give_back()
        completion = _envelope(asked.model, "chat.completion")
        message = {"role": "assistant", "content": answer_content(answer)}
        completion["choices"] = [{"index": 0, "message": message, "finish_reason": "stop"}]
        completion[EXTRA_FIELD] = answer_payload(answer)
        return JSONResponse(completion)

    def _ask(self, asked: Asked) -> Answer:
        pipeline = self.service.pipeline
        return pipeline.ask(
            asked.question, asked.history, k=asked.k, mode=asked.mode, filters=asked.filters
        )

    def _chunks(self, asked: Asked) -> Generator[AnswerChunk, None, None]:
        """The answer's stream; closing it closes the pipeline's (its `finally`s run)."""
        pipeline = self.service.pipeline
        yield from pipeline.stream(
            asked.question, asked.history, k=asked.k, mode=asked.mode, filters=asked.filters
        )

    def _streamed(self, asked: Asked) -> SlotStream:
        """The answer as server-sent events, holding its slot until the response ends."""
        chunks = self._chunks(asked)

        async def finish() -> None:
            try:
                await anyio.to_thread.run_sync(chunks.close)
            finally:
                self.slots.give_back()

        envelope = _envelope(asked.model, "chat.completion.chunk")
        return SlotStream(self._events(chunks, envelope), finish)

    async def _events(
        self, chunks: Iterator[AnswerChunk], envelope: dict[str, Any]
    ) -> AsyncGenerator[str, None]:
        """The role, each text delta (escaped), then the finish with the extra field; or an
        error event. Both end with `[DONE]`."""

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return _event({**envelope, "choices": [choice], **extra})

        with SHUTDOWN.stream():
            yield chunk({"role": "assistant", "content": ""})
            relayed, escaped = AnswerStream(chunks), MarkdownStream()
            deltas = iter(relayed)
            try:
                while not SHUTDOWN.stopping:
                    delta = await anyio.to_thread.run_sync(next, deltas, None)
                    if delta is None:
                        break
                    if text := escaped.feed(delta):
                        yield chunk({"content": text})
                else:
                    yield _error_event(STOPPING)
                    yield DONE
                    return
                if rest := escaped.flush():
                    yield chunk({"content": rest})
                yield chunk({}, "stop", **{EXTRA_FIELD: answer_payload(relayed.answer)})
            except Exception as error:
                if isinstance(error, QuestionError):
                    yield _error_event(str(error))
                elif isinstance(error, IndexUnusableError):
                    logger.warning("a streamed completion failed: %s", error)
                    yield _error_event(INDEX_DOWN)
                else:
                    logger.exception("a streamed completion failed")
                    yield _error_event(FAILED)
            yield DONE


def _envelope(model: str, kind: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid4().hex}",
        "object": kind,
        "created": int(time.time()),
        "model": model,
    }


def api_router(service: Service) -> APIRouter:
    router = APIRouter()
    completions = ChatCompletions(service)
    router.add_api_route("/v1/chat/completions", completions.create, methods=["POST"])

    def models() -> dict[str, Any]:
        entry = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "local"}
        return {"object": "list", "data": [entry]}

    router.add_api_route("/v1/models", models, methods=["GET"])

    def unknown(request: Request) -> Response:
        """Any other call under /v1 is answered in OpenAI's shape too."""
        known = {"/v1/chat/completions": "POST", "/v1/models": "GET"}
        if request.url.path in known:
            method = known[request.url.path]
            return openai_error(405, f"Use {method} here.", "method_not_allowed")
        return openai_error(404, f"No endpoint {request.url.path}.", "unknown_url")

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    router.add_api_route("/v1/{path:path}", unknown, methods=methods, include_in_schema=False)
    return router


def app_kwargs(service: Service) -> dict[str, Any]:
    """What `gr.Blocks.launch(app_kwargs=...)` needs to serve the API on the app's own port."""
    return {
        "routes": list(api_router(service).routes),
        "middleware": [Middleware(ApiGuard, settings=service.settings)],
    }
