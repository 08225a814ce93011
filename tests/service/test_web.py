"""Pages added by address become uploads: fetched from a site on this machine, parsed in the
isolated worker, saved into the corpus's uploads folder, known by their canonical address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.loader import load_corpus
from rag.config import Settings
from service.web import admit_pages, fetch_pages, page_name, policy_of
from tests.service.site import HOST, Site, article_page, serve_site

BODY = "افتتح معرض دمشق الدولي للكتاب دورته الجديدة بمشاركة مئات دور النشر.\nوقال المنظمون إن المعرض يستمر عشرة أيام."


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as served:
        yield served


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.of(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "index",
        fetch_timeout=5.0,
        fetch_allowed_networks=f"{HOST}/32",
    )


def test_a_page_is_saved_as_an_upload_known_by_its_canonical_address(
    site: Site, settings: Settings
):
    canonical = "https://news.example/2025/book-fair"
    url = site.page("/book-fair?utm_source=x", article_page("معرض الكتاب", BODY, canonical))
    pages, failed = fetch_pages([url], policy_of(settings))
    assert failed == []
    (outcome,) = admit_pages(pages, settings, set())
    assert outcome.status == "added" and outcome.article_ids == (canonical,)
    assert outcome.notice.values["name"] == url  # the report names the page by its address
    (article,) = load_corpus(settings.ingest.corpus_dir).articles
    assert (article.id, article.title, article.url) == (canonical, "معرض الكتاب", canonical)
    assert article.text == BODY and "الرئيسية" not in article.text  # no menu, no footer
    # The same page again is unchanged; a changed page at that address is told apart.
    assert (
        admit_pages(fetch_pages([url], policy_of(settings))[0], settings, {canonical})[0].status
        == "unchanged"
    )
    site.page("/book-fair?utm_source=x", article_page("معرض الكتاب", BODY + "\nتحديث.", canonical))
    (again,) = admit_pages(fetch_pages([url], policy_of(settings))[0], settings, {canonical})
    assert again.status == "rejected" and "added before" in again.notice.text()


def test_a_refused_address_says_why_and_adds_nothing(site: Site, settings: Settings) -> None:
    pages, failed = fetch_pages([site.base + "/to-loopback", "ftp://x/y"], policy_of(settings))
    assert pages == [] and len(failed) == 2
    assert all(outcome.status == "rejected" for outcome in failed)
    assert "private network" in failed[0].notice.text() and "http://" in failed[1].notice.text()
    assert not (settings.ingest.corpus_dir / "uploads").exists()


def test_page_names_are_safe_and_distinct() -> None:
    names = {page_name(f"https://news.example/a/../../{n}?q=<x>") for n in range(50)}
    assert len(names) == 50 and all("/" not in n and n.endswith(".html") for n in names)
    assert page_name("https://news.example/a") == page_name("https://news.example/a")
