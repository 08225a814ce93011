"""A FAISS index on disk: versions, the manifest that describes one, and checksums of its files.

    INDEX_DIR/CURRENT            name of the live version (replaced atomically)
    INDEX_DIR/v-<time>-<pid>/    manifest.json, its checksum (manifest.sha256) and the data
                                 files of one index version (`layout.py`)

A save writes a whole new version beside the live one and then swaps `CURRENT` with
`os.replace`, so a crash at any moment leaves the previous version readable. The live version is
resolved once per load: a reader never mixes the manifest of one version with the files of
another. Nothing is ever unpickled: arrays are read with `allow_pickle=False`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np

from embeddings import files
from embeddings.index.articles import decode_articles, encode_articles
from embeddings.index.manifest import (
    RECOVERY,
    IndexCorruptError,
    IndexMissingError,
    IndexUnusableError,
    Manifest,
    decode_manifest,
    encode_manifest,
    manifest_checksum,
    package_versions,
)

POINTER_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
# The article records, apart from the manifest (`embeddings/index/articles.py`).
ARTICLES_FILE = "articles.jsonl"
# The manifest's sha256, written beside it before the version goes live.
MANIFEST_CHECKSUM_FILE = "manifest.sha256"
T = TypeVar("T")


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


def read_live(index_dir: Path, read: Callable[[Path], T], attempts: int = 10) -> T:
    """`read(version)` of the live version. The version is resolved once per attempt, so a
    reader never mixes two versions; when a save replaced (and removed) it mid-read, the read
    starts again on the new one instead of calling the index damaged."""
    for attempt in range(1, attempts + 1):
        pointed = _pointer(index_dir)
        try:
            return read(live_version(index_dir))
        except (IndexUnusableError, OSError):
            # Resolving the version can lose the race too: CURRENT read, then that version
            # removed by the save that replaced it. Only a pointer that stayed put is damage.
            if attempt == attempts or _pointer(index_dir) == pointed:
                raise
    raise AssertionError("unreachable")


def _pointer(index_dir: Path) -> str | None:
    try:
        return (index_dir / POINTER_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_manifest(index_dir: Path) -> Manifest:
    """The manifest of the live version."""
    return read_live(index_dir, manifest_of)


def manifest_of(version: Path) -> Manifest:
    """The manifest of one version folder (from `live_version`), checked against its checksum
    and the schema, with its article table (checked against its checksum, parsed lazily)."""
    path = version / MANIFEST_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise IndexCorruptError(f"the index manifest {path} is missing; {RECOVERY}") from error
    try:
        checksum: str | None = (version / MANIFEST_CHECKSUM_FILE).read_text("ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        checksum = None
    manifest = decode_manifest(data, checksum, str(path))
    table = version / ARTICLES_FILE
    try:
        manifest.articles = decode_articles(
            table.read_bytes(), manifest.articles_sha256, str(table)
        )
    except FileNotFoundError as error:
        raise IndexCorruptError(f"index file {table} is missing; {RECOVERY}") from error
    return manifest


def verify_files(version: Path, manifest: Manifest, names: Sequence[str]) -> None:
    """Every data file is present and matches the checksum its manifest recorded."""
    for name in names:
        path = version / name
        try:
            digest = files.sha256_file(path)
        except FileNotFoundError as error:
            raise IndexCorruptError(f"index file {path} is missing; {RECOVERY}") from error
        if digest != manifest.files.get(name):
            raise IndexCorruptError(
                f"index file {path} does not match its checksum in the manifest "
                f"(truncated or modified); {RECOVERY}"
            )


def read_npy(path: Path) -> np.ndarray:
    # Memory-mapped: a query reads the rows it needs (a few vectors, the postings of its
    # tokens), so a large corpus does not have to fit in RAM or be read to start.
    return np.load(path, allow_pickle=False, mmap_mode="r")


# -- writing ---------------------------------------------------------------------------------


def new_version(index_dir: Path) -> Path:
    """An empty version folder beside the live one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"v-{int(time.time())}-", dir=index_dir))


WRITE_ADVICE = (
    "the index in use is unchanged and the half-written version was removed; free some space "
    "(or ingest into another folder with --index), then run `python -m rag ingest` again"
)


@contextmanager
def writing_version(index_dir: Path) -> Iterator[Path]:
    """A new version folder to fill and publish. If the block fails before the version went
    live, the folder is removed (a full disk is not left full), and a full or read-only disk is
    raised as a `files.StorageError` that says so and what to do."""
    version: Path | None = None
    try:
        version = new_version(index_dir)
        yield version
    except OSError as error:
        plain = files.storage_error(error, index_dir, "a new index version")  # before the removal
        if version is not None and _pointer(index_dir) != version.name:
            shutil.rmtree(version, ignore_errors=True)
        if plain is None:
            raise
        raise files.StorageError(plain.errno, f"{plain}; {WRITE_ADVICE}") from error


def write_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def publish(index_dir: Path, version: Path, manifest: Manifest, names: Sequence[str]) -> None:
    """Write the article table, checksum it and the version's data files into its manifest,
    write that, and make the version live."""
    table = encode_articles(manifest.articles)
    files.write_file(version / ARTICLES_FILE, table)
    manifest.articles_sha256 = manifest_checksum(table)
    manifest.packages = package_versions()
    manifest.files = {name: files.sha256_file(version / name) for name in names}
    data = encode_manifest(manifest)
    files.write_file(version / MANIFEST_FILE, data)
    files.write_file(version / MANIFEST_CHECKSUM_FILE, manifest_checksum(data).encode("ascii"))
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
