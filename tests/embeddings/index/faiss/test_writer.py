"""An update of a FAISS index keeps what did not change (rows, vectors, BM25 postings, trained
FAISS indexes) and ends where a rebuild of the same corpus ends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import search_tokens
from embeddings.index.faiss.ann import AnnSpec, approximate_spec
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.faiss.writer import reusable
from embeddings.ingest.incremental import ingest
from embeddings.model.embedder import Embedder
from tests.embeddings.articles import NEW_ARTICLE, add_paragraph

DIM = 384


def test_a_trained_index_is_reused_while_the_corpus_stays_near_its_size() -> None:
    flat = AnnSpec("Flat")
    assert reusable(flat, 1_000, DIM)
    assert not reusable(flat, 100_000, DIM)  # now too large for exact search
    trained = approximate_spec(100_000)  # IVF1265,SQ8
    assert reusable(trained, 100_000, DIM)
    assert reusable(trained, 120_000, DIM) and reusable(trained, 70_000, DIM)
    assert not reusable(trained, 200_000, DIM) and not reusable(trained, 50_000, DIM)
    assert not reusable(AnnSpec("IVF1265,PQ16", nprobe=32), 100_000, DIM)  # another kind


@pytest.mark.slow
def test_an_update_ends_where_a_rebuild_ends(
    index_copy: Path, corpus_copy: Path, embedder: Embedder, tmp_path: Path
) -> None:
    add_paragraph(sorted(corpus_copy.glob("*.txt"))[1])
    (corpus_copy / "005_book_fair.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    sorted(corpus_copy.glob("*.txt"))[3].unlink()
    report = ingest(corpus_copy, index_copy, embedder)
    assert (report.new, report.changed, report.removed) == (1, 1, 1)
    assert any("refilled, not retrained" in note for note in report.notes), report.notes
    assert report.phases.keys() == {"load", "previous", "chunk", "embed", "write"}
    rebuilt_dir = tmp_path / "rebuilt"
    ingest(corpus_copy, rebuilt_dir, embedder)
    updated = FaissIndex.load_for(index_copy, embedder)
    rebuilt = FaissIndex.load_for(rebuilt_dir, embedder)
    assert list(updated.chunks) == list(rebuilt.chunks)
    assert list(updated.sentences) == list(rebuilt.sentences)
    assert updated.manifest.articles == rebuilt.manifest.articles
    np.testing.assert_allclose(updated.vectors, rebuilt.vectors, atol=1e-6)
    np.testing.assert_allclose(updated.sentence_vectors, rebuilt.sentence_vectors, atol=1e-6)
    query = search_tokens("معرض الكتاب في دمشق ووزير الخارجية")
    assert updated.search_lexical(query, 10) == rebuilt.search_lexical(query, 10)
    assert updated.idf(query) == rebuilt.idf(query)
    vector = embedder.embed_queries(["من افتتح معرض الكتاب؟"])
    assert [h.chunk.id for h in updated.search(vector, 5)[0]] == [
        h.chunk.id for h in rebuilt.search(vector, 5)[0]
    ]
