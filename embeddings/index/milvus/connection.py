"""A client for Milvus: a milvus-lite file (its C++ engine runs as a child process of this one)
or a server (`http://host:19530`, Milvus standalone or Milvus Distributed), the same code.

milvus-lite quirks handled here: it creates a missing file silently, so a reader checks first;
the file name must be short and plain; one process per file, which this process claims first
(`engine.claim`: milvus-lite's own guard deletes itself); `MilvusClient.close` leaves the child
running, so `release_local` stops it. Calls go through `engine.Engine` (bounded, restarted).
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path
from typing import Any

from embeddings.index.manifest import IndexMissingError, IndexUnusableError
from embeddings.index.milvus.engine import READ_TIMEOUT, Engine, claim, stop_lite, unclaim

_SERVER = re.compile(r"^(unix|http|https|tcp|grpc)://", re.IGNORECASE)
_LITE_NAME = re.compile(r"[A-Za-z0-9.\-_]{1,35}\.db")


def is_local(uri: str) -> bool:
    """A milvus-lite file rather than a server address."""
    return not _SERVER.match(uri)


def import_pymilvus() -> None:
    """Import pymilvus and milvus-lite without milvus-lite's pkg_resources warning, every run,
    and without pymilvus's warning that milvus-lite serves no server-side timestamp to an
    iterator (reads are Strong anyway)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import milvus_lite  # noqa: F401
        import pymilvus  # noqa: F401
    # Its error logs repeat, as raw gRPC dumps, what the caller is told (engine.Engine).
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)


def connect(uri: str, *, token: str | None = None, must_exist: bool = True) -> Engine:
    """The engine at `uri`. A reader passes `must_exist=True` (milvus-lite would otherwise make
    an empty file and report no index instead of the wrong path)."""
    local = Path(uri) if is_local(uri) else None
    if local is not None:
        _check_local(local, must_exist)
        claim(local)
    import_pymilvus()
    return Engine(uri, local, lambda: _client(uri, token))


def _client(uri: str, token: str | None) -> Any:
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    try:
        return MilvusClient(uri, token=token or "", timeout=READ_TIMEOUT)
    except MilvusException as error:
        if is_local(uri):
            # This process holds the file's claim, so no other process of ours has it open.
            raise IndexUnusableError(
                f"the Milvus engine for {uri} could not be started: it stopped at once, or the "
                f"file is not a milvus-lite index ({error.message})"
            ) from error
        raise IndexUnusableError(f"cannot reach Milvus at {uri}: {error.message}") from error


def _check_local(path: Path, must_exist: bool) -> None:
    if not _LITE_NAME.fullmatch(path.name):
        raise IndexUnusableError(
            f"a milvus-lite index is a file named with at most 35 of A-Z a-z 0-9 . - _ and "
            f"ending in .db, not {path.name!r} (set RAG_MILVUS_URI)"
        )
    if must_exist and not path.is_file():
        raise IndexMissingError(
            f"no Milvus index at {path}; run `RAG_INDEX_BACKEND=milvus python -m rag ingest` to "
            "build it"
        )
    path.parent.mkdir(parents=True, exist_ok=True)


def release_local(uri: str) -> None:
    """Stop this process's milvus-lite child for `uri` and release this process's claim."""
    if is_local(uri):
        import_pymilvus()
        stop_lite(Path(uri))
        unclaim(Path(uri))
