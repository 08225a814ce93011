"""Incremental ingest: only new or changed articles are embedded; removals, an empty or
missing corpus, a concurrent ingest, and a crash at any write keeping the previous version."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import numpy as np
import pytest

from corpus import (
    DEFAULT_CORPUS_DIR,
    load_corpus,
)
from embeddings import files as files_module
from embeddings.index.faiss import layout as layout_module
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.layout import ANN_FILE
from embeddings.index.faiss.store import MANIFEST_FILE, POINTER_FILE, live_version
from embeddings.ingest.incremental import ingest
from embeddings.model.embedder import Embedder
from tests.embeddings.articles import (
    DIMENSION,
    NEW_ARTICLE,
    NEW_SENTENCE,
    add_paragraph,
    version_dirs,
)

pytestmark = pytest.mark.slow


# -- incremental ingest ----------------------------------------------------------------------


def test_unchanged_corpus_writes_nothing(
    index_copy: Path, corpus_copy: Path, embedder: Embedder
) -> None:
    pointer = (index_copy / POINTER_FILE).read_bytes()
    versions = version_dirs(index_copy)
    report = ingest(corpus_copy, index_copy, embedder)
    assert report.unchanged == report.articles == 5
    assert report.new == report.changed == report.removed == 0
    assert report.embedded_chunks == report.embedded_sentences == 0
    assert any("up to date" in note for note in report.notes)
    assert "up to date" in report.summary()
    assert (index_copy / POINTER_FILE).read_bytes() == pointer
    assert version_dirs(index_copy) == versions


def test_changed_article_alone_is_embedded_again(
    index_copy: Path, corpus_copy: Path, embedder: Embedder, loaded_seed: FaissIndex
) -> None:
    path = sorted(corpus_copy.glob("*.txt"))[1]
    add_paragraph(path)
    changed_id = path.stem

    report = ingest(corpus_copy, index_copy, embedder)
    assert (report.new, report.changed, report.unchanged, report.removed) == (0, 1, 4, 0)
    updated = FaissIndex.load_for(index_copy, embedder)
    changed_chunks = [c for c in updated.chunks if c.article_id == changed_id]
    assert (
        report.embedded_chunks
        == len(changed_chunks)
        == updated.manifest.articles[changed_id].chunks
    )
    assert report.embedded_sentences == len(updated.sentence_rows(changed_id))
    assert report.chunks == len(updated.chunks)
    assert any(NEW_SENTENCE in c.text for c in changed_chunks)
    assert updated.manifest.articles[changed_id].fingerprint != (
        loaded_seed.manifest.articles[changed_id].fingerprint
    )
    # The other articles keep their chunks and exactly their old vectors.
    kept = [c for c in loaded_seed.chunks if c.article_id != changed_id]
    assert [c for c in updated.chunks if c.article_id != changed_id] == kept
    ids = [c.id for c in kept]
    np.testing.assert_array_equal(updated.vectors_of(ids), loaded_seed.vectors_of(ids))
    # Offsets still reproduce the (new) article text.
    article = next(a for a in load_corpus(corpus_copy).articles if a.id == changed_id)
    for chunk in changed_chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
    assert len(version_dirs(index_copy)) == 1


def test_added_article_is_new(index_copy: Path, corpus_copy: Path, embedder: Embedder) -> None:
    (corpus_copy / "005_book_fair.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    report = ingest(corpus_copy, index_copy, embedder)
    assert (report.articles, report.new, report.changed, report.unchanged, report.removed) == (
        6,
        1,
        0,
        5,
        0,
    )
    updated = FaissIndex.load_for(index_copy, embedder)
    added = [c for c in updated.chunks if c.article_id == "005_book_fair"]
    assert added and report.embedded_chunks == len(added)
    assert "005_book_fair" in updated.manifest.articles
    assert updated.manifest.articles["005_book_fair"].title == "افتتاح معرض الكتاب في دمشق"


def test_deleted_article_is_removed(
    index_copy: Path, corpus_copy: Path, embedder: Embedder, loaded_seed: FaissIndex
) -> None:
    path = sorted(corpus_copy.glob("*.txt"))[0]
    path.unlink()
    report = ingest(corpus_copy, index_copy, embedder)
    assert (report.articles, report.new, report.changed, report.unchanged, report.removed) == (
        4,
        0,
        0,
        4,
        1,
    )
    assert report.embedded_chunks == 0
    updated = FaissIndex.load_for(index_copy, embedder)
    assert path.stem not in updated.manifest.articles
    assert all(c.article_id != path.stem for c in updated.chunks)
    assert all(s.article_id != path.stem for s in updated.sentences)
    gone = sum(c.article_id == path.stem for c in loaded_seed.chunks)
    assert len(updated.chunks) == len(loaded_seed.chunks) - gone == report.chunks
    assert updated.vectors.shape == (len(updated.chunks), DIMENSION)


def test_missing_corpus_folder_does_not_empty_the_index(
    index_copy: Path, tmp_path: Path, embedder: Embedder
) -> None:
    """A mistyped --corpus must be an error, not an index with every article removed."""
    pointer = (index_copy / POINTER_FILE).read_bytes()
    with pytest.raises(FileNotFoundError, match="no-such-corpus"):
        ingest(tmp_path / "no-such-corpus", index_copy, embedder)
    assert (index_copy / POINTER_FILE).read_bytes() == pointer
    assert len(FaissIndex.load(index_copy).manifest.articles) == 5


def test_empty_corpus_gives_an_empty_usable_index(tmp_path: Path, embedder: Embedder) -> None:
    (tmp_path / "corpus").mkdir()
    report = ingest(tmp_path / "corpus", tmp_path / "index", embedder)
    assert report.articles == report.chunks == 0
    empty = FaissIndex.load(tmp_path / "index")
    assert list(empty.chunks) == [] and empty.vectors.shape == (0, DIMENSION)
    assert empty.search(np.ones((1, DIMENSION), dtype=np.float32), k=5) == [[]]


def test_concurrent_ingest_is_refused(index_copy: Path, embedder: Embedder) -> None:
    with (index_copy / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RuntimeError, match="another ingest"):
            ingest(DEFAULT_CORPUS_DIR, index_copy, embedder)


# -- atomicity -------------------------------------------------------------------------------


def test_crash_mid_ingest_keeps_the_previous_version(
    index_copy: Path, corpus_copy: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (index_copy / POINTER_FILE).read_bytes()
    live = live_version(index_copy).name
    path = sorted(corpus_copy.glob("*.txt"))[2]
    add_paragraph(path)

    real_write_npy = layout_module.write_npy
    calls = []

    def crash_after_first(target: Path, array: np.ndarray) -> None:
        calls.append(target.name)
        if len(calls) > 1:
            raise OSError("disk full (simulated)")
        real_write_npy(target, array)

    monkeypatch.setattr(layout_module, "write_npy", crash_after_first)
    with pytest.raises(OSError, match="simulated"):
        ingest(corpus_copy, index_copy, embedder)
    monkeypatch.undo()

    assert (index_copy / POINTER_FILE).read_bytes() == before
    previous = FaissIndex.load_for(index_copy, embedder)
    assert previous.manifest.articles[path.stem].fingerprint != (
        next(a for a in load_corpus(corpus_copy).articles if a.id == path.stem).fingerprint
    )
    partial = version_dirs(index_copy) - {live}
    assert partial == set(), "a failed save removes its partial version (a kill cannot)"

    report = ingest(corpus_copy, index_copy, embedder)
    assert report.changed == 1
    assert version_dirs(index_copy) == {live_version(index_copy).name}
    assert live_version(index_copy).name not in partial | {live}
    FaissIndex.load_for(index_copy, embedder)


@pytest.mark.parametrize("failing", [ANN_FILE, MANIFEST_FILE, f".{POINTER_FILE}"])
def test_crash_at_any_write_keeps_the_previous_version(
    index_copy: Path, loaded_seed: FaissIndex, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    before = (index_copy / POINTER_FILE).read_bytes()
    real_write_file = files_module.write_file

    def crash_on(target: Path, data: bytes) -> None:
        if target.name.startswith(failing):
            raise OSError("simulated crash")
        real_write_file(target, data)

    monkeypatch.setattr(files_module, "write_file", crash_on)
    with pytest.raises(OSError, match="simulated"):
        loaded_seed.save(index_copy)
    monkeypatch.undo()
    assert (index_copy / POINTER_FILE).read_bytes() == before
    assert len(FaissIndex.load(index_copy).chunks) == len(loaded_seed.chunks)
    assert len(version_dirs(index_copy)) == 1  # the failed save removed its partial version
    loaded_seed.save(index_copy)
    assert version_dirs(index_copy) == {live_version(index_copy).name}


def test_crash_before_the_pointer_swap_keeps_the_previous_version(
    index_copy: Path, loaded_seed: FaissIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (index_copy / POINTER_FILE).read_bytes()

    def no_replace(src: object, dst: object) -> None:
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(OSError, match="simulated"):
        loaded_seed.save(index_copy)
    monkeypatch.undo()
    assert (index_copy / POINTER_FILE).read_bytes() == before
    FaissIndex.load(index_copy)


def test_an_index_without_the_articles_facts_gets_them_without_embedding_again(
    index_copy: Path, corpus_copy: Path, embedder: Embedder
) -> None:
    from dataclasses import replace

    old = FaissIndex.load_for(index_copy, embedder)
    old.manifest.articles = {
        i: replace(r, opening=None, mentioned_dates=[]) for i, r in old.manifest.articles.items()
    }
    old.save(index_copy)
    report = ingest(corpus_copy, index_copy, embedder)
    assert report.embedded_chunks == report.embedded_sentences == report.changed == 0
    records = FaissIndex.load_for(index_copy, embedder).manifest.articles
    assert records["003_60194546891453d8"].opening.startswith("بدأت دمشق وموسكو")
    assert "--07-31" in records["003_60194546891453d8"].mentioned_dates
