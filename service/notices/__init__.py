"""What the app tells users about uploads, indexing, removals and their session, in English and
Arabic (pages and feeds fetched from the web: `service.notices.web`).

A `Notice` is one sentence in both languages with named slots for untrusted values (file names,
titles, ids): the sentence is ours; the page escapes the values and isolates them in `<bdi>`
(`ui.render.html.notice_html`) so a right-to-left name cannot reorder the sentence around it. No
server path and no internal figure (chunks/s) reaches a notice; sizes are in MB.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.loader import MAX_FILE_BYTES, SUPPORTED_SUFFIXES

MB = 1024 * 1024
# One size limit everywhere: the upload label, our check and Gradio's own max_file_size.
UPLOAD_LIMIT_BYTES = MAX_FILE_BYTES
KINDS = ", ".join(SUPPORTED_SUFFIXES)


def megabytes(size: int) -> str:
    """`size` in MB to one decimal, rounded up, so a file over a limit never shows as equal."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Notice:
    en: str
    ar: str
    values: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """Both sentences as plain text (logs, tests)."""
        return f"{self.en.format(**self.values)} · {self.ar.format(**self.values)}"


def notice(en: str, ar: str, **values: object) -> Notice:
    return Notice(en, ar, {key: str(value) for key, value in values.items()})


# -- why an upload is refused -----------------------------------------------------------------

BAD_NAME = notice("The file name cannot be used.", "لا يمكن استخدام اسم الملف.")
UNREADABLE = notice("The file could not be read.", "تعذّرت قراءة الملف.")
MISSING = notice(
    "The file did not arrive completely; upload it again.",
    "لم يصل الملف كاملاً؛ ارفعه مرة أخرى.",
)
TWICE = notice(
    "This upload holds two files with the same name; only the first is used.",
    "يحتوي هذا الرفع على ملفين بالاسم نفسه؛ استُخدم الأول فقط.",
)
NAME_TAKEN = notice(
    "A different file with this name is already in the corpus; rename the file and upload it.",
    "يوجد في المجموعة ملف آخر بهذا الاسم؛ غيّر اسم الملف ثم ارفعه.",
)
NO_ARTICLE = notice("No article was found in the file.", "لم يُعثر على أي مقال في الملف.")


def unsupported(suffix: str) -> Notice:
    return notice(
        "Files of type {suffix} are not supported; use {kinds}.",
        "نوع الملف {suffix} غير مدعوم؛ استخدم {kinds}.",
        suffix=suffix or "(none)",
        kinds=KINDS,
    )


def too_large(size: int) -> Notice:
    return notice(
        "The file is {size} MB; the limit is {limit} MB.",
        "حجم الملف {size} ميغابايت، والحد الأقصى {limit} ميغابايت.",
        size=megabytes(size),
        limit=megabytes(UPLOAD_LIMIT_BYTES),
    )


def too_many(limit: int) -> Notice:
    return notice(
        "Only the first {limit} files of one upload are taken; upload this one again.",
        "يُقبل أول {limit} ملفاً فقط في الرفع الواحد؛ ارفع هذا الملف مرة أخرى.",
        limit=limit,
    )


def ids_taken(ids: Sequence[str]) -> Notice:
    return notice(
        "Article id(s) already in the corpus: {ids}.",
        "معرّفات مقالات موجودة في المجموعة من قبل: {ids}.",
        ids=", ".join(ids),
    )


