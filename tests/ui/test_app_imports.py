"""The app on the default onnx backend builds its page and answers without importing torch,
transformers or sentence-transformers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import HEAVY, QUESTION, REPO, clean_env

APP = """
import sys
from rag.config import load_settings
from rag.pipeline import Pipeline
from ui.layout import build_app

settings = load_settings(index_dir=sys.argv[1])
pipeline = Pipeline.from_settings(settings)
build_app(pipeline, settings)
assert pipeline.ask(sys.argv[2]).render_text()
heavy = sorted(name for name in sys.modules if name.split(".")[0] in {heavy})
print(",".join(heavy))
"""


@pytest.mark.slow
def test_app_imports_no_torch(seed_index: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", APP.replace("{heavy}", repr(set(HEAVY))), str(seed_index), QUESTION],
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", result.stdout
