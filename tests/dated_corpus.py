"""A small corpus of dated articles from two outlets, and two undated ones, for the filter
tests (`tests/embeddings/index/test_filters.py`, `tests/rag/retrieval/test_filters.py`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from embeddings.index.backends import IndexTarget
from embeddings.index.milvus.connection import release_local
from embeddings.ingest.incremental import ingest
from embeddings.model.embedder import Embedder
from tests.conftest import build_milvus

ARTICLES = [
    {
        "id": "sana-1",
        "date": "2025-07-10",
        "outlet": "سانا",
        "url": "https://sana.sy/1",
        "text": "استقبل وزير الخارجية السوري نظيره الروسي في دمشق وبحثا التعاون الاقتصادي.",
    },
    {
        "id": "sana-2",
        "date": "2025-07-20",
        "outlet": "سانا",
        "url": "https://sana.sy/2",
        "text": "وقعت سوريا وروسيا اتفاقاً لإعادة إعمار محطات الكهرباء في حلب.",
    },
    {
        "id": "reuters-1",
        "date": "2025-08-03",
        "outlet": "رويترز",
        "text": "قال مسؤول روسي إن المحادثات مع دمشق حول القواعد العسكرية ستستمر.",
    },
    {"id": "undated-july", "text": "التقى الشيباني بوتين يوم الخميس 31 من تموز في الكرملين."},
    {"id": "undated-2015", "text": "بدأت روسيا تدخلها العسكري في سوريا في 30 من أيلول 2015."},
]


def write_corpus(folder: Path) -> Path:
    lines = [json.dumps({"title": None, **a}, ensure_ascii=False) for a in ARTICLES]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@contextmanager
def dated_index(
    backend: str, corpus: Path, folder: Path, embedder: Embedder
) -> Iterator[IndexTarget]:
    """The corpus indexed by the real ingest on `backend` ("faiss" or "milvus")."""
    if backend == "faiss":
        ingest(corpus, folder, embedder)
        yield IndexTarget("faiss", folder)
        return
    uri = build_milvus(folder, embedder, embedder.embed_passages, corpus)
    try:
        yield IndexTarget("milvus", folder)
    finally:
        release_local(uri)
