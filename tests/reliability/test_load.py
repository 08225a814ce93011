"""`bench/load.py` runs end to end on a tiny load: it answers everything and stops by itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 900


def test_load_script_small_run(seed_index: Path, tmp_path: Path) -> None:
    figures = tmp_path / "load.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            "--index",
            str(seed_index),
            "--clients",
            "3",
            "--questions",
            "2",
            "--soak",
            "30",
            "--deadline",
            "300",
            "--soak-deadline",
            "300",
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,  # the script must stop by itself well before this
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    assert "load: done in" in result.stdout and "0 error(s)" in result.stdout
    data = json.loads(figures.read_text(encoding="utf-8"))
    load, soak = data["load"], data["soak"]
    assert load["errors"] == 0 and load["answered"] == load["planned"] == 6
    assert load["throughput_qps"] > 0 and load["p50_seconds"] <= load["p95_seconds"]
    assert soak["errors"] == 0 and soak["answered"] == soak["planned"] == 30
    assert len(soak["rss_samples"]) >= 2  # at the start and at the end
    assert "server RSS first" in result.stdout


def test_load_script_refuses_a_non_loopback_url() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", "--url", "http://192.0.2.1:7860/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "only loopback addresses are allowed" in result.stderr
