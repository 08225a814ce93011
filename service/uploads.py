"""Uploaded articles: staging what the browser sent, checking it, and saving the good files into
the corpus's uploads folder.

Two steps keep the request quick. `stage` runs in the request: it moves each file out of
Gradio's temporary folder (so nothing is left there) into a staging folder, with only the checks
that need no parsing (name, type, size). `admit` runs in the indexing worker: it parses the file
with `parse_upload`, the one place an upload is parsed, and saves it atomically into
`<corpus>/uploads/`, the only folder whose articles the UI may remove. Parsing is pure Python,
so `parse_upload` hands the file to a `corpus.isolated.IsolatedLoader` worker process: a hostile
file cannot hold the server's interpreter, and one that takes longer than the time limit is
refused with its own reason while the other files go on. No Gradio here.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus.isolated import IsolatedLoader
from corpus.loader import SUPPORTED_SUFFIXES, LoadResult
from embeddings import files
from service import notices as messages
from service.notices import UPLOAD_LIMIT_BYTES, Notice
from service.notices import web as web_messages
from service.notices.storage import not_stored

UPLOADS_FOLDER = "uploads"
PART_SUFFIX = ".part"  # `.name.<pid>.part`: a file being saved
SAVED_FROM = b"<!-- saved from url=("
_SAVED_ADDRESS = re.compile(rb"<!-- saved from url=\(\d{4}\)(\S+?) -->")
_MARK_BYTES = 2100  # the mark with the longest address fetched (service/fetching.py)
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\- ]+", re.UNICODE)
# Gradio keeps each upload in a folder named by the hash of its content.
_DIGEST_FOLDER = re.compile(r"[0-9a-f]{32,128}")
_JSONL_LINE = re.compile(r"(?<=\.jsonl):\d+$", re.IGNORECASE)


def saved_address(data: bytes) -> str | None:
    """The address a page fetched by address came from (service/web.py marks it as browsers
    do), to name it by in the report; None for any other file."""
    found = _SAVED_ADDRESS.match(data)
    return found.group(1).decode("ascii", "replace") if found else None


def uploads_dir(corpus_dir: Path) -> Path:
    return corpus_dir / UPLOADS_FOLDER


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


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded file (or one removal): `status` is added, unchanged, removed
    or rejected."""

    status: str
    notice: Notice
    article_ids: tuple[str, ...] = ()
    details: tuple[Notice, ...] = ()


@dataclass
class Staged:
    """One upload in its staging folder, in the user's order: each file staged under its name in
    the corpus, or refused before parsing (no folder when none could be made)."""

    folder: Path | None
    entries: list[Path | Outcome] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [entry for entry in self.entries if isinstance(entry, Path)]


class _Rejected(Exception):
    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.en)
        self.notice = notice


