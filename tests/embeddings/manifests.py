"""Edit a saved manifest the way a careless tool or a bug would, and seal it again.

The manifest carries its own checksum (`manifest.sha256`), so an edit alone is refused as
damage. Tests of what the reader does with a *valid-looking* manifest record the new checksum,
so only the schema and the reader's own checks can catch the change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from embeddings.files import sha256_file
from embeddings.index.faiss.store import MANIFEST_CHECKSUM_FILE, MANIFEST_FILE, live_version


def seal(version: Path) -> None:
    """Record the manifest's current sha256 beside it."""
    digest = sha256_file(version / MANIFEST_FILE)
    (version / MANIFEST_CHECKSUM_FILE).write_text(digest, encoding="ascii")


def edit_manifest(index_dir: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """Apply `change` to the live manifest's JSON, write it and seal it; returns its path."""
    version = live_version(index_dir)
    path = version / MANIFEST_FILE
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    seal(version)
    return path
