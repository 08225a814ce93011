"""HTML for the indexing side of the page: the report of an upload or a removal, and the list of
indexed articles. Pure functions, no Gradio.

Titles, ids, dates and file names are untrusted: each is escaped and isolated in
`<bdi dir="auto">`, so an Arabic title in an English row (or a title full of direction marks)
cannot reorder the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from embeddings.index.manifest import Manifest
from service import notices as messages
from service.jobs import Job, Phase
from service.library import ArticlePage, ArticleRow
from service.notices import Notice, notice
from ui.render.html import esc, isolated, notice_html, render_notices
from ui.texts import text

MARKS = {"added": "✓", "unchanged": "=", "removed": "−", "rejected": "✗"}
REMOVABLE_LABEL = "Uploaded article to remove · مقال مرفوع لإزالته"
INDEXING = messages.notice("Indexing…", "جارٍ الفهرسة…")
# Direction controls (embeddings, overrides, isolates): stripped from the dropdown's plain text.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def render_report(notices: Sequence[Notice]) -> str:
    return f'<div class="upload-report">{render_notices(notices)}</div>'


def _phase(job: Job) -> Notice | None:
    if job.phase == Phase.QUEUED:
        return messages.queued(job.ahead)
    if job.phase == Phase.CHECKING:
        return messages.CHECKING
    if job.phase == Phase.WAITING:
        return messages.WAITING_FOR_LOCK
    if job.phase == Phase.INDEXING:
        return messages.embedding(*job.progress) if job.progress else INDEXING
    return None


def render_job(job: Job) -> str:
    """Where the job is, what became of each of its files, and (when done) the index's summary."""
    phase = _phase(job)
    parts = [render_notices([phase], "notice phase")] if phase else []
    if job.outcomes:
        items = "".join(
            f'<div class="outcome {o.status}">{notice_html(o.notice, MARKS[o.status])}'
            f"{render_notices(o.details, 'notice detail')}</div>"
            for o in job.outcomes
        )
        parts.append(f'<div class="outcomes">{items}</div>')
    parts.append(render_notices(job.summary, "notice summary"))
    return f'<div class="upload-report" data-phase="{job.phase}">{"".join(parts)}</div>'


MADE_TITLE = "first sentence of the article · أول جملة في المقال"


def _title_cell(row: ArticleRow) -> str:
    """The article's title, or (marked as such) its first sentence, or a dash."""
    if row.title:
        return f'<td dir="auto">{isolated(row.title)}</td>'
    if row.opening:
        return (
            f'<td dir="auto" class="made-title" title="{esc(MADE_TITLE)}">'
            f"{isolated(row.opening)}</td>"
        )
    return '<td dir="auto">—</td>'


def _row(row: ArticleRow) -> str:
    origin = "Uploaded · مرفوع" if row.uploaded else "Shipped · أصلي"
    date = f'<time dir="ltr" datetime="{esc(row.date)}">{esc(row.date)}</time>' if row.date else "—"
    return (
        f'<tr data-id="{esc(row.article_id)}" class="{"uploaded" if row.uploaded else "shipped"}">'
        f"{_title_cell(row)}<td>{date}</td>"
        f'<td dir="auto">{isolated(row.outlet or "—")}</td>'
        f'<td dir="ltr">{row.chunks}</td>'
        f'<td dir="auto"><code>{isolated(row.article_id)}</code></td><td>{origin}</td></tr>'
    )


def render_articles(page: ArticlePage) -> str:
    """One page of the indexed articles (uploaded ones first, each group by id), and where it
    is among the pages of what the search matched."""
    if not page.rows:
        key = "no_matching_articles" if page.query else "no_articles"
        return f'<div class="article-list-empty">{_bilingual(key)}</div>'
    rows = "".join(_row(row) for row in page.rows)
    head = (
        "<tr><th>Title · العنوان</th><th>Date · التاريخ</th><th>Outlet · المصدر</th>"
        "<th>Chunks · المقاطع</th><th>Id · المعرّف</th><th>Origin · الأصل</th></tr>"
    )
    where = _bilingual(
        "article_page", "articles_found", page=page.page + 1, pages=page.pages, count=page.total
    )
    return (
        f'<div class="article-list" data-page="{page.page}" data-pages="{page.pages}">'
        f'<div class="article-page">{where}</div>'
        f"<table><thead>{head}</thead><tbody>{rows}</tbody></table></div>"
    )


def _bilingual(*keys: str, **numbers: int) -> str:
    """The page's sentences `keys`, joined, in English then Arabic (numbers with separators)."""
    values = {name: f"{number:,}" for name, number in numbers.items()}
    en, ar = (
        " · ".join(text(key, language, **values) for key in keys) for language in ("en", "ar")
    )
    return notice_html(notice(en, ar))


def plain_label(text: str) -> str:
    """Untrusted text for a widget that shows plain text: no direction controls, one line."""
    return " ".join(_BIDI_CONTROLS.sub("", text).split())[:120]


def removable_choices(manifest: Manifest, uploaded: Mapping[str, object]) -> list[tuple[str, str]]:
    """(label, article id) of every uploaded article, for the removal dropdown."""
    return [
        (plain_label(f"{manifest.articles[i].title or manifest.articles[i].opening or i} ({i})"), i)
        for i in sorted(uploaded)
    ]
