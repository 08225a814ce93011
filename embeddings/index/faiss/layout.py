"""The files of one FAISS index version, written and read back (see `store.py` for versions,
checksums and the atomic switch).

    articles.jsonl            the article records, sorted by id (`embeddings/index/articles.py`)
    texts.npy                 the article texts, one UTF-8 blob; text_offsets.npy: byte ranges
    chunks.npy                chunk rows: article row, start, end (int32)
    sentences.npy             sentence rows: article row, start, end, chunk row (int32)
    vectors.npy               chunk unit vectors; sentence_vectors.npy: sentence unit vectors
    ann.faiss                 FAISS index of the chunk vectors; sentences.faiss: of the sentences
    bm25_*.npy                BM25 postings (`embeddings/index/lexical.py`)

Every array is read memory-mapped with `allow_pickle=False`, and each FAISS index with
`IO_FLAG_MMAP`: a query touches the pages it needs, and starting on a large index reads no data
beyond the checksums. The shapes and ranges of every array are checked against each other and
the manifest before the version is used, so a file that its checksum vouches for but that does
not fit is refused as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from embeddings import files
from embeddings.index.articles import ArticleTable
from embeddings.index.faiss.ann import AnnSpec, apply_search_params
from embeddings.index.faiss.store import read_npy, write_npy
from embeddings.index.faiss.tables import ARTICLE, CHUNK, END, START, Tables
from embeddings.index.lexical import Postings, Vocabulary
from embeddings.index.manifest import RECOVERY, IndexCorruptError, Manifest

ANN_FILE = "ann.faiss"
SENTENCE_ANN_FILE = "sentences.faiss"
TEXTS_FILE = "texts.npy"
TEXT_OFFSETS_FILE = "text_offsets.npy"
CHUNKS_FILE = "chunks.npy"
SENTENCES_FILE = "sentences.npy"
VECTORS_FILE = "vectors.npy"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
BM25_FILES = {
    name: f"bm25_{name}.npy"
    for name in ("vocabulary", "vocabulary_offsets", "indptr", "docs", "tf", "lengths")
}
# Checked against `Manifest.files`; the article table (`store.ARTICLES_FILE`) against
# `Manifest.articles_sha256`.
DATA_FILES = (
    TEXTS_FILE,
    TEXT_OFFSETS_FILE,
    CHUNKS_FILE,
    SENTENCES_FILE,
    VECTORS_FILE,
    SENTENCE_VECTORS_FILE,
    ANN_FILE,
    SENTENCE_ANN_FILE,
    *BM25_FILES.values(),
)


@dataclass
class Parts:
    """Everything one version holds besides its manifest."""

    tables: Tables
    vectors: np.ndarray
    sentence_vectors: np.ndarray
    postings: Postings
    ann: faiss.Index
    sentence_ann: faiss.Index


def write_parts(version: Path, parts: Parts) -> None:
    """Write every file of `parts` into `version` (the article table and the checksums are
    written when the version is published: `store.publish`)."""
    tables, postings = parts.tables, parts.postings
    arrays = {
        TEXTS_FILE: tables.text_blob,
        TEXT_OFFSETS_FILE: tables.text_offsets,
        CHUNKS_FILE: tables.chunk_rows,
        SENTENCES_FILE: tables.sentence_rows,
        VECTORS_FILE: parts.vectors,
        SENTENCE_VECTORS_FILE: parts.sentence_vectors,
        BM25_FILES["vocabulary"]: postings.vocabulary.blob,
        BM25_FILES["vocabulary_offsets"]: postings.vocabulary.offsets,
        BM25_FILES["indptr"]: postings.indptr,
        BM25_FILES["docs"]: postings.docs,
        BM25_FILES["tf"]: postings.tf,
        BM25_FILES["lengths"]: postings.lengths,
    }
    for name, array in arrays.items():
        write_npy(version / name, np.ascontiguousarray(array))
    for name, index in ((ANN_FILE, parts.ann), (SENTENCE_ANN_FILE, parts.sentence_ann)):
        files.write_file(version / name, faiss.serialize_index(index).tobytes())


def read_parts(version: Path, manifest: Manifest, *, mmap: bool = True) -> Parts:
    """The parts of `version` (checksums already verified, the manifest read by
    `store.manifest_of`), refused when they do not fit each other or the manifest.
    `mmap=False` reads the FAISS indexes into memory (to add to them)."""
    if not isinstance(manifest.articles, ArticleTable):
        raise TypeError("read the manifest with store.manifest_of")
    try:
        array = {name: read_npy(version / name) for name in DATA_FILES if name.endswith(".npy")}
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        ann = faiss.read_index(str(version / ANN_FILE), flags)
        sentence_ann = faiss.read_index(str(version / SENTENCE_ANN_FILE), flags)
        apply_search_params(ann, AnnSpec.from_dict(manifest.ann))
        apply_search_params(sentence_ann, AnnSpec.from_dict(manifest.sentence_ann))
    except (ValueError, TypeError, KeyError, RuntimeError, OSError) as error:
        raise IndexCorruptError(
            f"index in {version} cannot be read ({error}); {RECOVERY}"
        ) from error
    tables = Tables(
        manifest.articles,
        array[TEXTS_FILE],
        array[TEXT_OFFSETS_FILE],
        array[CHUNKS_FILE],
        array[SENTENCES_FILE],
    )
    postings = Postings(
        Vocabulary(array[BM25_FILES["vocabulary"]], array[BM25_FILES["vocabulary_offsets"]]),
        array[BM25_FILES["indptr"]],
        array[BM25_FILES["docs"]],
        array[BM25_FILES["tf"]],
        array[BM25_FILES["lengths"]],
    )
    parts = Parts(
        tables, array[VECTORS_FILE], array[SENTENCE_VECTORS_FILE], postings, ann, sentence_ann
    )
    problem = _misfit(parts, manifest)
    if problem:
        raise IndexCorruptError(f"index in {version} is inconsistent: {problem}; {RECOVERY}")
    return parts


def _misfit(parts: Parts, manifest: Manifest) -> str | None:
    """What does not fit, or None: shapes, dtypes and ranges, all checked in numpy."""
    tables, postings, dim = parts.tables, parts.postings, manifest.dimension
    chunks, sentences = tables.chunk_rows, tables.sentence_rows
    n_articles, n_chunks, n_sentences = len(tables.articles), len(chunks), len(sentences)
    shapes = [
        (chunks.shape[1:], (3,)),
        (sentences.shape[1:], (4,)),
        (parts.vectors.shape, (n_chunks, dim)),
        (parts.sentence_vectors.shape, (n_sentences, dim)),
        ((parts.ann.ntotal, parts.sentence_ann.ntotal), (n_chunks, n_sentences)),
        (tables.text_offsets.shape, (n_articles + 1,)),
        (postings.lengths.shape, (n_chunks,)),
        (postings.indptr.shape, (len(postings.vocabulary) + 1,)),
        ((postings.docs.shape, postings.tf.shape), ((int(postings.indptr[-1]),),) * 2),
        (
            (int(tables.text_offsets[-1]), int(postings.vocabulary.offsets[-1])),
            (len(tables.text_blob), len(postings.vocabulary.blob)),
        ),
        (manifest.chunks, n_chunks),
    ]
    for found, expected in shapes:
        if found != expected:
            return f"{found} where {expected} was expected"
    checks = {
        "chunk rows": _ranged(chunks[:, ARTICLE], n_articles)
        and _sorted(chunks[:, ARTICLE])
        and bool(np.all(chunks[:, START] < chunks[:, END])),
        "sentence rows": _ranged(sentences[:, ARTICLE], n_articles)
        and _sorted(sentences[:, ARTICLE])
        and _ranged(sentences[:, CHUNK] + 1, n_chunks + 1),
        "text offsets": _sorted(tables.text_offsets),
        "BM25 postings": _ranged(postings.docs, n_chunks) and _sorted(postings.indptr),
    }
    bad = [name for name, good in checks.items() if not good]
    return f"{', '.join(bad)} out of range" if bad else None


def _sorted(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) >= 0))


def _ranged(values: np.ndarray, size: int) -> bool:
    """Sorted or not, every value in [0, size)."""
    return not len(values) or (int(values.min()) >= 0 and int(values.max()) < size)
