"""The Milvus backend on the real milvus-lite 2.5.1 engine: the same rows and answers to every
`VectorIndex` call as the FAISS index of the same corpus, incremental ingest by article id, and
refusal (with what to run) of a missing, foreign, damaged or half-written index."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from corpus import DEFAULT_CORPUS_DIR, search_tokens
from embeddings.index.backends import IndexTarget, index_writer, open_index
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.manifest import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexUnusableError,
)
from embeddings.index.milvus import collections
from embeddings.index.milvus.connection import release_local
from embeddings.index.milvus.index import MilvusIndex
from embeddings.index.protocol import Embed
from embeddings.ingest.incremental import ingest
from embeddings.model.embedder import Embedder
from tests.conftest import build_milvus
from tests.embeddings.articles import NEW_ARTICLE, add_paragraph

# Every test here talks to a milvus-lite child process; none may hang the suite.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
QUERIES = ["من استقبل وزير الخارجية السوري في الكرملين؟", "Who met Lavrov in Moscow?"]


@pytest.fixture(scope="module")
def faiss_seed(seed_index: Path) -> FaissIndex:
    return FaissIndex.load(seed_index)


@pytest.fixture(scope="module")
def milvus(milvus_seed: Path, embedder: Embedder) -> MilvusIndex:
    index = open_index(IndexTarget("milvus", milvus_seed), embedder)
    assert isinstance(index, MilvusIndex)
    return index


@pytest.fixture
def own_index(
    tmp_path: Path, embedder: Embedder, seed_vectors: Embed
) -> Iterator[tuple[Path, Path]]:
    """(corpus copy, index folder) with a Milvus index of its own, for tests that change it."""
    corpus = Path(shutil.copytree(DEFAULT_CORPUS_DIR, tmp_path / "corpus"))
    index_dir = tmp_path / "index"
    uri = build_milvus(index_dir, embedder, seed_vectors, corpus)
    yield corpus, index_dir
    release_local(uri)


def reingest(corpus: Path, index_dir: Path, embedder: Embedder, embed: Embed, **options):
    writer = index_writer(IndexTarget("milvus", index_dir), embedder)
    return ingest(corpus, index_dir, embedder, writer=writer, embed=embed, **options)


def reopen(index_dir: Path, embedder: Embedder) -> MilvusIndex:
    index = open_index(IndexTarget("milvus", index_dir), embedder)
    assert isinstance(index, MilvusIndex)
    return index


# -- the same index as FAISS -----------------------------------------------------------------


def test_it_holds_the_same_chunks_and_manifest_facts(
    milvus: MilvusIndex, faiss_seed: FaissIndex
) -> None:
    for fact in ("model_id", "weights_sha256", "dimension", "chunker", "articles", "chunks"):
        assert getattr(milvus.manifest, fact) == getattr(faiss_seed.manifest, fact), fact
    for article_id in faiss_seed.manifest.articles:
        assert milvus.chunks_of(article_id) == faiss_seed.chunks_of(article_id)
    ids = [chunk.id for chunk in faiss_seed.chunks]
    cosines = (milvus.vectors_of(ids) * faiss_seed.vectors_of(ids)).sum(axis=1)
    assert cosines.min() >= 0.9999


def test_every_search_ranks_and_scores_like_faiss(
    milvus: MilvusIndex, faiss_seed: FaissIndex, embedder: Embedder
) -> None:
    queries = np.concatenate([embedder.embed_queries(QUERIES), faiss_seed.vectors[:3]])
    for query in queries:
        for ours, theirs in (
            (milvus.search(query[None], 10)[0], faiss_seed.search(query[None], 10)[0]),
            (milvus.search_sentences(query, 40), faiss_seed.search_sentences(query, 40)),
        ):
            assert [h.chunk for h in ours] == [h.chunk for h in theirs]
            np.testing.assert_allclose(
                [h.score for h in ours], [h.score for h in theirs], atol=1e-5
            )
    for question in [QUERIES[0], "لافروف موسكو القمة العربية الروسية"]:
        tokens = search_tokens(question)
        ours, theirs = milvus.search_lexical(tokens, 10), faiss_seed.search_lexical(tokens, 10)
        assert {h.chunk.id for h in ours} == {h.chunk.id for h in theirs}
        np.testing.assert_allclose(
            sorted(h.score for h in ours), sorted(h.score for h in theirs), rtol=1e-4
        )
        assert milvus.idf(tokens) == pytest.approx(faiss_seed.idf(tokens))
    assert milvus.search_lexical([], 5) == [] and milvus.search(queries[:1], 0) == [[]]


def test_answer_sentences_of_chunks_are_those_of_faiss(
    milvus: MilvusIndex, faiss_seed: FaissIndex
) -> None:
    ours, theirs = (
        milvus.sentences_in(faiss_seed.chunks),
        faiss_seed.sentences_in(faiss_seed.chunks),
    )
    for mine, reference in zip(ours, theirs, strict=True):
        assert [span for span, _ in mine] == [span for span, _ in reference]
        for (_, a), (_, b) in zip(mine, reference, strict=True):
            assert float(a @ b) >= 0.9999


def test_a_query_of_the_wrong_dimension_is_refused(milvus: MilvusIndex) -> None:
    with pytest.raises(ValueError):
        milvus.search(np.ones((1, 100), dtype=np.float32), 3)


# -- incremental ingest ----------------------------------------------------------------------


def test_only_changed_added_and_removed_articles_are_written(
    own_index: tuple[Path, Path], embedder: Embedder, seed_vectors: Embed
) -> None:
    corpus, index_dir = own_index
    before = reopen(index_dir, embedder)
    files = sorted(corpus.glob("*.txt"))
    kept = {f.stem: before.chunks_of(f.stem) for f in files[2:]}
    add_paragraph(files[0])
    files[1].unlink()
    (corpus / "005_book_fair.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    report = reingest(corpus, index_dir, embedder, seed_vectors)
    assert (report.new, report.changed, report.unchanged, report.removed) == (1, 1, 3, 1)
    after = reopen(index_dir, embedder)
    assert after.chunks_of(files[1].stem) == []
    assert after.chunks_of("005_book_fair") and after.chunks_of(files[0].stem)
    assert {article_id: after.chunks_of(article_id) for article_id in kept} == kept
    assert after.store.count(after.names.chunks) == after.manifest.chunks == report.chunks
    assert reingest(corpus, index_dir, embedder, seed_vectors).notes[-1].endswith("nothing written")


def test_a_half_written_index_is_refused_and_the_next_ingest_repairs_it(
    own_index: tuple[Path, Path], embedder: Embedder, seed_vectors: Embed
) -> None:
    corpus, index_dir = own_index
    index = reopen(index_dir, embedder)
    victim = sorted(corpus.glob("*.txt"))[3].stem
    index.store.begin_write([victim])
    index.store.delete_articles([victim])  # ... and the ingest dies here
    with pytest.raises(IndexCorruptError, match=r"half-written.*python -m rag ingest"):
        reopen(index_dir, embedder)
    report = reingest(corpus, index_dir, embedder, seed_vectors)
    assert any("repairing an interrupted ingest: 1 article" in note for note in report.notes)
    repaired = reopen(index_dir, embedder)
    assert (
        repaired.chunks_of(victim)
        and repaired.manifest.articles.keys() == index.manifest.articles.keys()
    )


def test_rows_changed_behind_the_manifest_are_refused(
    own_index: tuple[Path, Path], embedder: Embedder
) -> None:
    _, index_dir = own_index
    index = reopen(index_dir, embedder)
    index.store.delete_articles([next(iter(index.manifest.articles))])
    with pytest.raises(IndexCorruptError, match=r"holds \d+ chunks.*--rebuild"):
        reopen(index_dir, embedder)


def test_a_damaged_manifest_part_is_refused(
    own_index: tuple[Path, Path], embedder: Embedder
) -> None:
    _, index_dir = own_index
    store = reopen(index_dir, embedder).store
    row = store.query(store.names.meta, 'pk like "manifest:%"', ["pk", "value"])[0]
    flipped = row["value"].replace('"dimension": 384', '"dimension": 385')
    store.client.call("upsert", store.names.meta, [{**row, "value": flipped, "v": [0.0, 0.0]}])
    with pytest.raises(IndexCorruptError, match=r"manifest.*damaged.*--rebuild"):
        reopen(index_dir, embedder)


def test_another_model_is_refused_and_rebuild_replaces_it(
    own_index: tuple[Path, Path], embedder: Embedder, seed_vectors: Embed
) -> None:
    corpus, index_dir = own_index
    # The facts the check compares, of a model that is never loaded.
    other = SimpleNamespace(
        model_id="intfloat/multilingual-e5-base", weights_hash="0" * 64, dimension=768
    )
    with pytest.raises(IndexMismatchError, match=r"multilingual-e5-small.*--rebuild"):
        MilvusIndex.load_for(IndexTarget("milvus", index_dir).uri, other)  # type: ignore[arg-type]
    report = reingest(corpus, index_dir, embedder, seed_vectors, rebuild=True)
    assert report.new == report.articles == 5
    assert reopen(index_dir, embedder).manifest.chunks == report.chunks


def test_collections_of_another_dimension_are_refused(
    own_index: tuple[Path, Path], embedder: Embedder
) -> None:
    _, index_dir = own_index
    store = reopen(index_dir, embedder).store
    collections.create(store.client, store.names, 8)
    with pytest.raises(IndexMismatchError, match="8-d vectors, the model makes 384-d"):
        collections.check(store.client, store.names, 384)


def test_a_missing_collection_asks_for_a_rebuild(
    own_index: tuple[Path, Path], embedder: Embedder
) -> None:
    _, index_dir = own_index
    store = reopen(index_dir, embedder).store
    store.client.call("drop_collection", store.names.sentences)
    with pytest.raises(IndexCorruptError, match=r"collections are missing.*--rebuild"):
        reopen(index_dir, embedder)


def test_no_index_tells_to_run_ingest_and_creates_no_file(
    tmp_path: Path, embedder: Embedder
) -> None:
    with pytest.raises(IndexMissingError, match="RAG_INDEX_BACKEND=milvus python -m rag ingest"):
        reopen(tmp_path, embedder)
    assert not (tmp_path / "milvus.db").exists()
    with pytest.raises(IndexUnusableError, match="35"):
        MilvusIndex.load_for(str(tmp_path / "a name with spaces.db"), embedder)


def test_an_ivf_index_is_built_recorded_and_searched(
    tmp_path: Path, embedder: Embedder, faiss_seed: FaissIndex
) -> None:
    """The path a cluster takes with RAG_MILVUS_INDEX (IVF_FLAT is the one milvus-lite builds)."""
    from embeddings.index.manifest import Manifest
    from embeddings.index.milvus.writer import MilvusWriter
    from embeddings.index.protocol import IndexChange, Rows

    uri = str(tmp_path / "ivf.db")
    rows = Rows(
        faiss_seed.chunks, faiss_seed.vectors, faiss_seed.sentences, faiss_seed.sentence_vectors
    )
    manifest = Manifest.from_json(faiss_seed.manifest.to_json())
    try:
        MilvusWriter(uri, embedder, index_type="IVF_FLAT").write(
            IndexChange(manifest, rows, set(), rebuild=True)
        )
        index = MilvusIndex.load_for(uri, embedder)
        assert index.manifest.ann == {
            "factory": "milvus:IVF_FLAT",
            "metric": "ip",
            "nprobe": 32,
            "ef_search": None,
        }
        query = faiss_seed.vectors[:1]
        assert [h.chunk for h in index.search(query, 5)[0]] == [
            h.chunk for h in faiss_seed.search(query, 5)[0]
        ]
    finally:
        release_local(uri)
    with pytest.raises(ValueError, match="unknown Milvus index type"):
        MilvusWriter(uri, embedder, index_type="DISKANN")
