"""The index store against hostile or unlucky input: a manifest with flipped bytes, wrong types
or impossible values, and readers racing a writer that swaps versions.

A small index of random vectors stands in for a real one: these tests are about the files, so no
model is loaded.
"""

from __future__ import annotations

import json
import random
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpus import Chunk
from embeddings.files import sha256_file
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.store import (
    ARTICLES_FILE,
    MANIFEST_CHECKSUM_FILE,
    MANIFEST_FILE,
    live_version,
)
from embeddings.index.manifest import (
    LATEST_TIMESTAMP,
    ArticleRecord,
    IndexCorruptError,
    IndexUnusableError,
    Manifest,
)
from embeddings.index.protocol import Sentence
from rag.__main__ import main as rag_main
from tests.embeddings.manifests import edit_manifest
from ui.render.answer import render_status

DIM = 8
FLIP_SEED = 20251202
FLIPS = 60
SWAPS = 60


def small_index(articles: int = 3, chunks_per_article: int = 2) -> FaissIndex:
    rng = np.random.default_rng(0)
    chunks, sentences, records = [], [], {}
    for a in range(articles):
        article_id = f"a{a}"
        for c in range(chunks_per_article):
            start = c * 10
            chunks.append(
                Chunk(
                    f"{article_id}:{start}-{start + 10}",
                    article_id,
                    "t",
                    "x" * 10,
                    start,
                    start + 10,
                )
            )
            sentences.append(Sentence(article_id, start, start + 5))
        records[article_id] = ArticleRecord("0" * 64, "t", f"{article_id}.txt", chunks_per_article)
    manifest = Manifest(
        "test-model", "1" * 64, DIM, {"max_tokens": 200, "overlap_tokens": 40}, records, ann={}
    )

    def unit(n: int) -> np.ndarray:
        vectors = rng.normal(size=(n, DIM)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return FaissIndex.build(manifest, chunks, unit(len(chunks)), sentences, unit(len(sentences)))


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("store") / "index"
    small_index().save(index_dir)
    return index_dir


@pytest.fixture
def index_copy(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "index"))


def test_the_saved_manifest_is_sealed_and_loads(saved: Path) -> None:
    version = live_version(saved)
    assert (version / MANIFEST_CHECKSUM_FILE).is_file()
    assert len(FaissIndex.load(saved).chunks) == 6


def test_every_flipped_byte_of_the_manifest_is_refused(index_copy: Path) -> None:
    """Before the manifest had a checksum, 2 of 3 random flips were accepted."""
    path = live_version(index_copy) / MANIFEST_FILE
    original = path.read_bytes()
    rng = random.Random(FLIP_SEED)
    accepted = []
    for _ in range(FLIPS):
        damaged = bytearray(original)
        position = rng.randrange(len(damaged))
        damaged[position] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(damaged))
        try:
            FaissIndex.load(index_copy)
            accepted.append(position)
        except IndexCorruptError as error:
            assert "--rebuild" in str(error)
        except IndexUnusableError:
            accepted.append(position)  # a flip is damage, never "another model"
    path.write_bytes(original)
    FaissIndex.load(index_copy)
    assert accepted == []


def test_a_deleted_checksum_is_refused(index_copy: Path) -> None:
    (live_version(index_copy) / MANIFEST_CHECKSUM_FILE).unlink()
    with pytest.raises(IndexCorruptError, match=r"no checksum.*--rebuild"):
        FaissIndex.load(index_copy)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"files": None}, "files"),
        ({"articles": []}, "articles"),
        ({"created": 1e20}, "created"),
        ({"dimension": "8"}, "dimension"),
        ({"chunks": -1}, "chunks"),
        ({"weights_sha256": "not a hash"}, "weights_sha256"),
        ({"ann": {"factory": "Flat", "metric": "ip", "nprobe": -4}}, "ann.nprobe"),
        ({"unexpected": 1}, "unexpected"),
    ],
    ids=[
        "files-null",
        "articles-list",
        "created-1e20",
        "dimension-str",
        "chunks-negative",
        "weights",
        "nprobe-negative",
        "extra-key",
    ],
)
def test_a_sealed_manifest_of_the_wrong_shape_is_refused_by_the_schema(
    index_copy: Path, change: dict[str, Any], field: str
) -> None:
    edit_manifest(index_copy, lambda manifest: manifest.update(change))
    with pytest.raises(IndexCorruptError) as caught:
        FaissIndex.load(index_copy)
    message = str(caught.value)
    assert f"damaged ({field}" in message and "--rebuild" in message


def test_an_article_record_of_the_wrong_shape_is_refused_when_read(index_copy: Path) -> None:
    """Records are parsed lazily, by the same strict schema: `"2"` is no chunk count."""
    version = live_version(index_copy)
    table = version / ARTICLES_FILE
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    key, record = lines[1].split("\t")
    lines[1] = key + "\t" + json.dumps({**json.loads(record), "chunks": "2"}) + "\n"
    table.write_text("".join(lines), encoding="utf-8")
    digest = sha256_file(table)
    edit_manifest(index_copy, lambda manifest: manifest.update(articles_sha256=digest))
    loaded = FaissIndex.load(index_copy)
    assert loaded.manifest.articles["a0"].chunks == 2  # the others read as ever
    with pytest.raises(IndexCorruptError, match=r"damaged \(line 2: chunks: .*--rebuild"):
        loaded.manifest.articles.get("a1")


@pytest.mark.parametrize("change", [{"files": None}, {"articles": []}])
def test_rag_ask_on_a_damaged_manifest_says_what_to_run(
    index_copy: Path, change: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to end in a traceback (AttributeError from `None.get`, `[].items`)."""
    edit_manifest(index_copy, lambda manifest: manifest.update(change))
    assert rag_main(["ask", "--index", str(index_copy), "من التقى لافروف؟"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: the index manifest") and "--rebuild" in error


def test_every_creation_time_the_schema_accepts_can_be_shown() -> None:
    """`created: 1e20` stopped the app at start-up; the bound is the last time it can print."""
    manifest = Manifest.from_json({**small_index().manifest.to_json(), "created": LATEST_TIMESTAMP})
    assert "9999-12-31" in render_status(manifest, now=0.0)


def test_loads_racing_version_swaps_are_never_told_the_index_is_corrupt(index_copy: Path) -> None:
    """One thread publishes new versions as fast as it can (each removes the one before), the
    other loads. Before the live version was resolved once per load, 122 of 2,261 loads were
    told the index was corrupt."""
    index = FaissIndex.load(index_copy)
    done = threading.Event()
    wrong: list[str] = []
    loads = 0

    def swap() -> None:
        try:
            for _ in range(SWAPS):
                index.save(index_copy)
        finally:
            done.set()

    writer = threading.Thread(target=swap)
    writer.start()
    while not done.is_set() or loads == 0:
        try:
            FaissIndex.load(index_copy)
        except IndexUnusableError as error:
            wrong.append(str(error))
        loads += 1
    writer.join()
    assert loads > 0
    assert wrong == [], f"{len(wrong)} of {loads} loads refused: {wrong[:3]}"
