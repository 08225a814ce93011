"""The same answers from either index backend: every seed question cites the same chunks on
FAISS and on Milvus (real milvus-lite), and the command line works end to end on Milvus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.datasets import SHARED_EVAL_DIR
from rag.config import load_settings
from rag.pipeline import Pipeline
from rag.schema import Answer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]
SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"
QUESTION = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟"


def cited(answer: Answer) -> tuple:
    return answer.refused, [c.passage.chunk.id for c in answer.citations], answer.text


def test_every_seed_question_gets_the_same_answer_and_citations_on_both_backends(
    embedder, seed_index: Path, milvus_seed: Path
) -> None:
    faiss = Pipeline.from_settings(load_settings(index_dir=seed_index), embedder)
    milvus = Pipeline.from_settings(
        load_settings(index_dir=milvus_seed, index_backend="milvus"), embedder
    )
    questions = [json.loads(line)["question"] for line in SEED_QA.read_text().splitlines()]
    assert len(questions) >= 20
    for question in questions:
        assert cited(milvus.ask(question)) == cited(faiss.ask(question)), question


def _rag(*args: str, backend: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        cwd=ROOT,
        env={**env, "RAG_INDEX_BACKEND": backend, "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ingest_and_ask_from_the_command_line_on_milvus(
    embedder, seed_index: Path, tmp_path: Path
) -> None:
    """`RAG_INDEX_BACKEND=milvus python -m rag ingest && ... ask`, as the README says."""
    index = str(tmp_path / "index")
    built = _rag("ingest", "--index", index, "--quiet", backend="milvus")
    assert built.returncode == 0, built.stderr[-2000:]
    assert "milvus.db" in built.stdout and "5 new" in built.stdout
    asked = _rag("ask", "--index", index, QUESTION, "--json", backend="milvus")
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert "Traceback" not in asked.stderr and "Warning" not in asked.stderr
    milvus = json.loads(asked.stdout)
    faiss = Pipeline.from_settings(load_settings(index_dir=seed_index), embedder).ask(QUESTION)
    assert not milvus["refused"] and milvus["citations"]
    assert [c["chunk_id"] for c in milvus["citations"]] == [
        c.passage.chunk.id for c in faiss.citations
    ]
    assert milvus["answer"] == faiss.text
