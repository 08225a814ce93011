"""Indexes of another model, dimension, weights or format are refused, and damaged ones are
named with what to run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import (
    DEFAULT_CORPUS_DIR,
)
from embeddings.index.faiss.index import (
    ANN_FILE,
    CHUNKS_FILE,
    DATA_FILES,
    SENTENCE_VECTORS_FILE,
    SENTENCES_FILE,
    VECTORS_FILE,
    FaissIndex,
)
from embeddings.index.faiss.store import MANIFEST_FILE, POINTER_FILE, live_version
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
