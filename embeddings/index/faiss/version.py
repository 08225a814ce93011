"""The data files of one FAISS index version, and reading them back: refused with the
recovery when any is unreadable or they do not agree with each other."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from corpus import Chunk
from embeddings.index.faiss.ann import AnnSpec, apply_search_params
from embeddings.index.faiss.store import read_jsonl, read_npy
from embeddings.index.manifest import RECOVERY, AnnSettings, IndexCorruptError, Manifest
from embeddings.index.protocol import Sentence

CHUNKS_FILE = "chunks.jsonl"
VECTORS_FILE = "vectors.npy"
ANN_FILE = "ann.faiss"
SENTENCE_ANN_FILE = "sentences.faiss"
SENTENCES_FILE = "sentences.jsonl"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
DATA_FILES = (
    CHUNKS_FILE,
    VECTORS_FILE,
    ANN_FILE,
    SENTENCES_FILE,
    SENTENCE_VECTORS_FILE,
    SENTENCE_ANN_FILE,
)

Parts = tuple[list[Chunk], np.ndarray, faiss.Index, list[Sentence], np.ndarray, faiss.Index]


def _read_ann(path: Path, settings: AnnSettings | None) -> faiss.Index:
    ann = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
    apply_search_params(ann, AnnSpec.from_dict(settings))
    return ann


def read_parts(version: Path, manifest: Manifest) -> Parts:
    """Chunks, their vectors and FAISS index, sentences, theirs and theirs, of a version whose
    file checksums were verified."""
    try:
        chunks = read_jsonl(version / CHUNKS_FILE, Chunk)
        sentences = read_jsonl(version / SENTENCES_FILE, Sentence)
        vectors = read_npy(version / VECTORS_FILE)
        sentence_vectors = read_npy(version / SENTENCE_VECTORS_FILE)
        ann = _read_ann(version / ANN_FILE, manifest.ann)
        sentence_ann = _read_ann(version / SENTENCE_ANN_FILE, manifest.sentence_ann)
    except (ValueError, TypeError, KeyError, RuntimeError, OSError) as error:
        raise IndexCorruptError(
            f"index in {version} cannot be read ({error}); {RECOVERY}"
        ) from error
    dim = manifest.dimension
    if (
        vectors.shape != (len(chunks), dim)
        or sentence_vectors.shape != (len(sentences), dim)
        or ann.ntotal != len(chunks)
        or sentence_ann.ntotal != len(sentences)
    ):
        raise IndexCorruptError(
            f"index in {version} is inconsistent: {len(chunks)} chunks, vectors "
            f"{vectors.shape}, {ann.ntotal} in FAISS, {len(sentences)} sentences, "
            f"sentence vectors {sentence_vectors.shape}; {RECOVERY}"
        )
    return chunks, vectors, ann, sentences, sentence_vectors, sentence_ann
