"""Indexes of another model, dimension, weights or format are refused, and damaged ones are
named with what to run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import (
    DEFAULT_CORPUS_DIR,
)
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.layout import (
    BM25_FILES,
    CHUNKS_FILE,
    DATA_FILES,
    SENTENCES_FILE,
    TEXT_OFFSETS_FILE,
    VECTORS_FILE,
)
from embeddings.index.faiss.store import ARTICLES_FILE, MANIFEST_FILE, POINTER_FILE, live_version
from embeddings.index.manifest import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
)
from embeddings.ingest.incremental import ingest
from embeddings.model.backend.packaged import PACKAGED_MODEL
from embeddings.model.embedder import Embedder
from tests.embeddings.articles import (
    refresh_checksum,
    truncate,
    version_dirs,
)
from tests.embeddings.manifests import edit_manifest

pytestmark = pytest.mark.slow


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


@pytest.mark.parametrize("name", DATA_FILES)
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


@pytest.mark.parametrize(
    ("name", "at", "value"),
    [
        (CHUNKS_FILE, (-1, 0), 99),  # a chunk of an article that is not there
        (CHUNKS_FILE, (-1, 2), 0),  # a chunk that ends before it starts
        (CHUNKS_FILE, (0, 0), 4),  # chunks no longer sorted by article
        (SENTENCES_FILE, (-1, 3), 10_000),  # a sentence in a chunk that is not there
        (SENTENCES_FILE, (-1, 0), -1),
        (BM25_FILES["docs"], (-1,), 10_000),  # a posting of a chunk that is not there
        (TEXT_OFFSETS_FILE, (1,), -5),
    ],
)
def test_rows_out_of_range_are_inconsistent(
    index_copy: Path, name: str, at: tuple[int, ...], value: int
) -> None:
    """Every row refers to what exists, checked when the index loads (not when a query trips
    over it), also when the manifest vouches for the file."""
    path = live_version(index_copy) / name
    array = np.load(path, allow_pickle=False)
    array[at] = value
    np.save(path, array, allow_pickle=False)
    refresh_checksum(index_copy, name)
    with pytest.raises(IndexCorruptError, match=r"inconsistent.*out of range.*--rebuild"):
        FaissIndex.load(index_copy)


def test_damaged_article_table_is_refused(index_copy: Path) -> None:
    path = live_version(index_copy) / ARTICLES_FILE
    path.write_bytes(path.read_bytes().replace(b'"chunks": ', b'"chunks": 1', 1))
    with pytest.raises(
        IndexCorruptError, match=rf"{ARTICLES_FILE} is damaged.*checksum.*--rebuild"
    ):
        FaissIndex.load(index_copy)
    path.unlink()
    with pytest.raises(IndexCorruptError, match=rf"{ARTICLES_FILE} is missing.*--rebuild"):
        FaissIndex.load(index_copy)


def test_invalid_article_record_behind_its_checksum_is_refused_when_read(index_copy: Path) -> None:
    """A record is validated when it is read (not at start), by the same strict schema."""
    path = live_version(index_copy) / ARTICLES_FILE
    path.write_bytes(path.read_bytes().replace(b'"chunks": ', b'"chunks": -', 1))
    refresh_checksum(index_copy, ARTICLES_FILE)
    loaded = FaissIndex.load(index_copy)
    with pytest.raises(IndexCorruptError, match=r"damaged \(line 1: chunks: .*--rebuild"):
        list(loaded.manifest.articles.values())


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