# The loader's reasons (corpus/loader.py) are English sentences; each known one gets its Arabic.
_LOADER_REASONS_AR = (
    ("empty file", "الملف فارغ."),
    ("binary file", "الملف ثنائي وليس نصاً بترميز UTF-8."),
    ("not valid UTF-8", "الملف ليس نصاً صالحاً بترميز UTF-8."),
    ("file too large", "الملف أكبر من الحد المسموح."),
    ("unreadable", "تعذّرت قراءة الملف."),
    ("invalid JSON", "سطر JSON غير صالح."),
    ("expected a JSON object", "كل سطر يجب أن يكون كائن JSON."),
    ("missing or empty", "حقل مطلوب مفقود أو فارغ."),
    ("must be a string", "قيمة حقل يجب أن تكون نصاً."),
    ("empty article id", "معرّف المقال فارغ."),
    ("invalid article id", "معرّف المقال غير صالح."),
    ("no article text left", "لم يبقَ من المقال نص بعد التنظيف."),
    ("duplicate article id", "معرّف المقال مكرر في الملف."),
    ("unsupported file type", "نوع الملف غير مدعوم."),
    # corpus/formats: PDF, Word and web pages.
    (
        "no text layer",
        "ملف PDF هذا صور فقط (ممسوح ضوئياً؟) ولا نص فيه؛ احفظه مع نصه أو مرّره على التعرف الضوئي ثم ارفعه.",
    ),
    ("not a readable PDF", "تعذّرت قراءة ملف PDF هذا."),
    ("the PDF has no pages", "ملف PDF هذا بلا صفحات."),
    ("not a Word document", "هذا ليس مستند Word (.docx) صالحاً."),
    ("not a readable Word document", "تعذّرت قراءة مستند Word هذا."),
    # corpus/isolated.py: the file's parse was stopped at the time limit, or its worker died.
    ("took longer than", "استغرق تحليل الملف وقتاً أطول من الحد المسموح، فلم يُضف."),
    ("parser stopped unexpectedly", "توقف محلّل الملفات فجأة أثناء قراءة هذا الملف."),
)
# Anything that looks like a path (the loader names files by their full path).
_PATHS = re.compile(r"(?:[A-Za-z]:)?[\\/][^\s'\"(),]*")


def loader_reason(reason: str) -> Notice:
    """A loader's reason for the user: no paths, and in Arabic too."""
    english = _PATHS.sub(lambda m: re.split(r"[\\/]", m.group())[-1], reason).strip()
    english = english[:1].upper() + english[1:] + ("" if english.endswith((".", ")")) else ".")
    arabic = next((ar for key, ar in _LOADER_REASONS_AR if key in reason), "تعذّرت قراءة المقال.")
    return notice("{reason}", arabic, reason=english)


def skipped_line(where: str, reason: Notice) -> Notice:
    return Notice(
        "Line {where} skipped: " + reason.en,
        "تُرك السطر {where}: " + reason.ar,
        {"where": where, **reason.values},
    )


# -- what happened to each file ---------------------------------------------------------------


def added(name: str, count: int) -> Notice:
    return notice(
        "{name}: {count} article(s) added.",
        "{name}: أُضيفت مقالات عددها {count}.",
        name=name,
        count=count,
    )


def unchanged(name: str) -> Notice:
    return notice(
        "{name}: already in the corpus, unchanged.",
        "{name}: موجود في المجموعة من قبل، دون تغيير.",
        name=name,
    )


def rejected(name: str, reason: Notice) -> Notice:
    return Notice("{name}: " + reason.en, "{name}: " + reason.ar, {"name": name, **reason.values})


# -- the indexing queue -----------------------------------------------------------------------

