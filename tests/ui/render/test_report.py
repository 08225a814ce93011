"""The indexing side's HTML: untrusted titles, ids and file names are escaped and isolated, and no
notice carries a server path."""

from __future__ import annotations

from embeddings.index.manifest import ArticleRecord, Manifest
from service import notices as messages
from service.jobs import Job, Phase
from service.library import ArticlePage, ArticleRow
from service.uploads import Outcome
from ui.render.report import plain_label, removable_choices, render_articles, render_job

HOSTILE = "<img src=x onerror=alert(1)>\u202eevil"


def _manifest() -> Manifest:
    records = {
        "seed": ArticleRecord("f1", "خبر أصلي", "/srv/corpus/seed.txt", 3, date="2025-02-01"),
        "up": ArticleRecord("f2", HOSTILE, "/srv/corpus/uploads/up.txt", 1),
    }
    return Manifest("m", "w", 4, {}, records, None)


def _page(**changes: object) -> ArticlePage:
    rows = [
        ArticleRow("up", HOSTILE, None, None, 1, True),
        ArticleRow("seed", "خبر أصلي", "2025-02-01", "عكاظ", 3, False),
    ]
    return ArticlePage(
        **{"rows": rows, "page": 1, "pages": 40, "total": 1_999, "query": ""} | changes
    )


def test_article_list_escapes_and_isolates_untrusted_text():
    html = render_articles(_page())
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<bdi dir="auto">خبر أصلي</bdi>' in html and '<bdi dir="auto">عكاظ</bdi>' in html
    assert html.index('data-id="up"') < html.index('data-id="seed"')  # in the order given
    assert "2025-02-01" in html and "/srv" not in html
    assert 'class="uploaded"' in html and 'class="shipped"' in html


def test_article_list_says_where_the_page_is_in_both_languages():
    html = render_articles(_page())
    assert 'data-page="1" data-pages="40"' in html
    assert "Page 2 of 40 · Articles: 1,999" in html and "الصفحة 2 من 40" in html
    assert "عدد المقالات: 1,999" in html
    assert 'lang="ar"' in html and 'lang="en"' in html
    empty = render_articles(_page(rows=[], total=0, pages=1, page=0))
    assert "No articles indexed" in empty and "لا مقالات مفهرسة" in empty
    unmatched = render_articles(_page(rows=[], total=0, pages=1, page=0, query="x"))
    assert "No article matches the search" in unmatched and "لا مقال يطابق البحث" in unmatched


def test_removal_choices_are_plain_one_line_labels():
    choices = removable_choices(_manifest(), {"up": None})
    assert choices == [(plain_label(f"{HOSTILE} (up)"), "up")]
    assert "\u202e" not in choices[0][0]
    assert plain_label("a\u2067b\n c") == "ab c"


def test_a_job_report_has_no_paths_and_speaks_both_languages():
    reason = messages.loader_reason(
        "duplicate article id 'x' (already loaded from /srv/corpus/.incoming/upload-1/a.jsonl:2)"
    )
    job = Job(
        phase=Phase.DONE,
        outcomes=[
            Outcome("rejected", messages.rejected("a.jsonl", reason)),
            Outcome("added", messages.added("b.txt", 2)),
        ],
        summary=[messages.index_updated(7, 2, 0, 0)],
    )
    html = render_job(job)
    assert "/srv" not in html and "a.jsonl:2" in html
    assert "معرّف المقال مكرر" in html and 'lang="ar"' in html and 'lang="en"' in html
    assert "chunks/s" not in html


def test_article_list_shows_title_date_and_outlet_and_names_an_untitled_one():
    rows = [
        ArticleRow("titled", "عنوان", "2025-06-04", "سانا", 2, False),
        ArticleRow("untitled", None, None, None, 1, False, opening="استقبل بوتين الشيباني."),
    ]
    html = render_articles(_page(rows=rows, total=2))
    titled = html[html.index('data-id="titled"') :].split("</tr>")[0]
    assert '<time dir="ltr" datetime="2025-06-04">2025-06-04</time>' in titled
    assert '<bdi dir="auto">سانا</bdi>' in titled
    untitled = html[html.index('data-id="untitled"') :].split("</tr>")[0]
    assert 'class="made-title"' in untitled and "استقبل بوتين الشيباني." in untitled
    assert untitled.count("—") == 2  # no date, no outlet: said so, not guessed
