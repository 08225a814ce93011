"""A real small disk for the full-disk and read-only tests: a tmpfs of a few megabytes mounted
for one test (root can mount one; CI runs as root), filled to a chosen free space, or remounted
read-only (root ignores file permissions, a read-only mount it cannot)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = ".filler"


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@contextmanager
def small_disk(mountpoint: Path, megabytes: float) -> Iterator[Path]:
    """A tmpfs of `megabytes` at `mountpoint` (made), unmounted after the block."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mountpoint.mkdir(parents=True, exist_ok=True)
    size = f"size={int(megabytes * 1024)}k"
    mounted = _mount("-t", "tmpfs", "-o", size, "tmpfs", str(mountpoint))
    assert mounted.returncode == 0, f"cannot mount a tmpfs: {mounted.stderr}"
    try:
        yield mountpoint
    finally:
        _mount("-o", "remount,rw", str(mountpoint))
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def fill(disk: Path, leave: int = 0) -> None:
    """Fill `disk` with a filler file until only `leave` bytes are free (0: full)."""
    filler = disk / FILLER
    filler.unlink(missing_ok=True)
    room = max(0, free_bytes(disk) - leave)
    with filler.open("wb", buffering=0) as handle:
        try:
            while room > 0:
                room -= handle.write(b"\0" * min(room, 1 << 20))
        except OSError:
            pass  # full: as asked
    assert free_bytes(disk) <= leave + 4096, (free_bytes(disk), leave)


def empty(disk: Path) -> None:
    (disk / FILLER).unlink(missing_ok=True)


def read_only(disk: Path, on: bool = True) -> None:
    done = _mount("-o", "remount," + ("ro" if on else "rw"), str(disk))
    assert done.returncode == 0, done.stderr