NO_FILES = notice("No files chosen.", "لم تُختر ملفات.")
QUEUE_FULL = notice(
    "Too many uploads and removals are waiting to be indexed; nothing was added. Try again in a "
    "few minutes.",
    "هناك عدد كبير من الإضافات والإزالات بانتظار الفهرسة؛ لم يُضف شيء. حاول بعد دقائق.",
)
CHECKING = notice("Checking the files…", "جارٍ فحص الملفات…")
NOTHING_NEW = notice("Nothing new to index.", "لا جديد للفهرسة.")
WAITING_FOR_LOCK = notice(
    "Another indexing run (for example `python -m rag ingest`) is writing the index. Your change "
    "is saved and will be indexed as soon as that run ends; there is nothing to do.",
    "عملية فهرسة أخرى (مثل python -m rag ingest) تكتب الفهرس الآن. حُفظ تغييرك وستتم فهرسته فور "
    "انتهائها، ولا حاجة لأي إجراء.",
)
STILL_RUNNING = notice(
    "Still indexing. Your change is saved and the index will include it when this run ends; no "
    "need to upload again. The article list shows it once it is indexed.",
    "ما زالت الفهرسة جارية. حُفظ تغييرك وسيشمله الفهرس عند انتهائها، فلا حاجة لإعادة الرفع. "
    "تظهر المقالات في القائمة بعد فهرستها.",
)
INDEX_FAILED = notice(
    "Indexing failed. Your change is saved in the corpus and will be indexed with the next "
    "upload or `python -m rag ingest`; the server log has the details.",
    "تعذّرت الفهرسة. حُفظ تغييرك في المجموعة وستتم فهرسته مع الرفع التالي أو عند تشغيل "
    "python -m rag ingest، وتفاصيل الخطأ في سجل الخادم.",
)


def queued(ahead: int) -> Notice:
    if ahead == 0:
        return notice("Received; indexing starts now.", "استُلم؛ تبدأ الفهرسة الآن.")
    return notice(
        "Received; waiting for {ahead} earlier indexing job(s), then this one is indexed.",
        "استُلم؛ ينتظر انتهاء {ahead} من مهام الفهرسة السابقة ثم تتم فهرسته.",
        ahead=ahead,
    )


def embedding(done: int, total: int) -> Notice:
    percent = 100 * done // total if total else 100
    return notice("Indexing… {percent}%", "جارٍ الفهرسة… {percent}٪", percent=percent)


def index_updated(articles: int, new: int, changed: int, removed: int) -> Notice:
    return notice(
        "Index updated: {articles} articles ({new} new, {changed} changed, {removed} removed).",
        "حُدّث الفهرس: {articles} مقالاً ({new} جديد، {changed} معدّل، {removed} محذوف).",
        articles=articles,
        new=new,
        changed=changed,
        removed=removed,
    )


def ids_used_elsewhere(names: Sequence[str]) -> Notice:
    return notice(
        "Not indexed, because another file of the corpus already has their article id(s) "
        "({count}): {names}. Remove them here, or give their articles new ids and upload again.",
        "لم يُفهرس لأن ملفاً آخر في المجموعة يحمل معرّفات مقالاتها ({count}): {names}. أزِلها من "
        "هنا، أو غيّر معرّفات مقالاتها ثم ارفعها مرة أخرى.",
        count=len(names),
        names=", ".join(names),
    )


def corpus_skipped(names: Sequence[str]) -> Notice:
    return notice(
        "Not indexed, because they could not be read ({count}): {names}.",
        "لم يُفهرس ما تعذّرت قراءته ({count}): {names}.",
        count=len(names),
        names=", ".join(names),
    )


# -- removing an uploaded article --------------------------------------------------------------

NOT_REMOVABLE = notice(
    "Only uploaded articles can be removed, and this one is no longer in the index.",
    "لا يمكن إزالة إلا المقالات المرفوعة، وهذا المقال لم يعد في الفهرس.",
)
CHOOSE_ARTICLE = notice("Choose an uploaded article first.", "اختر مقالاً مرفوعاً أولاً.")


def confirm_removal(title: str, name: str, others: int) -> Notice:
    extra_en = f" It also holds {others} other article(s), removed with it." if others else ""
    extra_ar = f" ويضم {others} من المقالات الأخرى تُزال معه." if others else ""
    return notice(
        "Remove {title}? This deletes the uploaded file {name} from the corpus and re-indexes."
        + extra_en,
        "إزالة {title}؟ سيُحذف الملف المرفوع {name} من المجموعة ويُعاد بناء الفهرس." + extra_ar,
        title=title,
        name=name,
    )


def removed(name: str, count: int) -> Notice:
    return notice(
        "{name} removed from the corpus ({count} article(s)).",
        "أُزيل {name} من المجموعة (مقالات عددها {count}).",
        name=name,
        count=count,
    )
