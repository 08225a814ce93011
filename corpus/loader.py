"""Load articles from a folder of .txt, .md, .html/.htm, .jsonl, .pdf and .docx files.

Loading never raises for a bad input: every problem becomes a `LoadError` with the file (or
`file:line`) and a reason a user can act on, and the remaining files still load. Loading here
runs in the calling process; corpus.isolated runs the same `load_file` in a worker process
with a time limit per file, for servers that load files users send.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.article import Article
from corpus.cleaning import CleanedText, clean_text
from corpus.facts import article_date, outlet_of_url, title_from_file_name
from corpus.formats import Document, FormatError, read_docx, read_pdf, read_web_page
from corpus.formats.document import WEB_ADDRESS
from corpus.limits import MAX_FILE_BYTES
from corpus.markup import markdown_to_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".pdf", ".docx")
_BINARY = {".pdf": read_pdf, ".docx": read_docx}
# The reason a second article with an id already loaded is skipped (its prefix).
DUPLICATE_ID = "duplicate article id"
_UTF8_BOM = b"\xef\xbb\xbf"
# The "mark of the web" a browser writes at the top of a page it saves.
_SAVED_FROM = re.compile(r"\A\ufeff?\s*<!--\s*saved from url=\(\d{4}\)(https?://[^\s>]+?)\s*-->")


@dataclass(frozen=True)
class LoadError:
    source: str
    reason: str


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


class _Rejected(Exception):
    """The input cannot become an article; the message is the user-facing reason."""


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise _Rejected(f"unreadable: {error.strerror or error}") from error
    if size > MAX_FILE_BYTES:
        raise _Rejected(f"file too large: {size} bytes (limit {MAX_FILE_BYTES} bytes)")


def _read_text(path: Path) -> str:
    _check_size(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _Rejected(f"unreadable: {error.strerror or error}") from error
    if len(data) > MAX_FILE_BYTES:  # grew between stat and read
        raise _Rejected(f"file too large: {len(data)} bytes (limit {MAX_FILE_BYTES} bytes)")
    if b"\x00" in data:
        raise _Rejected("binary file (contains NUL bytes); expected UTF-8 text")
    bom = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Rejected(f"not valid UTF-8 (invalid byte at offset {bom + error.start})") from None
    if not text.strip():
        raise _Rejected("empty file" if not text else "empty file (only whitespace)")
    return text


def _check_id(article_id: str) -> None:
    if not article_id.strip():
        raise _Rejected("empty article id")
    # Ids end up in chunk ids, index keys and citations; they must be one safe path component,
    # or the web address of a fetched page.
    if WEB_ADDRESS.fullmatch(article_id):
        pass
    elif "/" in article_id or "\\" in article_id or article_id in {".", ".."}:
        raise _Rejected(f"invalid article id {article_id!r}: must not be a path")
    if any(unicodedata.category(char) == "Cc" for char in article_id):
        raise _Rejected(f"invalid article id {article_id!r}: contains control characters")
    # Bidi overrides and isolates (U+202E, U+2066-2069) and other invisible format characters
    # make an id display as a different one, in citations and in the index.
    formats = sorted(
        {f"U+{ord(char):04X}" for char in article_id if unicodedata.category(char) == "Cf"}
    )
    if formats:
        raise _Rejected(
            f"invalid article id {article_id!r}: contains invisible format characters"
            f" ({', '.join(formats)}), such as bidi overrides"
        )


def _article(
    article_id: str,
    cleaned: CleanedText,
    source: str,
    stated: Document | None = None,
) -> Article:
    """The article with its facts: what its file states (`stated`: url, date, outlet, author)
    first, then what the top of its text says (a date line, an outlet tag), then the site of
    its URL."""
    _check_id(article_id)
    if not cleaned.body:
        raise _Rejected("no article text left after cleaning")
    return Article.create(
        id=article_id,
        title=cleaned.title,
        text=cleaned.body,
        source=source,
        url=stated.url if stated else None,
        date=article_date(stated.date if stated else None, cleaned.date),
        outlet=(stated.outlet if stated else None)
        or cleaned.outlet
        or outlet_of_url(stated.url if stated else None),
        author=stated.author if stated else None,
    )


def _optional_string(record: dict[str, object], key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Rejected(f"'{key}' must be a string or null, got {type(value).__name__}")


def _required_string(record: dict[str, object], key: str) -> str:
    value = _optional_string(record, key)
    if value is None or not value.strip():
        raise _Rejected(f"missing or empty '{key}'")
    return value


def _jsonl_article(line: str, source: str) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise _Rejected(f"invalid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:  # "[[[[..." deeper than the decoder's recursion limit
        raise _Rejected("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise _Rejected(f"expected a JSON object, got {type(record).__name__}")
    article_id = _required_string(record, "id")
    text = _required_string(record, "text")
    title = _optional_string(record, "title")
    # The record states its title (or that it has none), so none is guessed from the text.
    cleaned = clean_text(text, title=title, detect_title=False)
    stated = Document(
        text,
        url=_optional_string(record, "url"),
        date=_optional_string(record, "date"),
        outlet=_optional_string(record, "outlet"),
        author=_optional_string(record, "author"),
    )
    return _article(article_id, cleaned, source, stated)


def _load_jsonl(path: Path, text: str) -> LoadResult:
    result = LoadResult()
    # Split on "\n" only: str.splitlines would also break at U+2028, which JSON allows in strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        try:
            result.articles.append(_jsonl_article(line, source))
        except _Rejected as rejected:
            result.errors.append(LoadError(source, str(rejected)))
    return _without_duplicate_ids(result)


def _web_article(path: Path, html: str) -> Article:
    """A web page's article: trafilatura's text and metadata (corpus/formats/web.py). A page
    saved with the address it came from (`<!-- saved from url=(0023)https://... -->` at its top,
    as browsers and service/fetching.py save pages) is known by its canonical address; any other
    page by its file name."""
    saved_from = _SAVED_FROM.match(html)
    url = saved_from.group(1) if saved_from else None
    page, extracted = read_web_page(html, url)
    cleaned = clean_text(page.text, title=page.title, markers=not extracted)
    article_id = (page.url or url) if url else path.stem
    return _article(article_id, cleaned, str(path), page)


def _load_document(path: Path, text: str) -> Article:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return _article(path.stem, _titled(clean_text(text), path), str(path))
    if suffix == ".md":
        title, plain = markdown_to_text(text)
        return _article(path.stem, _titled(clean_text(plain, title=title), path), str(path))
    return _web_article(path, text)


def _titled(cleaned: CleanedText, path: Path) -> CleanedText:
    """The file's name titles an article that states no title, when it is made of words."""
    if cleaned.title is not None:
        return cleaned
    return replace(cleaned, title=title_from_file_name(path.stem))


