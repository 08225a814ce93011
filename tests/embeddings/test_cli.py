"""`python -m rag ingest` end to end, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS_DIR
from embeddings.index.faiss.store import ARTICLES_FILE, MANIFEST_FILE, live_version

REPO = Path(__file__).resolve().parents[2]


def run_rag(*args: str) -> subprocess.CompletedProcess[str]:
    # Only the command line decides: no settings from the caller's RAG_* environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_ingest_command_reports_and_skips_bad_files(tmp_path: Path) -> None:
    corpus_dir = Path(shutil.copytree(DEFAULT_CORPUS_DIR, tmp_path / "corpus"))
    (corpus_dir / "cp1256.txt").write_bytes("عنوان\nنص".encode("cp1256"))
    (corpus_dir / "empty.txt").write_bytes(b"")
    index_dir = tmp_path / "index"

    result = run_rag("ingest", "--corpus", str(corpus_dir), "--index", str(index_dir), "--quiet")
    output = result.stdout
    assert result.returncode == 0, result.stderr
    assert re.search(r"^articles\s+5 \(5 new, 0 changed, 0 unchanged, 0 removed\)", output, re.M)
    chunks = re.search(r"^chunks\s+(\d+) \((\d+) embedded", output, re.M)
    assert chunks and int(chunks[1]) == int(chunks[2]) > 0
    assert re.search(r"\d+\.\d chunks/s", output)
    assert re.search(r"^skipped\s+2 file\(s\)", output, re.M)
    assert re.search(r"cp1256\.txt: not valid UTF-8", output)
    assert re.search(r"empty\.txt: empty file", output)

    manifest = json.loads((live_version(index_dir) / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["dimension"] == 384
    assert manifest["model_id"] == "packaged:multilingual-e5-small"
    assert manifest["chunks"] == int(chunks[1])
    table = (live_version(index_dir) / ARTICLES_FILE).read_text(encoding="utf-8")
    assert len(table.splitlines()) == 5  # one line per article, apart from the manifest
