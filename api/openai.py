"""The assistant as an API other tools can call, served by the chat's own process and port: an
OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`), and the guard that asks for
the API key there and on Gradio's MCP server (`/gradio_api/mcp`).

Any `model` name is accepted. The answer's text is `choices[0].message.content` (streamed as
`delta.content`); its tier, confidence and citations are in the extra field `rag` of the
completion (of the last chunk when streaming): see `answer_payload` and the README.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware

from api.auth import ApiGuard
from api.errors import openai_error
from rag.question.cleaning import QuestionError, clean_question
from rag.schema import Answer, AnswerStream
from service.live import Service

logger = logging.getLogger(__name__)

MODEL_ID = "arabic-news-rag"
EXTRA_FIELD = "rag"
MAX_TOP_K = 20
# A call waits this long for one of the app's answering slots before it is told to retry.
SLOT_WAIT_SECONDS = 60
BUSY = "The assistant is busy; retry shortly."


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The extra field: what the answer text alone does not say."""
    data = answer.to_json()
    keys = ("tier", "confidence", "language", "refused", "mode", "citations", "notices")
    payload = {key: data[key] for key in keys}
    payload["unsupported_sentences"] = data["unsupported_sentences"]
    payload["evidence"] = [{"text": s.text, "markers": list(s.markers)} for s in answer.evidence]
    return payload


def _text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        ]
        return "\n".join(parts)
    return ""


def _question(body: dict[str, Any]) -> tuple[str, list[str]]:
    """The last user message is the question; the user messages before it are its history."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        raise ValueError("`messages` must be a list of messages")
    asked = [
        _text_of(m.get("content"))
        for m in messages
        if isinstance(m, dict) and m.get("role") == "user"
    ]
    if not asked:
        raise ValueError("`messages` holds no user message")
    return asked[-1], [text for text in asked[:-1] if text.strip()]


class ChatCompletions:
    """`POST /v1/chat/completions` over the live pipeline, at most `app_concurrency` at once."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._slots = threading.BoundedSemaphore(max(1, service.settings.server.concurrency))

    def _request(self, body: Any) -> tuple[str, list[str], dict[str, Any]]:
        """The question, its history and the answer options; ValueError or QuestionError."""
        if not isinstance(body, dict):
            raise ValueError("the request body must be a JSON object")
        question, history = _question(body)
        clean_question(question, self.service.settings.answer.max_question_chars)
        k = body.get("top_k")
        k = min(MAX_TOP_K, max(1, int(k))) if isinstance(k, int | float) else None
        mode = body.get("mode") if body.get("mode") in {"extractive", "llm"} else None
        return question, history, {"k": k, "mode": mode}

    async def create(self, request: Request) -> Any:
        try:
            body = await request.json()
            question, history, options = self._request(body)
        except QuestionError as error:
            return openai_error(400, str(error), "invalid_question")
        except ValueError as error:  # json.JSONDecodeError is one
            return openai_error(400, str(error), "invalid_request")
        model = str(body.get("model") or MODEL_ID)
        if body.get("stream"):
            envelope = _envelope(model, "chat.completion.chunk")
            events = self._events(question, history, options, envelope)
            return StreamingResponse(events, media_type="text/event-stream")
        answer = await run_in_threadpool(self._ask, question, history, options)
        if answer is None:
            return openai_error(503, BUSY, "busy", "server_error")
        completion = _envelope(model, "chat.completion")
        message = {"role": "assistant", "content": answer.text}
        completion["choices"] = [{"index": 0, "message": message, "finish_reason": "stop"}]
        completion[EXTRA_FIELD] = answer_payload(answer)
        return JSONResponse(completion)

    def _ask(self, question: str, history: list[str], options: dict[str, Any]) -> Answer | None:
        """The answer, or None when no answering slot came free in time."""
        if not self._slots.acquire(timeout=SLOT_WAIT_SECONDS):
            return None
        try:
            return self.service.pipeline.ask(question, history, **options)
        finally:
            self._slots.release()

    def _events(
        self, question: str, history: list[str], options: dict[str, Any], envelope: dict[str, Any]
    ) -> Iterator[str]:
        """Server-sent events: the role, each text delta, then the finish with the extra field."""

        def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            data = {**envelope, "choices": [choice], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        if not self._slots.acquire(timeout=SLOT_WAIT_SECONDS):
            yield _error_event(BUSY)
            return
        try:
            yield event({"role": "assistant", "content": ""})
            relayed = AnswerStream(self.service.pipeline.stream(question, history, **options))
            for delta in relayed:
                yield event({"content": delta})
            yield event({}, "stop", **{EXTRA_FIELD: answer_payload(relayed.answer)})
        except Exception:
            logger.exception("a streamed completion failed")
            yield _error_event("Answering failed; please try again.")
        finally:
            self._slots.release()
        yield "data: [DONE]\n\n"


def _error_event(message: str) -> str:
    return f"data: {json.dumps({'error': {'message': message, 'type': 'server_error'}})}\n\n"


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
    return router


def app_kwargs(service: Service) -> dict[str, Any]:
    """What `gr.Blocks.launch(app_kwargs=...)` needs to serve the API on the app's own port."""
    return {
        "routes": list(api_router(service).routes),
        "middleware": [Middleware(ApiGuard, settings=service.settings)],
    }
