"""The OpenAI-compatible endpoint and the API key guard, over a stand-in pipeline with the real
one's interface (no model): the conversation as `Turn`s, both response shapes with the documented
`rag` field, Markdown-safe text, and who may call."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from api.openai import EXTRA_FIELD, app_kwargs
from rag.config import Settings
from rag.schema import Turn
from tests.api.stand_in import TEXT, Call, StandInPipeline, StandInService


def _client(pipeline: StandInPipeline | None = None, **settings: Any):
    service = StandInService(Settings.of(**settings), pipeline)
    return TestClient(FastAPI(**app_kwargs(service))), service  # type: ignore[arg-type]


def _ask(client: TestClient, **body: Any) -> Any:
    payload = {"model": "anything", "messages": [{"role": "user", "content": "من استقبل؟"}]}
    return client.post("/v1/chat/completions", json={**payload, **body})


def _events(client: TestClient, body: dict[str, Any]) -> list[str]:
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        return [line[6:] for line in response.iter_lines() if line.startswith("data: ")]


CONVERSATION = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "من استقبل الشيباني؟"},
    {"role": "assistant", "content": "بوتين"},
    {"role": "user", "content": "Where?"},
    {
        "role": "user",
        "content": [{"type": "text", "text": "ومتى"}, {"type": "text", "text": "ذلك؟"}],
    },
]


def test_completion_carries_the_answer_and_the_rag_field():
    client, _service = _client()
    body = {"model": "gpt-4o", "messages": CONVERSATION, "top_k": 50, "temperature": 0.2}
    response = client.post("/v1/chat/completions", json=body)
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


def test_the_conversation_reaches_the_pipeline_as_turns():
    """Each earlier user message with the reply that followed it is a Turn (a question left
    unanswered too); the system message is not part of it; top_k is bounded."""
    client, service = _client()
    client.post("/v1/chat/completions", json={"messages": CONVERSATION, "top_k": 50})
    history = (Turn("من استقبل الشيباني؟", "بوتين"), Turn("Where?", ""))
    assert service.pipeline.calls == [Call("ومتى\nذلك؟", history, 20, None)]


def test_a_streamed_conversation_reaches_the_pipeline_as_turns_too():
    client, service = _client()
    events = _events(client, {"messages": CONVERSATION, "stream": True, "mode": "llm"})
    assert events[-1] == "[DONE]"
    history = (Turn("من استقبل الشيباني؟", "بوتين"), Turn("Where?", ""))
    assert service.pipeline.calls == [Call("ومتى\nذلك؟", history, None, "llm")]


def test_streamed_completion_sends_deltas_then_the_rag_field():
    client, _ = _client()
    events = _events(
        client, {"messages": [{"role": "user", "content": "من استقبل؟"}], "stream": True}
    )
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == f"بحسب المقالات:\n- {TEXT} [1]"
    assert len([c for c in chunks if c["choices"][0]["delta"].get("content")]) == 2  # in parts
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1][EXTRA_FIELD]["citations"][0]["chunk_id"] == "a:0-34"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)


HOSTILE_TITLE = "<img src=x onerror=alert(1)> [click](javascript:alert(2))"
HOSTILE_TEXT = "قال <script>alert(1)</script> و ![x](http://127.0.0.1:9/p.png) `code` *هنا*."


def _rendered_text(markdown: str) -> str:
    """What a CommonMark renderer shows for `markdown`, checked to hold no HTML element but the
    paragraphs and the list it makes."""
    html = MarkdownIt("commonmark").render(markdown)
    assert set(re.findall(r"</?([a-z]+)", html)) <= {"p", "ul", "li"}, html
    text = re.sub(r"<[^>]+>", "", html)
    return "\n".join(line for line in unescape(text).splitlines() if line.strip())


def test_article_text_and_titles_reach_clients_escaped_for_markdown():
    """Chat front-ends render `content` as Markdown: an article's HTML, links and images are
    shown as text, streamed or not, while the answer's own markers stay [n]."""
    client, _ = _client(StandInPipeline(text=HOSTILE_TEXT, title=HOSTILE_TITLE))
    body = _ask(client).json()
    content = body["choices"][0]["message"]["content"]
    assert _rendered_text(content) == f"بحسب المقالات:\n{HOSTILE_TEXT} [1]"
    title = body[EXTRA_FIELD]["citations"][0]["title"]
    assert _rendered_text(title) == HOSTILE_TITLE
    events = _events(client, {"messages": [{"role": "user", "content": "من؟"}], "stream": True})
    chunks = [json.loads(event) for event in events[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == content
    assert chunks[-1][EXTRA_FIELD]["citations"][0]["title"] == title


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


def test_the_api_description_needs_the_key_like_the_api():
    client, _ = _client(api_key="s3cret")
    assert client.get("/openapi.json").status_code == 401
    allowed = client.get("/openapi.json", headers={"Authorization": "Bearer s3cret"})
    assert allowed.status_code == 200 and "/v1/chat/completions" in allowed.json()["paths"]
    closed, _ = _client(app_username="u", app_password="p")
    assert closed.get("/openapi.json").status_code == 401


def test_a_non_ascii_bearer_token_is_refused_not_crashed():
    client, service = _client(api_key="s3cret")
    for token in ("é".encode("latin-1"), "مفتاح".encode(), b"\xff\xfe"):
        response = client.post(
            "/v1/chat/completions",
            headers=[(b"authorization", b"Bearer " + token)],
            json={"messages": [{"role": "user", "content": "من استقبل؟"}]},
        )
        assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"
    assert service.pipeline.calls == []


def test_with_a_login_and_no_key_the_api_stays_closed():
    client, service = _client(app_username="u", app_password="p")
    response = _ask(client)
    assert response.status_code == 401 and "RAG_API_KEY" in response.json()["error"]["message"]
    assert client.post("/gradio_api/mcp/", json={}).status_code == 401
    assert service.pipeline.calls == []


def test_without_login_or_key_the_api_is_open_like_the_chat():
    client, _ = _client()
    assert client.get("/v1/models").json()["data"][0]["id"] == "arabic-news-rag"


class _Broken(StandInPipeline):
    def ask(self, question: str, history: Any = (), *, k: Any = None, mode: Any = None) -> Any:
        raise RuntimeError("the index went away")


def test_an_unexpected_failure_answers_in_the_openai_shape_with_json():
    client, _ = _client(_Broken())
    response = _ask(client)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["type"] == "server_error"
    assert "index" not in response.text  # the cause stays in the server's log
    events = _events(client, {"messages": [{"role": "user", "content": "من؟"}], "stream": True})
    assert json.loads(events[-2])["error"]["type"] == "server_error" and events[-1] == "[DONE]"


def test_unknown_paths_and_methods_answer_in_the_openai_shape():
    client, _ = _client()
    missing = client.post("/v1/embeddings", json={})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_url"
    wrong = client.get("/v1/chat/completions")
    assert wrong.status_code == 405 and wrong.json()["error"]["message"] == "Use POST here."


def test_filters_field_restricts_by_dates_and_outlets_and_a_bad_one_is_refused():
    client, service = _client()
    filters = {"date_from": "2025-07", "date_to": "2025-07-15", "outlets": ["سانا"]}
    assert _ask(client, filters=filters).status_code == 200
    within = service.pipeline.calls[-1].filters
    assert within is not None
    assert within.window.iso() == "2025-07-01/2025-07-15" and within.outlets == ("سانا",)
    assert _ask(client).status_code == 200 and service.pipeline.calls[-1].filters is None
    for bad in ({"date_from": "next blue moon"}, {"outlets": 3}, {"when": "2025"}, "2025"):
        response = _ask(client, filters=bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid_request"
        assert response.json()["error"]["param"].startswith("filters")
    # The reason is given in the question's language (here Arabic).
    refused = _ask(client, filters={"date_to": "غداً"}).json()["error"]["message"]
    assert "تعذّرت قراءة التاريخ" in refused
