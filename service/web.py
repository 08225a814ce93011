"""Web pages added by address: fetched (service/fetching.py) and kept as files of the corpus.

A fetched page is saved as the HTML it was, decoded to UTF-8, with the "mark of the web" a
browser writes when it saves a page (`<!-- saved from url=(0042)https://... -->`): the loader
reads it and knows the article by the page's canonical address (corpus/loader.py). From then on
it is an upload like any other: staged, parsed in the isolated worker, saved into
`<corpus>/uploads/` by `service.uploads.admit`, listed and removable in the UI.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from corpus.isolated import IsolatedLoader
from rag.config import Settings
from service.fetching import PAGE_TYPES, FetchError, Policy, check_address, fetch
from service.indexing import STAGING_FOLDER
from service.notices import web as messages
from service.uploads import SAVED_FROM, Outcome, Staged, admit, safe_file_name, uploads_dir

_SLUG = re.compile(r"[^\w]+", re.UNICODE)
_NAME_CHARS = 80


@dataclass(frozen=True)
class Page:
    """A fetched page, as the corpus file it becomes."""

    address: str  # as the user or the feed gave it
    name: str
    data: bytes


def policy_of(settings: Settings) -> Policy:
    return Policy.of(settings.ingest.fetch_timeout, settings.ingest.fetch_allowed_networks)


def page_name(url: str) -> str:
    """A file name for the page at `url`: its host and path as a slug, and a hash of the whole
    address, so that two addresses never share a name and one address always has the same."""
    parts = urlsplit(url)
    slug = _SLUG.sub("-", f"{parts.hostname or ''} {parts.path}").strip("-")[:_NAME_CHARS]
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return safe_file_name(f"{slug or 'page'}-{digest}.html") or f"page-{digest}.html"


def fetch_page(address: str, policy: Policy) -> Page:
    """The page at `address`, ready to stage; FetchError says why not."""
    fetched = fetch(check_address(address), PAGE_TYPES, policy)
    mark = SAVED_FROM + f"{len(fetched.url):04d}){fetched.url} -->\n".encode()
    return Page(address, page_name(fetched.url), mark + fetched.text().encode("utf-8"))


def fetch_pages(addresses: Sequence[str], policy: Policy) -> tuple[list[Page], list[Outcome]]:
    """The pages that could be fetched, and an outcome saying why for each that could not."""
    pages, failed = [], []
    for address in addresses:
        try:
            pages.append(fetch_page(address, policy))
        except FetchError as error:
            failed.append(Outcome("rejected", messages.fetch_failed(address, error.notice)))
    return pages, failed


def stage_pages(pages: Sequence[Page], failed: Sequence[Outcome], staging_root: Path) -> Staged:
    """A staging folder holding `pages` (for the indexing queue), after the refused ones."""
    staging_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="web-", dir=staging_root))
    staged = Staged(folder, list(failed))
    for page in pages:
        target = folder / page.name
        if not target.exists():  # the same page twice in one request
            target.write_bytes(page.data)
            staged.entries.append(target)
    return staged


def admit_pages(pages: Sequence[Page], settings: Settings, known: set[str]) -> list[Outcome]:
    """Parse and save `pages` into the corpus's uploads folder now (the command line's way; the
    app queues them instead), each as `service.uploads.admit` does for an upload."""
    staged = stage_pages(pages, [], settings.index.path / STAGING_FOLDER)
    try:
        with IsolatedLoader(settings.ingest.parse_time_limit) as loader:
            uploads = uploads_dir(settings.ingest.corpus_dir)
            return [admit(path, uploads, known, loader) for path in staged.files]
    finally:
        if staged.folder is not None:
            shutil.rmtree(staged.folder, ignore_errors=True)
