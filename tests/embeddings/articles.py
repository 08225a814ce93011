"""Helpers of the index tests: an article to add, a paragraph to change, and ways to damage an
index on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import (
    load_file,
)
from embeddings.files import sha256_file
from embeddings.index.faiss.store import ARTICLES_FILE, live_version
from tests.embeddings.manifests import edit_manifest

DIMENSION = 384
NEW_SENTENCE = "وأضاف المتحدث أن المحادثات بين الجانبين ستستمر الأسبوع المقبل في العاصمة الروسية."
NEW_ARTICLE = (
    "افتتاح معرض الكتاب في دمشق\n"
    "افتتحت وزارة الثقافة السورية معرض الكتاب السنوي في دمشق بمشاركة أكثر من مئتي دار نشر عربية.\n"
    "وقال منظمو المعرض إن الدورة الحالية تضم ندوات عن الترجمة والنشر الرقمي وأدب الأطفال.\n"
)

pytestmark = pytest.mark.slow


def version_dirs(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v-")}


def truncate(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 2
    path.write_bytes(data[: len(data) // 2])


def add_paragraph(path: Path) -> None:
    """Change an article: a new paragraph after its first one (the end may be site footer)."""
    before = load_file(path).articles[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, NEW_SENTENCE)
    path.write_text("\n".join(lines), encoding="utf-8")
    after = load_file(path).articles[0]
    assert NEW_SENTENCE in after.text and after.fingerprint != before.fingerprint


def refresh_checksum(index_dir: Path, name: str) -> None:
    """Record the current hash of a data file, so only the reader's own checks can catch it."""
    digest = sha256_file(live_version(index_dir) / name)
    if name == ARTICLES_FILE:
        edit_manifest(index_dir, lambda manifest: manifest.__setitem__("articles_sha256", digest))
    else:
        edit_manifest(index_dir, lambda manifest: manifest["files"].__setitem__(name, digest))
