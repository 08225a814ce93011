"""The HTML primitives every part of the page uses: escaping, a line's language and direction,
isolating untrusted text, and a bilingual notice."""

from __future__ import annotations

import html
from collections.abc import Sequence

from rag.question.language import Language
from service.notices import Notice

_LANG_ATTRS: dict[Language, str] = {"ar": 'dir="rtl" lang="ar"', "en": 'dir="ltr" lang="en"'}


def esc(value: str) -> str:
    return html.escape(value, quote=True)


def lang_attrs(language: Language) -> str:
    return _LANG_ATTRS[language]


def isolated(value: str) -> str:
    """Untrusted text (a title, an id, a file name) escaped and isolated in `<bdi dir="auto">`,
    so its direction cannot reorder the text around it."""
    return f'<bdi dir="auto">{esc(value)}</bdi>'


def notice_html(notice: Notice, mark: str = "") -> str:
    """Two paragraphs, English then Arabic, each opening with `mark` (ours, e.g. ✓); the
    notice's values are isolated."""
    values = {key: isolated(str(value)) for key, value in notice.values.items()}
    lead = f'<span class="mark" aria-hidden="true">{mark}</span> ' if mark else ""
    return (
        f"<p {lang_attrs('en')}>{lead}{esc(notice.en).format(**values)}</p>"
        f'<p {lang_attrs("ar")} class="msg-ar">{lead}{esc(notice.ar).format(**values)}</p>'
    )


def render_notices(notices: Sequence[Notice], css_class: str = "notice") -> str:
    return "".join(f'<div class="{css_class}">{notice_html(n)}</div>' for n in notices)


def error_notice_html(notice: Notice) -> str:
    """A notice as a chat message that reports a failure."""
    return f'<div class="msg-error" role="alert">{notice_html(notice)}</div>'
