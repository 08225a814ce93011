"""The OpenAI-compatible endpoint and the API key guard, over a stand-in pipeline (no model):
request parsing, both response shapes with the documented `rag` field, and who may call."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.openai import EXTRA_FIELD, app_kwargs
from corpus import Chunk, Span
from rag.config import Settings
from rag.schema import Answer, AnswerChunk, AnswerSentence, Citation, Passage, answer_deltas

TEXT = "استقبل بوتين الشيباني في الكرملين."


def _answer(question: str) -> Answer:
    chunk = Chunk("a:0-34", "a", "لقاء", TEXT, 0, len(TEXT))
    return Answer(
        question=question,
        language="ar",
        lead="بحسب المقالات:",
        sentences=[AnswerSentence(TEXT, (1,))],
        citations=[Citation(1, Passage(chunk, 0.9), Span(0, len(TEXT), TEXT), 0.93)],
        confidence=0.81,
    )


class _Pipeline:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def ask(self, question, history=(), *, k=None, mode=None) -> Answer:
        self.calls.append((question, list(history), k, mode))
        return _answer(question)

    def stream(self, question, history=(), *, k=None, mode=None):
        self.calls.append((question, list(history), k, mode))
        answer = _answer(question)
        yield from answer_deltas(answer)
        yield AnswerChunk(answer=answer)


class _Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = _Pipeline()


def _client(**settings) -> tuple[TestClient, _Service]:
    service = _Service(Settings.of(**settings))
    return TestClient(FastAPI(**app_kwargs(service))), service  # type: ignore[arg-type]


def _ask(client: TestClient, **body) -> object:
    payload = {"model": "anything", "messages": [{"role": "user", "content": "من استقبل؟"}]}
    return client.post("/v1/chat/completions", json={**payload, **body})


def test_completion_carries_the_answer_and_the_rag_field():
    client, service = _client()
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "من استقبل الشيباني؟"},
        {"role": "assistant", "content": "بوتين"},
        {"role": "user", "content": [{"type": "text", "text": "ومتى؟"}]},
    ]
    response = client.post(
        "/v1/chat/completions", json={"model": "gpt-4o", "messages": messages, "top_k": 50}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "gpt-4o"
    assert body["choices"][0]["message"] == {
        "role": "assistant",
        "content": f"بحسب المقالات:\n- {TEXT} [1]",
    }
    assert body["choices"][0]["finish_reason"] == "stop"
    extra = body[EXTRA_FIELD]
    assert extra["tier"] == "answer" and extra["confidence"] == 0.81 and not extra["refused"]
    assert extra["citations"][0]["marker"] == 1 and extra["citations"][0]["article_id"] == "a"
    assert extra["citations"][0]["sentence"] == TEXT
    # The last user message is asked, the earlier ones are its history; top_k is bounded.
    assert service.pipeline.calls == [("ومتى؟", ["من استقبل الشيباني؟"], 20, None)]


def test_streamed_completion_sends_deltas_then_the_rag_field():
    client, _ = _client()
    with client.stream(
        "POST",
        "/v1/chat/completions",
        json={
            "messages": [{"role": "user", "content": "من استقبل؟"}],
            "stream": True,
        },
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line[6:] for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == f"بحسب المقالات:\n- {TEXT} [1]"
    assert len([c for c in chunks if c["choices"][0]["delta"].get("content")]) == 2  # in parts
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1][EXTRA_FIELD]["citations"][0]["chunk_id"] == "a:0-34"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"messages": [{"role": "user", "content": "   "}]}, "invalid_question"),
        ({"messages": [{"role": "system", "content": "hi"}]}, "invalid_request"),
        ({"messages": "hello"}, "invalid_request"),
    ],
)
def test_bad_requests_get_openai_style_errors(body, code):
    client, service = _client()
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert service.pipeline.calls == []


def test_an_api_key_is_required_once_set():
    client, _ = _client(api_key="s3cret")
    assert _ask(client).status_code == 401
    assert _ask(client, stream=False).json()["error"]["type"] == "authentication_error"
    wrong = client.post("/v1/chat/completions", headers={"Authorization": "Bearer nope"}, json={})
    assert wrong.status_code == 401
    right = client.post(
        "/v1/chat/completions",
        headers={"Authorization": "Bearer s3cret"},
        json={"messages": [{"role": "user", "content": "من استقبل؟"}]},
    )
    assert right.status_code == 200
    assert client.get("/v1/models").status_code == 401
    assert client.post("/gradio_api/mcp/", json={}).status_code == 401


def test_with_a_login_and_no_key_the_api_stays_closed():
    client, service = _client(app_username="u", app_password="p")
    response = _ask(client)
    assert response.status_code == 401 and "RAG_API_KEY" in response.json()["error"]["message"]
    assert client.post("/gradio_api/mcp/", json={}).status_code == 401
    assert service.pipeline.calls == []


def test_without_login_or_key_the_api_is_open_like_the_chat():
    client, _ = _client()
    assert client.get("/v1/models").json()["data"][0]["id"] == "arabic-news-rag"
