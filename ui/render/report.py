"""HTML for the indexing side of the page: the report of an upload or a removal, and the list of
indexed articles. Pure functions, no Gradio.

Titles, ids, dates and file names are untrusted: each is escaped and isolated in
`<bdi dir="auto">`, so an Arabic title in an English row (or a title full of direction marks)
cannot reorder the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from embeddings.index.manifest import ArticleRecord, Manifest
from service import notices as messages
from service.jobs import Job, Phase
from service.notices import Notice
from ui.render.html import esc, isolated, notice_html, render_notices

MARKS = {"added": "✓", "unchanged": "=", "removed": "−", "rejected": "✗"}
# Rows shown in the list; uploaded articles come first, so every removable one is shown.
MAX_LISTED = 300
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


def _title_cell(record: ArticleRecord) -> str:
    """The article's title, or (marked as such) its first sentence, or a dash."""
    if record.title:
        return f'<td dir="auto">{isolated(record.title)}</td>'
    if record.opening:
        return (
            f'<td dir="auto" class="made-title" title="{esc(MADE_TITLE)}">'
            f"{isolated(record.opening)}</td>"
        )
    return '<td dir="auto">—</td>'


def _row(article_id: str, manifest: Manifest, uploaded: bool) -> str:
    record = manifest.articles[article_id]
    origin = "Uploaded · مرفوع" if uploaded else "Shipped · أصلي"
    date = (
        f'<time dir="ltr" datetime="{esc(record.date)}">{esc(record.date)}</time>'
        if record.date
        else "—"
    )
    return (
        f'<tr data-id="{esc(article_id)}" class="{"uploaded" if uploaded else "shipped"}">'
        f"{_title_cell(record)}<td>{date}</td>"
        f'<td dir="auto">{isolated(record.outlet or "—")}</td>'
        f'<td dir="ltr">{record.chunks}</td>'
        f'<td dir="auto"><code>{isolated(article_id)}</code></td><td>{origin}</td></tr>'
    )


def render_articles(manifest: Manifest | None, uploaded: set[str]) -> str:
    """The indexed articles, uploaded ones first (each group by id)."""
    if manifest is None or not manifest.articles:
        return '<p class="article-list-empty">No articles indexed · لا مقالات مفهرسة</p>'
    ids = sorted(manifest.articles, key=lambda i: (i not in uploaded, i))
    rows = "".join(_row(i, manifest, i in uploaded) for i in ids[:MAX_LISTED])
    more = len(ids) - MAX_LISTED
    note = (
        f'<p class="more">{more:,} more not listed · و{more:,} مقالاً آخر غير معروض</p>'
        if more > 0
        else ""
    )
    head = (
        "<tr><th>Title · العنوان</th><th>Date · التاريخ</th><th>Outlet · المصدر</th>"
        "<th>Chunks · المقاطع</th>"
        "<th>Id · المعرّف</th><th>Origin · الأصل</th></tr>"
    )
    return (
        f'<div class="article-list"><table><thead>{head}</thead>'
        f"<tbody>{rows}</tbody></table>{note}</div>"
    )


def plain_label(text: str) -> str:
    """Untrusted text for a widget that shows plain text: no direction controls, one line."""
    return " ".join(_BIDI_CONTROLS.sub("", text).split())[:120]


def removable_choices(manifest: Manifest, uploaded: dict) -> list[tuple[str, str]]:
    """(label, article id) of every uploaded article, for the removal dropdown."""
    return [
        (plain_label(f"{manifest.articles[i].title or manifest.articles[i].opening or i} ({i})"), i)
        for i in sorted(uploaded)
    ]
