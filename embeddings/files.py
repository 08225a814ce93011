"""Durable writes and checksums, which every saved model folder and index version relies on, and
what a failed write means for the person who has to fix it (`storage_error`)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

# Below this much free space, a write that failed without saying why failed for lack of room
# (numpy's `tofile` raises "N requested and M written" with no errno).
NEARLY_FULL_BYTES = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_file(path: Path, data: bytes) -> None:
    """Write and fsync, so a file that a later rename publishes is on disk first."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StorageError(OSError):
    """A write refused by the disk, said plainly: `errno` is ENOSPC (full), EROFS (read-only)
    or EACCES (no permission); the message names the folder and what was being written."""

    def __str__(self) -> str:
        return str(self.strerror)


def _free_bytes(folder: Path) -> int | None:
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def storage_error(error: OSError, folder: Path, what: str) -> StorageError | None:
    """`error`, raised while writing `what` into `folder`, as a StorageError when the disk is
    full, read-only or forbidden; None for any other failure."""
    free = _free_bytes(folder)
    code = error.errno
    if code in (errno.ENOSPC, errno.EDQUOT) or (
        code is None and free is not None and free < NEARLY_FULL_BYTES
    ):
        shown = f"{free / 1024 / 1024:.1f} MB free" if free is not None else "full"
        return StorageError(
            errno.ENOSPC, f"no space left on the disk of {folder} while writing {what} ({shown})"
        )
    if code == errno.EROFS:
        return StorageError(
            errno.EROFS, f"{folder} is on a read-only file system; cannot write {what}"
        )
    if code in (errno.EACCES, errno.EPERM):
        return StorageError(errno.EACCES, f"no permission to write {what} in {folder}")
    return None
