"""The assistant's tools for Gradio's MCP server (`launch(mcp_server=True)`): `ask` and
`search`, registered with `gr.api` inside the app's Blocks. They answer outside Gradio's queue
(`queue=False`), which Gradio's MCP server calls in-process, so they work behind the login too
(the MCP path itself asks for the API key: `ui.api.ApiGuard`). Every other endpoint of the app is
private, so these two are the only tools."""

from __future__ import annotations

import json

import gradio as gr

from ui.api import MAX_TOP_K, answer_payload
from ui.service import Service


def _k(top_k: int) -> int:
    return min(MAX_TOP_K, max(1, int(top_k)))


def register_tools(service: Service) -> None:
    """Add the `ask` and `search` tools to the Blocks being built."""

    def ask(question: str, top_k: int = 5) -> str:
        """Answer a question about the Arabic news articles, in Arabic or English, from the
        articles alone: a JSON object with the answer text (`answer`, each sentence citing its
        passage as [n]), its tier ("answer", "related" or "refused"), its confidence and its
        citations (article, passage and supporting sentence of each [n]).

        Args:
            question: The question, in Arabic or English.
            top_k: How many passages to retrieve before answering (1-20).
        """
        answer = service.pipeline.ask(question, k=_k(top_k))
        result = {"answer": answer.text, **answer_payload(answer)}
        return json.dumps(result, ensure_ascii=False)

    def search(query: str, top_k: int = 5) -> str:
        """Search the Arabic news articles (dense and BM25 retrieval, fused) and return the best
        passages as a JSON list, each with its article id, title, text and score.

        Args:
            query: What to search for, in Arabic or English.
            top_k: How many passages to return (1-20).
        """
        pipeline = service.pipeline
        found = pipeline.search.search(pipeline.read(query), _k(top_k))
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

    gr.api(ask, api_name="ask", queue=False)
    gr.api(search, api_name="search", queue=False)
