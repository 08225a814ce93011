"""The LLM path against a real llama.cpp server (`llama_server`), beside the fake endpoint's
tests: a two-turn conversation in LLM mode through the app's own API, streamed, with the real
`openai` client. The tiny base model may or may not cite a passage; either way the answer is
grounded: the model's cited sentences, or the extractive answer with a notice that says the model
replied but its reply could not be used, never that it "could not be reached"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionChunk

from rag.messages import message
from tests.rag.answer.llm.llama_server import assembled_gguf, llama_server
from tests.serving.app_thread import Served, app_folders, serve_app

pytestmark = pytest.mark.slow

# A base model of 270M parameters on two shared cores: a few tokens a second.
REPLY_TOKENS = 48
REPLY_SECONDS = 300


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory, embedder, seed_index) -> Iterator[Served]:
    gguf = assembled_gguf(tmp_path_factory.mktemp("gguf"))
    with llama_server(gguf) as base_url:
        index_dir, corpus_dir = app_folders(tmp_path_factory.mktemp("llm-app"), seed_index)
        app = serve_app(
            index_dir,
            corpus_dir,
            embedder,
            llm_base_url=base_url,
            llm_model="gemma-3-270m",
            llm_timeout=REPLY_SECONDS,
            llm_max_tokens=REPLY_TOKENS,
        )
        try:
            yield app
        finally:
            app.close()


def _streamed(app: Served, messages: list[dict[str, str]]) -> tuple[list[str], dict[str, Any]]:
    client = openai.OpenAI(base_url=f"{app.url}v1", api_key="unused", max_retries=0, timeout=900)
    chunks: list[ChatCompletionChunk] = list(
        client.chat.completions.create(
            model="arabic-news-rag",
            messages=messages,  # type: ignore[arg-type]
            stream=True,
            extra_body={"mode": "llm", "top_k": 2},
        )
    )
    parts = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    return [part for part in parts if part], (chunks[-1].model_extra or {})["rag"]


def _grounded(rag: dict[str, Any], language: str) -> None:
    print(f"\nllama.cpp ({language}): mode {rag['mode']}, tier {rag['tier']}, {rag['notices']}")
    unreachable = message("llm_reason_unreachable", language)  # type: ignore[arg-type]
    assert not any(unreachable in notice for notice in rag["notices"]), rag["notices"]
    if rag["mode"] == "llm":
        assert rag["citations"] or rag["refused"]
        return
    replied = {
        message("llm_fallback_replied", language, reason=message(f"llm_reason_{r}", language))  # type: ignore[arg-type]
        for r in ("uncited", "invalid", "empty", "interrupted")
    }
    assert rag["mode"] == "extractive" and set(rag["notices"]) & replied, rag["notices"]
    assert rag["citations"]


def test_a_conversation_in_llm_mode_against_a_real_llama_cpp_server(llm_app: Served) -> None:
    question = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"
    parts, rag = _streamed(llm_app, [{"role": "user", "content": question}])
    assert len(parts) >= 2 and rag["language"] == "ar"
    _grounded(rag, "ar")
    follow_up = [
        {"role": "user", "content": question},
        {"role": "assistant", "content": "".join(parts)},
        {"role": "user", "content": "When did he arrive in Moscow?"},
    ]
    parts, rag = _streamed(llm_app, follow_up)
    assert len(parts) >= 2 and rag["language"] == "en"
    _grounded(rag, "en")
