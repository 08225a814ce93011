"""The article records of an index, kept apart from its manifest: one line per article, sorted by
id, parsed only when asked for.

    "<article id as a JSON string>"<TAB>{record as a JSON object}<LF>

The manifest records the table's sha256 (`Manifest.articles_sha256`), and a reader checks it
before anything is used, so a damaged table is refused like any damaged index file. Checking
costs one hash over the bytes; nothing is parsed then. A record is parsed (and validated by the
same strict schema as before) the first time it is read, so starting the app on 10,000 articles
reads no record at all, and looking one up costs a binary search over the sorted lines. Listing
every record parses them all once, and keeps them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from embeddings.index.manifest import (
    RECOVERY,
    ArticleRecord,
    IndexCorruptError,
    manifest_checksum,
)

_RECORD = TypeAdapter(ArticleRecord)
NEWLINE = 10


def encode_articles(records: Mapping[str, ArticleRecord]) -> bytes:
    """The table of `records`, sorted by id (the bytes of an unchanged table are reused)."""
    if isinstance(records, ArticleTable):
        return records.data
    lines = [
        json.dumps(article_id, ensure_ascii=False)
        + "\t"
        + json.dumps(_RECORD.dump_python(records[article_id]), ensure_ascii=False)
        + "\n"
        for article_id in sorted(records)
    ]
    return "".join(lines).encode("utf-8")


def decode_articles(data: bytes, checksum: str, where: str) -> ArticleTable:
    """The table in `data`, refused unless it matches `checksum`."""
    if not checksum:
        raise IndexCorruptError(f"the article table {where} has no checksum; {RECOVERY}")
    if manifest_checksum(data) != checksum:
        raise IndexCorruptError(
            f"the article table {where} is damaged (it does not match its checksum); {RECOVERY}"
        )
    return ArticleTable(data, where)


class ArticleTable(Mapping[str, ArticleRecord]):
    """Article id -> record over the encoded table; row i is the i-th id in sorted order."""

    def __init__(self, data: bytes, where: str = "the index") -> None:
        if data and data[-1] != NEWLINE:
            raise IndexCorruptError(f"the article table {where} is truncated; {RECOVERY}")
        self.data = data
        self.where = where
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == NEWLINE)
        self._starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64) if len(ends) else ends
        self._ends = ends
        self._records: dict[int, ArticleRecord] = {}
        self._ids: list[str] | None = None
        self._rows: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ends)

    def _line(self, row: int) -> tuple[str, bytes]:
        line = self.data[int(self._starts[row]) : int(self._ends[row])]
        key, tab, record = line.partition(b"\t")
        try:
            article_id = json.loads(key)
        except ValueError as error:
            raise self._damaged(row, str(error)) from error
        if not tab or not isinstance(article_id, str):
            raise self._damaged(row, "no article id")
        return article_id, record

    def _damaged(self, row: int, problem: str) -> IndexCorruptError:
        return IndexCorruptError(
            f"the article table {self.where} is damaged (line {row + 1}: {problem}); {RECOVERY}"
        )

    def article_id(self, row: int) -> str:
        if self._ids is not None:
            return self._ids[row]
        return self._line(row)[0]

    def ids(self) -> list[str]:
        """Every id in order (decoded once, then kept); refuses a table out of order."""
        if self._ids is None:
            ids = [self._line(row)[0] for row in range(len(self))]
            if any(a >= b for a, b in itertools.pairwise(ids)):
                raise IndexCorruptError(
                    f"the article table {self.where} is not sorted by id; {RECOVERY}"
                )
            self._ids = ids
            self._rows = {article_id: row for row, article_id in enumerate(ids)}
        return self._ids

    def row_of(self, article_id: str) -> int | None:
        """The row of `article_id` by binary search, None when it is not in the table."""
        if self._ids is not None:
            return self._rows.get(article_id)
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self.article_id(middle) < article_id:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self) and self.article_id(low) == article_id else None

    def record(self, row: int) -> ArticleRecord:
        record = self._records.get(row)
        if record is None:
            _, encoded = self._line(row)
            try:
                record = _RECORD.validate_json(encoded, strict=True)
            except ValidationError as error:
                first = error.errors()[0]
                place = ".".join(str(part) for part in first["loc"])
                raise self._damaged(row, f"{place}: {first['msg']}") from error
            self._records[row] = record
        return record

    def rows_holding(self, text: str) -> list[int]:
        """The rows whose encoded line holds `text` (in any field), in order."""
        needle = json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")
        found: list[int] = []
        at = self.data.find(needle) if needle else -1
        while at >= 0:
            row = int(np.searchsorted(self._ends, at))
            found.append(row)
            at = self.data.find(needle, int(self._ends[row]) + 1)
        return found

    def __getitem__(self, article_id: str) -> ArticleRecord:
        row = self.row_of(article_id) if isinstance(article_id, str) else None
        if row is None:
            raise KeyError(article_id)
        return self.record(row)

    def __contains__(self, article_id: Any) -> bool:
        return isinstance(article_id, str) and self.row_of(article_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())


def mentioning(records: Mapping[str, ArticleRecord], text: str) -> list[ArticleRecord]:
    """At least the records with `text` in a field (callers check the field they mean). From a
    table only the lines holding `text` are parsed, so a corpus none of whose records name it
    costs one scan of the bytes; from any other mapping, every record."""
    if not isinstance(records, ArticleTable):
        return list(records.values())
    return [records.record(row) for row in records.rows_holding(text)]
