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


@pytest.mark.slow
def test_ingest_adds_a_page_and_the_new_items_of_a_feed(tmp_path: Path, seed_index: Path) -> None:
    """`python -m rag ingest --url/--feed` against a site on this machine: the page and the
    feed's items join the index; a second run fetches nothing it has seen; a redirect to
    127.0.0.1 is refused with its reason and the rest still goes in."""
    import shutil

    from tests.service.site import HOST, article_page, rss, serve_site

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copytree(seed_index, index)
    for seed in sorted((REPO / "corpus" / "articles").glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    env = {**clean_env(), "RAG_FETCH_ALLOWED_NETWORKS": f"{HOST}/32"}
    with serve_site() as site:
        page = site.page(
            "/fair", article_page("معرض الكتاب", "افتتح معرض دمشق للكتاب دورته الجديدة.")
        )
        site.page("/port", article_page("ميناء طرطوس", "بدأت أعمال توسعة ميناء طرطوس هذا الأسبوع."))
        feed = site.feed("/feed.xml", rss(site.base, [("/port", "ميناء طرطوس")]))
        command = [sys.executable, "-m", "rag", "ingest", "--quiet", "--corpus", str(corpus)]
        command += ["--index", str(index), "--url", page, "--url", site.base + "/to-loopback"]

        def run(*extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*command, *extra], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
            )

        first = run("--feed", feed)
        assert first.returncode == 0, first.stderr[-2000:]
        assert "this machine or a private network" in first.stdout
        assert "2 new" in first.stdout, first.stdout  # the page and the feed's item
        second = run("--feeds")
        assert "0 new item(s) fetched, 1 seen before" in second.stdout
        assert site.hits["/port"] == 1
    saved = sorted(p.name for p in (corpus / "uploads").iterdir())
    assert len(saved) == 2 and all(name.endswith(".html") for name in saved)
