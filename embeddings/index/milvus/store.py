"""Rows, state and manifest of a Milvus index.

Milvus has no transactions. A write marks the index "writing" (with the ids of the articles it
will rewrite, stored first), deletes and inserts rows, then commits: the article table and the
manifest (which holds the table's sha256) go in under a new generation, and one upsert of the
state row ("ready", that generation, the manifest's sha256 and the row counts) is the commit
point. The article table is stored apart from the manifest, as in the FAISS backend
(`embeddings/index/articles.py`), and its records are parsed only when read. A reader refuses a store that is not "ready";
the next ingest repairs it by rewriting the articles the interrupted write named.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from corpus import Chunk, search_tokens
from embeddings.index.articles import decode_articles, encode_articles
from embeddings.index.manifest import (
    RECOVERY,
    IndexCorruptError,
    Manifest,
    decode_manifest,
    encode_manifest,
    manifest_checksum,
)
from embeddings.index.milvus.collections import MAX_ID, MAX_VARCHAR, STRONG, Collections
from embeddings.index.milvus.engine import Engine
from embeddings.index.protocol import Rows

BATCH = 1_000  # rows per insert, ids per `in [...]` filter
PART_CHARS = 16_000  # manifest characters per row: at most 4 bytes each, under MAX_VARCHAR
STATE = "state"
NO_VECTOR = [0.0, 0.0]
READY, WRITING = "ready", "writing"


def literal(values: Iterable[str]) -> str:
    """A Milvus list literal of strings (milvus-lite has no filter templates)."""
    return json.dumps(list(values), ensure_ascii=False)


def batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for begin in range(0, len(items), size):
        yield items[begin : begin + size]


def _fits(value: str, limit: int, what: str) -> str:
    if len(value.encode("utf-8")) > limit:
        raise ValueError(f"{what} is over {limit} bytes, the most a Milvus field holds here")
    return value


class MilvusStore:
    """The rows and the commit protocol of one Milvus index."""

    def __init__(self, client: Engine, names: Collections, where: str) -> None:
        self.client = client
        self.names = names
        self.where = where

    # -- state and manifest ------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        rows = self.query(self.names.meta, f'pk == "{STATE}"', ["value"])
        if not rows:
            return {}
        try:
            state = json.loads(rows[0]["value"])
        except ValueError as error:
            raise IndexCorruptError(
                f"the index state in {self.where} is damaged; {RECOVERY}"
            ) from error
        return state if isinstance(state, dict) else {}

    def pending(self) -> set[str]:
        """The articles an interrupted write was rewriting."""
        return {
            row["value"] for row in self.scan(self.names.meta, 'pk like "pending:%"', ["value"])
        }

    def begin_write(self, article_ids: Iterable[str]) -> None:
        """Record what this write rewrites, then mark the index "writing"."""
        state = self.state()
        if state.get("state") == READY:
            self._delete_meta("pending:")  # left by a commit cut short; only "writing" uses it
        rows = [
            {"pk": f"pending:{hashlib.sha256(a.encode()).hexdigest()}", "value": a, "v": NO_VECTOR}
            for a in sorted(set(article_ids))
        ]
        for batch in batches(rows):
            self.client.call("upsert", self.names.meta, list(batch), write=True)
        self._put_state({**state, "state": WRITING})

    def commit(self, manifest: Manifest) -> None:
        generation = uuid.uuid4().hex
        table = encode_articles(manifest.articles)
        manifest.articles_sha256 = manifest_checksum(table)
        table_parts = self._put_text(f"articles:{generation}", table)
        data = encode_manifest(manifest)
        parts = self._put_text(f"manifest:{generation}", data)
        self._put_state(
            {
                "state": READY,
                "generation": generation,
                "parts": parts,
                "article_parts": table_parts,
                "sha256": manifest_checksum(data),
                "chunks": self.count(self.names.chunks),
                "sentences": self.count(self.names.sentences),
            }
        )
        self._delete_meta("manifest:", keep=f"manifest:{generation}:")
        self._delete_meta("articles:", keep=f"articles:{generation}:")
        self._delete_meta("pending:")

    def _put_text(self, prefix: str, data: bytes) -> int:
        """`data` (UTF-8) in meta rows `<prefix>:<n>`; returns how many."""
        text = data.decode("utf-8")
        parts = [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)]
        rows = [
            {"pk": f"{prefix}:{n:06d}", "value": part, "v": NO_VECTOR}
            for n, part in enumerate(parts)
        ]
        for batch in batches(rows, 50):
            self.client.call("insert", self.names.meta, list(batch), write=True)
        return len(parts)

    def _get_text(self, prefix: str, parts: object, what: str) -> bytes:
        rows = sorted(
            self.scan(self.names.meta, f'pk like "{prefix}:%"', ["pk", "value"]),
            key=lambda r: r["pk"],
        )
        if len(rows) != parts:
            raise IndexCorruptError(f"the index {what} in {self.where} is incomplete; {RECOVERY}")
        return "".join(row["value"] for row in rows).encode("utf-8")

    def _delete_meta(self, prefix: str, keep: str | None = None) -> None:
        """Delete the meta rows whose key starts with `prefix` (but not with `keep`). By key:
        milvus-lite's delete takes no compound filter."""
        keys = [
            row["pk"]
            for row in self.scan(self.names.meta, f'pk like "{prefix}%"', ["pk"])
            if keep is None or not row["pk"].startswith(keep)
        ]
        for batch in batches(keys):
            self.client.call("delete", self.names.meta, ids=list(batch), write=True)

    def manifest(self, state: dict[str, Any]) -> Manifest:
        """The committed manifest, checked against the checksum in the state row, with its
        article table, checked against the checksum in the manifest (and parsed lazily)."""
        generation = state.get("generation")
        data = self._get_text(f"manifest:{generation}", state.get("parts"), "manifest")
        manifest = decode_manifest(data, state.get("sha256"), f"in {self.where}")
        table = self._get_text(f"articles:{generation}", state.get("article_parts"), "articles")
        manifest.articles = decode_articles(table, manifest.articles_sha256, f"in {self.where}")
        return manifest

    def _put_state(self, state: dict[str, Any]) -> None:
        row = {"pk": STATE, "value": json.dumps(state), "v": NO_VECTOR}
        self.client.call("upsert", self.names.meta, [row], write=True)

    # -- rows ---------------------------------------------------------------------------------

    def insert(self, rows: Rows, chunk_of_sentence: Sequence[str]) -> None:
        """The rows of new and changed articles; `chunk_of_sentence[i]` is the chunk that holds
        sentence i whole, or "". Rows are made one batch at a time: as Python lists, the
        vectors of a large archive would take several times their own size."""
        for begin in range(0, len(rows.chunks), BATCH):
            end = begin + BATCH
            chunks = zip(rows.chunks[begin:end], rows.chunk_vectors[begin:end], strict=True)
            self.client.call(
                "insert", self.names.chunks, [_chunk_row(c, v) for c, v in chunks], write=True
            )
        for begin in range(0, len(rows.sentences), BATCH):
            end = begin + BATCH
            sentences = zip(
                rows.sentences[begin:end],
                chunk_of_sentence[begin:end],
                rows.sentence_vectors[begin:end],
                strict=True,
            )
            self.client.call(
                "insert",
                self.names.sentences,
                [
                    {
                        "pk": f"{s.article_id}:{s.start}-{s.end}",
                        "article_id": s.article_id,
                        "chunk_id": chunk_id,
                        "start": s.start,
                        "end": s.end,
                        "vector": vector.tolist(),
                    }
                    for s, chunk_id, vector in sentences
                ],
                write=True,
            )

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        for batch in batches(sorted(set(article_ids))):
            for name in (self.names.chunks, self.names.sentences):
                self.client.call(
                    "delete", name, filter=f"article_id in {literal(batch)}", write=True
                )

    # -- reads --------------------------------------------------------------------------------

    def count(self, name: str) -> int:
        return int(self.query(name, "", ["count(*)"])[0]["count(*)"])

    def query(self, name: str, expression: str, fields: list[str], **options: Any) -> list[dict]:
        return self.client.call(
            "query",
            name,
            filter=expression,
            output_fields=fields,
            consistency_level=STRONG,
            **options,
        )

    def scan(self, name: str, expression: str, fields: list[str]) -> Iterator[dict]:
        """Every matching row, in pages (a single query returns at most 16,384)."""
        for page in self.client.pages(
            name,
            batch_size=BATCH,
            filter=expression,
            output_fields=fields,
            consistency_level=STRONG,
        ):
            yield from page


def _chunk_row(chunk: Chunk, vector: np.ndarray) -> dict[str, Any]:
    return {
        "pk": _fits(chunk.id, MAX_ID, f"chunk id {chunk.id!r}"),
        "article_id": _fits(chunk.article_id, MAX_ID, f"article id {chunk.article_id!r}"),
        "text": _fits(chunk.text, MAX_VARCHAR, f"the text of chunk {chunk.id}"),
        "start": chunk.start,
        "end": chunk.end,
        "tokens": _fits(
            " ".join(search_tokens(chunk.search_text)),
            MAX_VARCHAR,
            f"the tokens of chunk {chunk.id}",
        ),
        "dense": vector.tolist(),
    }
