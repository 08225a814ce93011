"""The feedback store: ratings and comments appended atomically beside the index, read back
after a restart (a new store on the same file), torn lines skipped, exported per answer."""

from __future__ import annotations

import errno
import json
import threading

import pytest

from corpus import Chunk, Span
from embeddings.files import StorageError
from rag.schema import Answer, AnswerSentence, Citation, Passage
from service.feedback import FEEDBACK_FILE, FeedbackStore, answer_record, main
from tests.serving.small_disk import empty, fill, read_only, small_disk


def _record() -> dict:
    text = "استقبل بوتين الشيباني."
    chunk = Chunk("a:0-22", "a", "t", text, 0, len(text))
    answer = Answer(
        question="من؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=[AnswerSentence(text, (1,))],
        citations=[Citation(1, Passage(chunk, 0.9), Span(0, len(text), text), 0.9)],
        confidence=0.8,
    )
    return answer_record("من؟", answer)


def test_ratings_and_comments_survive_a_restart_and_export_per_answer(tmp_path):
    store = FeedbackStore.beside(tmp_path)
    store.rate("t1", "down", _record())
    store.comment("t1", "  الجواب ناقص  ")
    store.rate("t2", "up", _record())
    store.rate("t1", "up", _record())  # changed their mind
    store.comment("t2", "   ")  # nothing to keep

    reopened = FeedbackStore(tmp_path / FEEDBACK_FILE)
    rows = reopened.export()
    assert [row["answer_id"] for row in rows] == ["t1", "t2"]
    assert rows[0]["rating"] == "up" and rows[0]["comments"] == ["الجواب ناقص"]
    assert rows[0]["question"] == "من؟" and rows[0]["citations"][0]["article_id"] == "a"
    assert rows[0]["answer"] == "بحسب المقالات:\n- استقبل بوتين الشيباني. [1]"
    assert rows[1]["rating"] == "up" and "comments" not in rows[1]


def test_a_torn_last_line_is_skipped_and_appending_goes_on(tmp_path):
    store = FeedbackStore.beside(tmp_path)
    store.rate("t1", "down", _record())
    with store.path.open("a", encoding="utf-8") as handle:
        handle.write('{"answer_id": "t2", "event": "rat')  # a crash mid-write
    store.rate("t3", "up", _record())
    assert [row["answer_id"] for row in store.export()] == ["t1"]  # t3's line joined the torn one
    store.rate("t4", "up", _record())
    assert [row["answer_id"] for row in store.export()] == ["t1", "t4"]


def test_concurrent_appends_never_interleave(tmp_path):
    store = FeedbackStore.beside(tmp_path)
    long_comment = "ت" * 1500

    def write(worker: int) -> None:
        for number in range(25):
            store.comment(f"w{worker}-{number}", long_comment)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 100 and all(json.loads(line)["comment"] == long_comment for line in lines)


def test_export_command_writes_jsonl(tmp_path, capsys):
    FeedbackStore.beside(tmp_path).rate("t1", "down", _record())
    out = tmp_path / "feedback-export.jsonl"
    main(["--index", str(tmp_path), "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["rating"] == "down" and rows[0]["confidence"] == 0.8
    main(["--index", str(tmp_path)])
    assert json.loads(capsys.readouterr().out)["answer_id"] == "t1"


def test_a_full_or_read_only_disk_is_raised_plainly_and_nothing_is_kept(tmp_path):
    with small_disk(tmp_path / "disk", 1) as disk:
        store = FeedbackStore.beside(disk)
        fill(disk)
        with pytest.raises(StorageError, match="no space left on the disk of") as full:
            store.rate("t0", "down", _record())
        assert full.value.errno == errno.ENOSPC
        assert "feedback" in str(full.value)
        empty(disk)
        store.rate("t1", "up", _record())
        read_only(disk)
        try:
            with pytest.raises(StorageError, match="read-only file system") as frozen:
                store.comment("t1", "جيد")
            assert frozen.value.errno == errno.EROFS
        finally:
            read_only(disk, on=False)
        assert [row["answer_id"] for row in store.export()] == ["t1"]
