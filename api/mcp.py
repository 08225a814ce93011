"""The assistant's MCP tools, `ask` and `search`, as plain typed functions over the application.

The page registers them with Gradio's MCP server (`ui.layout`, `gr.api(..., queue=False)`), which
reads their signatures and docstrings as the tools' schemas and calls them in-process, so they
work behind the login too (the MCP path itself asks for the API key: `api.auth.ApiGuard`). Every
other endpoint of the app is private, so these two are the only tools.

A follow-up ("when did he visit Moscow?") names the exchange before it, as the chat and the
OpenAI endpoint do: `previous_question` and `previous_answer` become one `rag.schema.Turn`."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from api.openai import answer_content, answer_payload
from api.requests import MAX_TOP_K
from rag.question.cleaning import QuestionError
from rag.schema import Turn
from service.live import Service

DEFAULT_K = 5


def _k(top_k: float) -> int:
    number = float(top_k) if isinstance(top_k, int | float) else math.nan
    return min(MAX_TOP_K, max(1, int(number))) if math.isfinite(number) else DEFAULT_K


def mcp_tools(service: Service) -> list[Callable[..., str]]:
    """The `ask` and `search` tools over the live service; each tool's name is its own."""

    def ask(
        question: str,
        top_k: int = DEFAULT_K,
        previous_question: str = "",
        previous_answer: str = "",
    ) -> str:
        """Answer a question about the Arabic news articles, in Arabic or English, from the
        articles alone: a JSON object with the answer text (`answer`, each sentence citing its
        passage as [n]), its tier ("answer", "likely", "related" or "refused"), its confidence
        and its citations (article, passage and supporting sentence of each [n]).

        Args:
            question: The question, in Arabic or English.
            top_k: How many passages to retrieve before answering (1-20).
            previous_question: For a follow-up ("when did he visit?"), the question asked before.
            previous_answer: For a follow-up, the answer the previous question got.
        """
        history = (Turn(previous_question, previous_answer),) if previous_question.strip() else ()
        try:
            answer = service.pipeline.ask(question, history, k=_k(top_k))
        except QuestionError as error:
            return json.dumps({"error": str(error)}, ensure_ascii=False)
        result = {"answer": answer_content(answer), **answer_payload(answer)}
        return json.dumps(result, ensure_ascii=False)

    def search(query: str, top_k: int = DEFAULT_K) -> str:
        """Search the Arabic news articles (dense and BM25 retrieval, fused) and return the best
        passages as a JSON list, each with its article id, title, text and score.

        Args:
            query: What to search for, in Arabic or English.
            top_k: How many passages to return (1-20).
        """
        pipeline = service.pipeline
        try:
            found = pipeline.search.search(pipeline.read(query), _k(top_k))
        except QuestionError as error:
            return json.dumps({"error": str(error)}, ensure_ascii=False)
        passages = [
            {
                "article_id": p.chunk.article_id,
                "chunk_id": p.chunk.id,
                "title": p.chunk.title,
                "text": p.chunk.text,
                "score": round(p.score, 6),
            }
            for p in found.passages
        ]
        return json.dumps(passages, ensure_ascii=False)

    return [ask, search]
