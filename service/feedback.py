"""Readers' thumbs up or down on answers, with optional comments, kept on disk beside the index
and exportable for evaluation.

`feedback.jsonl` in the index folder (index saves only replace their own `v-*` folders, so it
survives re-indexing and restarts). Each event is one JSON line appended with a single
`O_APPEND` write under a lock and fsynced, so concurrent sessions never interleave and a crash
can at worst leave a torn last line, which reading skips.

    python -m service.feedback [--index DIR] [--out FILE]   # one JSON line per rated answer
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from embeddings.files import storage_error
from rag.schema import Answer

FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 2000
Rating = Literal["up", "down", "none"]


def answer_record(question: str, answer: Answer) -> dict[str, Any]:
    """What evaluation needs to know about a rated answer."""
    return {
        "question": question,
        "language": answer.language,
        "answer": answer.text,
        "tier": answer.tier,
        "confidence": answer.confidence,
        "mode": answer.mode,
        "citations": [
            {
                "marker": c.marker,
                "article_id": c.passage.chunk.article_id,
                "chunk_id": c.passage.chunk.id,
                "sentence": c.sentence.text,
            }
            for c in answer.citations
        ],
    }


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def beside(cls, index_dir: Path) -> FeedbackStore:
        return cls(index_dir / FEEDBACK_FILE)

    def _append(self, event: dict[str, Any]) -> None:
        """One event, appended durably; OSError (a StorageError when the disk is full or
        read-only) when it cannot be, for the caller to tell."""
        try:
            self._write(event)
        except OSError as error:
            plain = storage_error(error, self.path.parent, "feedback")
            if plain is None:
                raise
            raise plain from error

    def _write(self, event: dict[str, Any]) -> None:
        line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # other processes serving the same index
                view = memoryview(line)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)

    def rate(self, answer_id: str, rating: Rating, record: dict[str, Any]) -> None:
        """A thumb on answer `answer_id` (`record` is `answer_record` of it)."""
        self._append(
            {"answer_id": answer_id, "event": "rating", "rating": rating, "time": _now(), **record}
        )

    def comment(self, answer_id: str, comment: str) -> None:
        comment = comment.strip()[:MAX_COMMENT_CHARS]
        if comment:
            self._append(
                {"answer_id": answer_id, "event": "comment", "comment": comment, "time": _now()}
            )

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event in the order written; a line a crash tore is skipped."""
        try:
            with self.path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        event = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(event, dict) and "answer_id" in event:
                        yield event
        except FileNotFoundError:
            return

    def export(self) -> list[dict[str, Any]]:
        """One row per rated answer: its question, answer and citations, the latest rating, and
        every comment, in the order the answers were first rated."""
        rows: dict[str, dict[str, Any]] = {}
        for event in self.events():
            row = rows.setdefault(event["answer_id"], {"answer_id": event["answer_id"]})
            if event["event"] == "rating":
                details = {k: v for k, v in event.items() if k not in {"event", "time"}}
                row.update(details, rated_at=event["time"])
            elif event["event"] == "comment":
                row.setdefault("comments", []).append(event["comment"])
        return [row for row in rows.values() if "rating" in row]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def main(argv: list[str] | None = None) -> None:
    from rag.config import load_settings

    parser = argparse.ArgumentParser(prog="python -m service.feedback", description=__doc__)
    parser.add_argument("--index", type=Path, help="index folder (default: from Settings)")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    index_dir = args.index or load_settings().index.path
    rows = FeedbackStore.beside(index_dir).export()
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
        print(f"{len(rows)} rated answer(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)


if __name__ == "__main__":
    main()
