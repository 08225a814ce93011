"""Helpers of the tests that run the CLI or the app as a fresh process and read what it imported."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
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