def _shown(name: str) -> str:
    """The user's file name as it may be shown (escaped later): no folders, no control chars."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))[:150]


def _corpus_name(original: str) -> str:
    name = safe_file_name(original)
    if name is None:
        raise _Rejected(messages.BAD_NAME)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _Rejected(messages.unsupported(suffix))
    return name


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _Rejected(messages.MISSING) from None
    except OSError:
        raise _Rejected(messages.UNREADABLE) from None
    if size > UPLOAD_LIMIT_BYTES:
        raise _Rejected(messages.too_large(size))


def discard(received: Path) -> None:
    """Delete a file Gradio received, and its content-hash folder once empty."""
    received.unlink(missing_ok=True)
    if _DIGEST_FOLDER.fullmatch(received.parent.name):
        # Another upload of the same content may still be there.
        with contextlib.suppress(OSError):
            received.parent.rmdir()


def _stored(error: OSError, folder: Path, what: str) -> _Rejected:
    """A failed write as the reason the user is given: the disk full or read-only, or else the
    file could not be read."""
    storage = files.storage_error(error, folder, what)
    return _Rejected(not_stored(storage, "upload") if storage else messages.UNREADABLE)


def _move(path: Path, target: Path) -> None:
    """Move one received file into staging; a copy cut short (a full disk) leaves nothing."""
    try:
        shutil.move(path, target)
    except OSError as error:
        target.unlink(missing_ok=True)
        raise _stored(error, target.parent, "an upload") from error


def stage(received: Sequence[tuple[str, Path]], staging_root: Path, max_files: int) -> Staged:
    """Move the received files (user's name, Gradio's path) into a new staging folder, the first
    `max_files` of them; every received file leaves Gradio's folder, staged or refused. When no
    staging folder can be made (the disk full or read-only) every file is refused with that
    reason and nothing is staged."""
    try:
        staging_root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=staging_root))
    except OSError as error:
        refused = _stored(error, staging_root, "an upload").notice
        for _, path in received:
            discard(path)
        return Staged(None, [_refused(original, refused) for original, _ in received])
    staged = Staged(folder)
    for number, (original, path) in enumerate(received):
        try:
            if number >= max_files:
                raise _Rejected(messages.too_many(max_files))
            target = folder / _corpus_name(original)
            if target.exists():
                raise _Rejected(messages.TWICE)
            _check_size(path)
            _move(path, target)
            staged.entries.append(target)
        except _Rejected as rejected:
            staged.entries.append(_refused(original, rejected.notice))
        finally:
            discard(path)
    return staged


def _refused(original: str, reason: Notice) -> Outcome:
    return Outcome("rejected", messages.rejected(_shown(original), reason))


def parse_upload(path: Path, loader: IsolatedLoader) -> LoadResult:
    """The articles in one uploaded file: every upload is parsed here and nowhere else, in
    `loader`'s worker process, so that the time limit can stop it."""
    return loader.load_file(path)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _save(destination: Path, data: bytes) -> None:
    """Write a hidden part file, then link it into place: the corpus never holds half a file,
    and an existing file is never overwritten."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(f".{destination.name}.{os.getpid()}{PART_SUFFIX}")
    try:
        files.write_file(part, data)
        os.link(part, destination)
    except FileExistsError:
        raise _Rejected(messages.NAME_TAKEN) from None
    except OSError as error:
        raise _stored(error, destination.parent, "an uploaded article") from None
    finally:
        part.unlink(missing_ok=True)
    files.fsync_dir(destination.parent)


def _skipped(loaded: LoadResult, staged: Path) -> tuple[Notice, ...]:
    prefix = str(staged)
    return tuple(
        messages.skipped_line(
            e.source.removeprefix(prefix).lstrip(":"), messages.loader_reason(e.reason)
        )
        for e in loaded.errors
    )


def _admit(
    staged: Path, shown: str, uploads: Path, known: set[str], loader: IsolatedLoader
) -> Outcome:
    """Admit `staged`, named `shown` in the report (its address, for a fetched page)."""
    _check_size(staged)
    data = staged.read_bytes()
    destination = uploads / staged.name
    if destination.exists():
        if destination.is_file() and _same_bytes(destination, data):
            return Outcome("unchanged", messages.unchanged(shown))
        page = shown != staged.name
        raise _Rejected(web_messages.PAGE_KNOWN if page else messages.NAME_TAKEN)
    loaded = parse_upload(staged, loader)
    if not loaded.articles:
        reasons = [messages.loader_reason(e.reason) for e in loaded.errors]
        raise _Rejected(reasons[0] if len(reasons) == 1 else messages.NO_ARTICLE)
    ids = [article.id for article in loaded.articles]
    clashes = sorted(set(ids) & known)
    if clashes:
        raise _Rejected(messages.ids_taken(clashes))
    _save(destination, data)
    known.update(ids)
    details = _skipped(loaded, staged) if staged.suffix.lower() == ".jsonl" else ()
    return Outcome("added", messages.added(shown, len(ids)), tuple(ids), details)


def admit(staged: Path, uploads: Path, known: set[str], loader: IsolatedLoader) -> Outcome:
    """Parse one staged file in `loader`'s worker and save it into `uploads` when it holds
    articles, none of whose ids is in `known` (which then gains them); a file identical to the
    one there is unchanged."""
    try:
        with staged.open("rb") as handle:
            shown = saved_address(handle.read(_MARK_BYTES)) or staged.name
    except OSError:
        shown = staged.name
    try:
        return _admit(staged, shown, uploads, known, loader)
    except _Rejected as rejected:
        return Outcome("rejected", messages.rejected(shown, rejected.notice))


def source_file(source: str) -> str:
    """The file an article's recorded source names (a .jsonl source adds `:line`)."""
    return _JSONL_LINE.sub("", source)


def upload_source(source: str, uploads: Path) -> Path | None:
    """The path in `uploads` an article's recorded source names (present or not), or None."""
    if UPLOADS_FOLDER not in source:  # cheap: most articles of a large corpus are not uploads
        return None
    path = Path(source_file(source))
    try:
        resolved, root = path.resolve(), uploads.resolve()
    except OSError:
        return None
    return resolved if resolved.parent == root else None


def uploaded_file(source: str, uploads: Path) -> Path | None:
    """The uploaded file an article's recorded source names, or None when it is not one (the
    shipped articles, a symlink out of the folder, a file gone since)."""
    path = upload_source(source, uploads)
    return path if path is not None and path.is_file() else None


def remove_upload(path: Path) -> None:
    path.unlink(missing_ok=True)
    files.fsync_dir(path.parent)
