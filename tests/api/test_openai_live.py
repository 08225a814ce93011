"""The running app as other tools see it: the real `openai` client on /v1/chat/completions
(streaming and not), the MCP server's tools through the real `mcp` client, and both behind the
login and API key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionChunk

from rag.messages import message
from tests.serving.app_thread import app_folders, serve_app

pytestmark = pytest.mark.slow

AR_QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
KEY = "test-key-7f3a"


def _client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}v1", api_key=key, max_retries=0, timeout=120)


async def _mcp(url: str, headers: dict | None = None, call: tuple | None = None):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with (
        streamablehttp_client(f"{url}gradio_api/mcp/", headers=headers) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = await session.list_tools()
        result = await session.call_tool(*call) if call else None
        return tools.tools, result


def test_the_openai_client_gets_the_answer_and_its_citations(served):
    client = _client(served.url)
    completion = client.chat.completions.create(
        model="any-name-at-all", messages=[{"role": "user", "content": AR_QUESTION}]
    )
    content = completion.choices[0].message.content
    # The lead of a tier that states the answer: "according to (N) articles" or "most likely".
    assert content.startswith(("بحسب ", message("likely", "ar"))), content
    assert "بوتين" in content and "[1]" in content
    assert completion.model == "any-name-at-all"
    extra = completion.model_extra["rag"]
    assert extra["tier"] in ("answer", "likely") and "confidence" in extra
    assert 0.0 <= extra["confidence"] <= 1.0  # the shipped calibration gives every answer one
    assert {c["marker"] for c in extra["citations"]} >= {1}
    assert all(c["sentence"] in c["text"] for c in extra["citations"])


def test_the_openai_client_streams_the_answer_in_parts(served):
    stream = _client(served.url).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": AR_QUESTION}], stream=True
    )
    chunks = list(stream)
    parts = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(parts) >= 2 and "".join(parts).startswith(("بحسب ", message("likely", "ar")))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["rag"]["citations"]


def test_the_mcp_server_offers_ask_and_search_only(served):
    tools, result = asyncio.run(
        _mcp(served.url, call=("search", {"query": "الكرملين", "top_k": 3}))
    )
    assert sorted(tool.name for tool in tools) == ["ask", "search"]
    ask = next(tool for tool in tools if tool.name == "ask")
    assert "question" in ask.inputSchema["properties"] and ask.description
    passages = json.loads(result.content[0].text)
    assert len(passages) == 3 and all("الكرملين" in p["text"] or p["title"] for p in passages)
    _, answered = asyncio.run(_mcp(served.url, call=("ask", {"question": AR_QUESTION})))
    answer = json.loads(answered.content[0].text)
    assert "بوتين" in answer["answer"] and answer["citations"]
    assert answer["tier"] in ("answer", "likely")


@pytest.fixture(scope="module")
def locked(tmp_path_factory, embedder, seed_index) -> Iterator:
    index_dir, corpus_dir = app_folders(tmp_path_factory.mktemp("locked"), seed_index)
    app = serve_app(
        index_dir, corpus_dir, embedder, app_username="reader", app_password="pw", api_key=KEY
    )
    try:
        yield app
    finally:
        app.close()


def test_with_a_login_the_api_and_mcp_need_the_key(locked):
    with pytest.raises(openai.AuthenticationError):
        _client(locked.url, "wrong").chat.completions.create(
            model="m", messages=[{"role": "user", "content": AR_QUESTION}]
        )
    completion = _client(locked.url, KEY).chat.completions.create(
        model="m", messages=[{"role": "user", "content": AR_QUESTION}]
    )
    assert "بوتين" in completion.choices[0].message.content
    refused = httpx.post(f"{locked.url}gradio_api/mcp/", json={}, timeout=30)
    assert refused.status_code == 401
    headers = {"Authorization": f"Bearer {KEY}"}
    tools, result = asyncio.run(_mcp(locked.url, headers, call=("ask", {"question": AR_QUESTION})))
    assert sorted(tool.name for tool in tools) == ["ask", "search"]
    assert "بوتين" in json.loads(result.content[0].text)["answer"]  # answered behind the login
    # The chat itself still asks for its login.
    assert httpx.get(f"{locked.url}gradio_api/login_check", timeout=30).status_code == 401


CONVERSATIONS = {
    "ar": [
        "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟",
        "ماذا بحثا خلال اللقاء؟",
        "متى كان ذلك؟",
    ],
    "en": [
        "Who received the Syrian foreign minister al-Shaibani in the Kremlin?",
        "What did they discuss?",
        "When did he visit Moscow?",
    ],
}
# Words of the meeting's sentences: a follow-up that stays on the topic cites one of them.
ON_TOPIC = ("الشيباني", "بوتين", "الكرملين", "موسكو", "اللقاء")


def _turn(client: openai.OpenAI, messages: list[Any], stream: bool) -> tuple[str, dict]:
    if not stream:
        completion = client.chat.completions.create(model="m", messages=messages)
        return completion.choices[0].message.content or "", (completion.model_extra or {})["rag"]
    chunks: list[ChatCompletionChunk] = list(
        client.chat.completions.create(model="m", messages=messages, stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, (chunks[-1].model_extra or {})["rag"]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_three_turn_conversation_answers_its_follow_ups(served, language, stream):
    """A chat app sends the whole conversation each time (issue 25: every follow-up failed
    with a 500): each turn is answered in its own language, on the first question's topic."""
    client = _client(served.url)
    messages: list[Any] = []
    for question in CONVERSATIONS[language]:
        messages.append({"role": "user", "content": question})
        text, extra = _turn(client, messages, stream)
        assert extra["language"] == language and extra["tier"] != "refused", (question, text)
        sentences = " ".join(c["sentence"] for c in extra["citations"])
        assert any(word in sentences for word in ON_TOPIC), (question, sentences)
        messages.append({"role": "assistant", "content": text})


def test_the_mcp_ask_tool_answers_a_follow_up(served):
    first = CONVERSATIONS["ar"][0]
    _, answered = asyncio.run(_mcp(served.url, call=("ask", {"question": first})))
    answer = json.loads(answered.content[0].text)
    follow_up = {
        "question": "متى كان ذلك؟",
        "previous_question": first,
        "previous_answer": answer["answer"],
    }
    _, result = asyncio.run(_mcp(served.url, call=("ask", follow_up)))
    reply = json.loads(result.content[0].text)
    assert reply["tier"] != "refused" and reply["language"] == "ar"
    assert any(w in c["sentence"] for c in reply["citations"] for w in ON_TOPIC)
