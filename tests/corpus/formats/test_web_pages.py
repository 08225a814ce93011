"""Main text of real news pages: the project's own extractor (markup.py, then cleaning) against
trafilatura, and the two combined as the loader does (corpus/formats/web.py).

The pages (tests/corpus/formats/pages/) are public test pages of extraction benchmarks, as
committed there: CNN Arabic's page from newspaper's test data (codelucas/newspaper) and DW's from
trafilatura's (adbar/trafilatura), with their `<script>`/`<style>` elements, comments and some
repeated menu entries and share links removed to keep them small; all their text is as served.
truth.json holds each article's paragraphs and a sample of the page's boilerplate (menus,
related stories, comment notices, footers), annotated here by reading the page. Measured: the
share of the article's words kept, and the share of boilerplate left out. Run with `-s` for
the table (the README quotes it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import clean_text
from corpus.formats.web import read_web_page
from corpus.loader import load_file
from corpus.markup import html_to_text
from tests.corpus.formats.scoring import boilerplate_left_out, kept

PAGES = Path(__file__).parent / "pages"
TRUTH = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))


def markup_text(html: str, path: Path) -> str:
    title, text = html_to_text(html)
    return clean_text(text, title=title).body


def trafilatura_text(html: str, path: Path) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True) or ""


def loader_text(html: str, path: Path) -> str:
    (article,) = load_file(path).articles
    return article.text


EXTRACTORS = {"markup.py": markup_text, "trafilatura": trafilatura_text, "loader": loader_text}


def test_the_loader_keeps_the_article_and_leaves_out_the_page_around_it() -> None:
    table = {}
    for name, truth in TRUTH.items():
        path = PAGES / name
        html = path.read_text(encoding="utf-8")
        article = "\n".join(truth["article"])
        table[name] = {
            extractor: (
                kept(article, text := extract(html, path)),
                boilerplate_left_out(truth["boilerplate"], text),
            )
            for extractor, extract in EXTRACTORS.items()
        }
    print("\npage                        " + "".join(f"{e:>22}" for e in EXTRACTORS))
    for name, row in table.items():
        print(f"{name:28}" + "".join(f"{k:>14.3f} / {b:.3f}" for k, b in row.values()))
    for row in table.values():
        loader_kept, loader_clean = row["loader"]
        assert loader_kept >= max(k for k, _ in row.values()) - 0.01
        assert loader_clean >= max(b for _, b in row.values())
        assert loader_clean > row["markup.py"][1]


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_a_page_states_its_title_date_and_outlet(name: str) -> None:
    truth = TRUTH[name]
    page, extracted = read_web_page((PAGES / name).read_text(encoding="utf-8"))
    assert extracted
    assert page.title == truth["title"]
    assert page.outlet == truth["outlet"]
    assert page.url == truth["url"]  # the canonical address the page states
    # A date is the day the page states in its markup, or none: never a guess (CNN Arabic's
    # page shows its date only in Arabic text; its address holds only the year).
    assert page.date in {truth["date"], None}
    assert page.date == ("2020-01-19" if name.startswith("dw.") else None)


def test_a_page_saved_from_an_address_is_known_by_its_canonical_address(tmp_path: Path):
    html = (PAGES / "arabic.cnn.com.syria.html").read_text(encoding="utf-8")
    fetched_from = "https://mirror.example/syria?utm_source=feed"
    saved = tmp_path / "page.html"
    saved.write_text(f"<!-- saved from url=({len(fetched_from):04d}){fetched_from} -->\n{html}")
    (article,) = load_file(saved).articles
    assert article.id == TRUTH["arabic.cnn.com.syria.html"]["url"]
    assert article.url == article.id and article.outlet == "CNNArabic"
    # Without the mark, a saved page is known by its file name, as before.
    plain = tmp_path / "plain.html"
    plain.write_text(html, encoding="utf-8")
    assert load_file(plain).articles[0].id == "plain"
