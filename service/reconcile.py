"""What is saved against what is indexed: the uploads a kill (or a refusal by the index) left
out of the index, which the indexing queue indexes at start and the page lets the user remove,
and what a re-index tells of the files it left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from corpus.loader import DUPLICATE_ID, SUPPORTED_SUFFIXES
from embeddings.ingest.incremental import IngestReport
from service import notices as messages
from service.notices import Notice
from service.uploads import PART_SUFFIX, source_file, upload_source, uploaded_file


def saved_uploads(uploads: Path) -> list[Path]:
    """The article files in the uploads folder (not the hidden part file of a save)."""
    if not uploads.is_dir():
        return []
    return sorted(
        path.resolve()
        for path in uploads.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and path.suffix.lower() in SUPPORTED_SUFFIXES
    )


def unindexed_uploads(uploads: Path, sources: Iterable[str]) -> list[Path]:
    """Saved uploads no indexed article comes from: the app stopped before indexing them, or
    the index refused them (an article id another file has)."""
    indexed = {uploaded_file(source, uploads) for source in sources}
    return [path for path in saved_uploads(uploads) if path not in indexed]


def removed_uploads(uploads: Path, sources: Iterable[str]) -> bool:
    """Whether an indexed article comes from an upload that is no longer saved (removed, then
    the app stopped before re-indexing)."""
    return any(
        (path := upload_source(source, uploads)) is not None and not path.is_file()
        for source in sources
    )


def remove_part_files(uploads: Path) -> None:
    """Remove what saves cut short by a kill left (`.name.<pid>.part` of a dead process)."""
    for part in uploads.glob(f".*{PART_SUFFIX}") if uploads.is_dir() else ():
        pid = part.suffixes[-2].lstrip(".") if len(part.suffixes) >= 2 else ""
        if pid.isdigit() and not _running(int(pid)):
            part.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _shown_source(source: str, corpus_dir: Path) -> str:
    try:
        return (
            os.path.relpath(source, corpus_dir)
            if Path(source).is_relative_to(corpus_dir)
            else Path(source).name
        )
    except ValueError:
        return Path(source).name


def ingest_summary(report: IngestReport, corpus_dir: Path) -> list[Notice]:
    """What a re-index did, and which files it left out: those whose article id another file
    already has are told apart from those that could not be read."""
    summary = [messages.index_updated(report.articles, report.new, report.changed, report.removed)]
    clashes = [e for e in report.skipped if e.reason.startswith(DUPLICATE_ID)]
    unread = [e for e in report.skipped if e not in clashes]
    if clashes:
        shown = dict.fromkeys(_shown_source(source_file(e.source), corpus_dir) for e in clashes)
        summary.append(messages.ids_used_elsewhere(list(shown)))
    if unread:
        summary.append(
            messages.corpus_skipped([_shown_source(e.source, corpus_dir) for e in unread])
        )
    return summary
