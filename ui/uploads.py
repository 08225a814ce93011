"""Uploaded articles: file checks, and copying the good ones into the corpus folder."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus.loader import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, LoadResult, load_file

# Gradio refuses larger uploads outright; smaller ones that exceed MAX_FILE_BYTES get our message.
MAX_UPLOAD_BYTES = 4 * MAX_FILE_BYTES

_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_file_name(name: str) -> str | None:
    """A plain file name for the corpus folder, or None when nothing usable is left.

    Only the last path component is kept (either separator), control and other unsafe characters
    become '_', and leading dots go (hidden files are not loaded), so no name can leave the folder.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join("_" if unicodedata.category(ch).startswith("C") else ch for ch in base)
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip(" .")
    if not base or base in {".", ".."} or not Path(base).stem.strip("_"):
        return None
    if len(base) > 150:
        suffix = Path(base).suffix[:16]
        base = base[: 150 - len(suffix)] + suffix
    return base


@dataclass
class UploadResult:
    accepted: list[Path] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


class _Rejected(Exception):
    """The upload is not added to the corpus; the message is the user-facing reason."""


def _corpus_name(source: Path) -> str:
    name = safe_file_name(source.name)
    if name is None:
        raise _Rejected("not a usable file name")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        raise _Rejected(f"unsupported file type {suffix or '(none)'} (use {kinds})")
    return name


def _read_upload(source: Path) -> bytes:
    try:
        size = source.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Rejected(f"too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        with source.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _Rejected(f"unreadable ({error.strerror or error})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _Rejected(f"too large (limit {MAX_FILE_BYTES:,} bytes)")
    return data


def _load_as(name: str, data: bytes) -> LoadResult:
    """The articles in `data`, loaded under the file's final name so their ids match."""
    with tempfile.TemporaryDirectory(prefix="upload-") as staging:
        staged = Path(staging) / name
        staged.write_bytes(data)
        return load_file(staged)


def _save(destination: Path, data: bytes) -> None:
    try:
        with destination.open("xb") as handle:  # never overwrite
            handle.write(data)
    except FileExistsError:
        raise _Rejected(f"{destination.name} appeared in the corpus meanwhile; retry") from None
    except OSError as error:
        raise _Rejected(f"could not be saved ({error.strerror or error})") from None


def _accept(source: Path, corpus_dir: Path, known: set[str], result: UploadResult) -> None:
    """Add one upload to the corpus and to `result`, or raise _Rejected."""
    name = _corpus_name(source)
    data = _read_upload(source)
    destination = corpus_dir / name
    if destination.exists():
        if not (destination.is_file() and _same_bytes(destination, data)):
            raise _Rejected(
                f"a different file named {name} is already in the corpus; rename the upload"
            )
        result.unchanged.append(name)
        result.messages.append(f"= {name}: already in the corpus, unchanged")
        return
    loaded = _load_as(name, data)
    problems = [f"{Path(e.source).name}: {e.reason}" for e in loaded.errors]
    if not loaded.articles:
        raise _Rejected("; ".join(problems) or "no article found")
    clashes = sorted({a.id for a in loaded.articles} & known)
    if clashes:
        raise _Rejected(f"article id(s) already in the corpus: {', '.join(clashes)}")
    _save(destination, data)
    known.update(a.id for a in loaded.articles)
    result.accepted.append(destination)
    count = len(loaded.articles)
    note = f" ({len(problems)} line(s) skipped)" if problems else ""
    result.messages.append(f"✓ {name}: {count} article{'s' if count != 1 else ''} added{note}")
    result.messages += [f"    - {problem}" for problem in problems]


def accept_uploads(
    files: Sequence[str | Path],
    corpus_dir: Path,
    known_ids: set[str] | None = None,
) -> UploadResult:
    """Validate uploaded files and copy the good ones into `corpus_dir` under safe names.

    A file is accepted only if its type is supported, it is at most MAX_FILE_BYTES, `load_file`
    finds at least one article in it (checked under its final name, so ids match), none of its
    article ids is already in the index (`known_ids`) or earlier in this upload, and its name is
    free in the corpus folder. A file identical to the one already there is reported unchanged.
    """
    result = UploadResult()
    known = set(known_ids or ())
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for item in files:
        source = Path(item)
        try:
            _accept(source, corpus_dir, known, result)
        except _Rejected as rejected:
            result.messages.append(f"✗ {source.name}: {rejected}")
    return result