def _load_binary(path: Path) -> Article:
    _check_size(path)
    try:
        document = _BINARY[path.suffix.lower()](path)
    except FormatError as error:
        raise _Rejected(str(error)) from None
    cleaned = _titled(clean_text(document.text, title=document.title), path)
    return _article(path.stem, cleaned, str(path), document)


def _without_duplicate_ids(result: LoadResult) -> LoadResult:
    """Keep the first article of each id; later ones become errors naming the first."""
    first_source: dict[str, str] = {}
    unique = LoadResult(errors=list(result.errors))
    for article in result.articles:
        if article.id in first_source:
            first = first_source[article.id]
            reason = f"{DUPLICATE_ID} {article.id!r} (already loaded from {first})"
            unique.errors.append(LoadError(article.source, reason))
        else:
            first_source[article.id] = article.source
            unique.articles.append(article)
    return unique


def load_file(path: Path) -> LoadResult:
    """Articles from one file: one for .txt/.md/.html/.htm, one per line for .jsonl."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        return LoadResult(errors=[LoadError(str(path), f"unsupported file type {shown}")])
    return _guarded(path, lambda: _load_any(path, suffix))


def _load_any(path: Path, suffix: str) -> LoadResult:
    if suffix in _BINARY:
        return LoadResult(articles=[_load_binary(path)])
    text = _read_text(path)
    if suffix == ".jsonl":
        return _load_jsonl(path, text)
    return LoadResult(articles=[_load_document(path, text)])


def _guarded(path: Path, load: Callable[[], LoadResult]) -> LoadResult:
    try:
        return load()
    except _Rejected as rejected:
        return LoadResult(errors=[LoadError(str(path), str(rejected))])
    except Exception as error:  # one malformed file must not stop a corpus load
        reason = f"unexpected error: {type(error).__name__}: {error}"
        return LoadResult(errors=[LoadError(str(path), reason)])


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def load_corpus(directory: Path, load: Callable[[Path], LoadResult] = load_file) -> LoadResult:
    """All supported files under `directory`, recursively, in path order; hidden files and
    folders are skipped and unsupported files are reported. Each file is loaded by `load`:
    `load_file` here, or `IsolatedLoader.load_file` (corpus.isolated) with a time limit."""
    if not directory.is_dir():
        return LoadResult(errors=[LoadError(str(directory), "not a directory")])
    paths = sorted(
        path for path in directory.rglob("*") if path.is_file() and not _is_hidden(path, directory)
    )
    combined = LoadResult()
    for path in paths:
        loaded = load(path)
        combined.articles.extend(loaded.articles)
        combined.errors.extend(loaded.errors)
    return _without_duplicate_ids(combined)
