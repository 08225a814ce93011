"""`python -m rag ask` as a user runs it: on the default onnx backend it answers without
importing torch, transformers or sentence-transformers (seconds and hundreds of MB each start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "sentence_transformers")
QUESTION = "من استقبل وزير الخارجية السوري في الكرملين؟"


def imported_modules(importtime_log: str) -> set[str]:
    """Module names from `python -X importtime` output on stderr."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def clean_env() -> dict[str, str]:
    """No settings from the caller's RAG_* environment: the defaults decide the backend."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}


@pytest.mark.slow
def test_ask_imports_no_torch(seed_index: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "rag",
            "ask",
            "--index",
            str(seed_index),
            QUESTION,
        ],
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "[1]" in result.stdout  # a cited answer, not a refusal
    modules = imported_modules(result.stderr)
    assert "onnxruntime" in modules
    heavy = {name for name in modules if name.split(".")[0] in HEAVY}
    assert not heavy, sorted(heavy)[:10]
