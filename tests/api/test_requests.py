"""Requests are parsed into typed records at the edge: the conversation becomes `Turn`s, and
every malformed body (issue 23 #10) is a 400 in OpenAI's error shape with a JSON body, through
the real ASGI app, never a 500 or a reset connection."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.openai import app_kwargs
from api.requests import MAX_TOP_K, Message, RequestError, conversation, parse_request
from rag.config import Settings
from rag.schema import Turn
from tests.api.stand_in import StandInService

USER = '{"role": "user", "content": "من استقبل الشيباني؟"}'


def _body(**fields: str) -> bytes:
    parts = {"messages": f"[{USER}]", **fields}
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in parts.items()) + "}").encode()


MALFORMED = {
    "text part is an int": _body(
        messages='[{"role": "user", "content": [{"type": "text", "text": 5}]}]'
    ),
    "text part is null": _body(
        messages='[{"role": "user", "content": [{"type": "text", "text": null}]}]'
    ),
    "text part is a list": _body(
        messages='[{"role": "user", "content": [{"type": "text", "text": ["a"]}]}]'
    ),
    "an image part": _body(
        messages='[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]'
    ),
    "mode is a list": _body(mode='["llm"]'),
    "mode is unknown": _body(mode='"creative"'),
    "top_k is Infinity": _body(top_k="Infinity"),
    "top_k is 1e400": _body(top_k="1e400"),
    "top_k is NaN": _body(top_k="NaN"),
    "top_k is a fraction": _body(top_k="2.5"),
    "top_k is zero": _body(top_k="0"),
    "a lone surrogate": _body(messages='[{"role": "user", "content": "\\ud800 من؟"}]'),
    "nested 1000 deep": _body(extra="[" * 1000 + "]" * 1000),
    "stream is a string": _body(stream='"false"'),
    "stream is a number": _body(stream="1"),
    "messages is a string": _body(messages='"hello"'),
    "messages is empty": _body(messages="[]"),
    "a tool message": _body(messages=f'[{USER}, {{"role": "tool", "content": "42"}}, {USER}]'),
    "an unknown role": _body(messages='[{"role": "narrator", "content": "x"}, ' + USER + "]"),
    "no user message": _body(messages='[{"role": "system", "content": "hi"}]'),
    "ends with the assistant": _body(messages=f'[{USER}, {{"role": "assistant", "content": "x"}}]'),
    "role is missing": _body(messages='[{"content": "x"}]'),
    "the body is a list": b"[1, 2]",
    "the body is not JSON": b"{'messages': []}",
    "the body is not UTF-8": b'{"messages": "\xff"}',
    "an empty body": b"",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_is_a_400_in_the_openai_shape(body: bytes) -> None:
    service = StandInService(Settings())
    client = TestClient(FastAPI(**app_kwargs(service)))  # type: ignore[arg-type]
    response = client.post(
        "/v1/chat/completions", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert service.pipeline.calls == []


def test_each_parse_error_names_what_is_wrong() -> None:
    with pytest.raises(RequestError, match="stream") as error:
        parse_request(_body(stream='"false"'))
    assert error.value.param == "stream"
    with pytest.raises(RequestError, match="role 'tool'"):
        parse_request(MALFORMED["a tool message"])
    with pytest.raises(RequestError, match="not valid JSON"):
        parse_request(MALFORMED["nested 1000 deep"])


def test_a_well_formed_request_is_read_into_typed_fields() -> None:
    asked = parse_request(_body(stream="true", top_k="1000", mode='"llm"', temperature="0.3"))
    assert (asked.stream, asked.k, asked.mode, asked.model) == (
        True,
        MAX_TOP_K,
        "llm",
        "arabic-news-rag",
    )
    assert asked.question == "من استقبل الشيباني؟" and asked.history == ()


def _messages(*pairs: tuple[str, str]) -> list[Message]:
    return [Message(role=role, content=content) for role, content in pairs]


def test_the_conversation_pairs_each_question_with_the_reply_that_followed() -> None:
    question, history = conversation(
        _messages(
            ("developer", "answer in Arabic"),
            ("assistant", "Hello! Ask me about the news."),  # a greeting answers no question
            ("user", "Who met al-Shaibani?"),
            ("assistant", "Putin [1]"),
            ("system", "be brief"),
            ("user", "  "),  # an empty message is not a question
            ("user", "What did they discuss?"),
            ("assistant", "reconstruction"),
            ("user", "And when?"),
        )
    )
    assert question == "And when?"
    assert history == (
        Turn("Who met al-Shaibani?", "Putin [1]"),
        Turn("What did they discuss?", "reconstruction"),
    )


def test_json_answers_carry_no_lone_surrogates() -> None:
    """What a client sent is never echoed back as invalid UTF-8 (the encoder would fail)."""
    with pytest.raises(RequestError):
        parse_request(json.dumps({"messages": [{"role": "user", "content": "\ud800"}]}).encode())
