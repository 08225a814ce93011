"""`python -m rag ask` as a user runs it: on the default onnx backend it answers without
importing torch, transformers or sentence-transformers (seconds and hundreds of MB each start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import HEAVY, QUESTION, REPO, clean_env, imported_modules


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
