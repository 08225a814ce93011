"""Loading in a worker process: the same results as in-process loading, and a file that takes
too long is reported while the others load."""

import json
import os
import time

import pytest

from corpus import DEFAULT_CORPUS_DIR, LoadError, load_corpus, load_file
from corpus.isolated import IsolatedLoader, load_corpus_isolated, load_file_isolated

BODY = "أعلنت الوزارة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية خلال العام المقبل."
# About 2 MB of tags: several seconds of parsing here, far over the limits used below.
SLOW_PAGE = "<p>x" * 500_000


def test_isolated_loading_gives_what_in_process_loading_gives(tmp_path):
    assert load_corpus_isolated(DEFAULT_CORPUS_DIR) == load_corpus(DEFAULT_CORPUS_DIR)
    (tmp_path / "a.txt").write_text(f"عنوان\n{BODY}", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe")
    (tmp_path / "c.pdf").write_text("x")
    records = [{"id": "j", "title": "t", "text": BODY}, {"id": "j", "text": BODY}, {"id": 1}]
    lines = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    (tmp_path / "d.jsonl").write_text(lines + "\n{broken", encoding="utf-8")
    # A file name that is not UTF-8 is a str with lone surrogates; it must cross the pipe.
    (tmp_path / os.fsdecode(b"caf\xe9.md")).write_text(f"# عنوان\n\n{BODY}", encoding="utf-8")
    isolated = load_corpus_isolated(tmp_path)
    assert isolated == load_corpus(tmp_path)
    assert len(isolated.articles) == 3 and len(isolated.errors) == 5


def test_a_file_over_the_time_limit_is_reported_and_the_others_load(tmp_path):
    (tmp_path / "a-slow.html").write_text(SLOW_PAGE)
    (tmp_path / "b-good.txt").write_text(f"عنوان\n{BODY}", encoding="utf-8")
    (tmp_path / "c-slow.html").write_text(SLOW_PAGE)
    started = time.monotonic()
    result = load_corpus_isolated(tmp_path, time_limit=1.0)
    assert time.monotonic() - started < 60  # two kills and restarts, not two full parses
    assert [article.id for article in result.articles] == ["b-good"]
    assert result.errors == [
        LoadError(str(tmp_path / name), "took longer than 1 s to parse")
        for name in ("a-slow.html", "c-slow.html")
    ]


def test_the_caller_does_not_parse_while_it_waits(tmp_path):
    path = tmp_path / "slow.html"
    path.write_text(SLOW_PAGE)
    wall, cpu = time.monotonic(), time.process_time()
    (error,) = load_file_isolated(path, time_limit=2.0).errors
    assert "took longer than 2 s" in error.reason
    # The wait is spent in select(), with the interpreter free for a server's other requests.
    assert time.monotonic() - wall >= 2.0
    assert time.process_time() - cpu < 1.0  # the parse alone takes over the 2 s limit


def test_one_worker_loads_many_files(tmp_path):
    paths = [tmp_path / f"{n}.txt" for n in range(3)]
    for path in paths:
        path.write_text(f"عنوان {path.stem}\n{BODY}", encoding="utf-8")
    with IsolatedLoader() as isolated:
        results = [isolated.load_file(path) for path in paths]
        worker = isolated._worker
    assert results == [load_file(path) for path in paths]
    assert worker is not None and worker.process.poll() is not None  # stopped on exit


def test_time_limit_must_be_positive():
    with pytest.raises(ValueError):
        IsolatedLoader(time_limit=0)


def test_missing_file_is_an_error_not_a_crash(tmp_path):
    missing = tmp_path / "missing.txt"
    assert load_file_isolated(missing) == load_file(missing)


def test_a_worker_that_dies_fails_one_file_and_is_replaced(tmp_path):
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    for path in (first, second):
        path.write_text(f"عنوان\n{BODY}", encoding="utf-8")
    with IsolatedLoader() as isolated:
        assert isolated.load_file(first).articles
        isolated._worker.process.kill()  # as the kernel would on running out of memory
        isolated._worker.process.wait()
        (error,) = isolated.load_file(first).errors
        assert error.reason.startswith("the parser stopped unexpectedly (exit code")
        assert isolated.load_file(second) == load_file(second)
