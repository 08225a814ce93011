"""What the app tells users when the server's storage refused a write (the disk full or
read-only, `embeddings.files.storage_error`): an upload not added, an index update stopped,
feedback not saved; in English and Arabic."""

from __future__ import annotations

import errno

from service.notices import Notice, notice

_STORAGE = {
    errno.ENOSPC: ("the server's disk is full", "قرص الخادم ممتلئ"),
    errno.EROFS: ("the server's storage is read-only", "مساحة تخزين الخادم للقراءة فقط"),
    errno.EACCES: ("the server may not write to its storage", "لا يُسمح للخادم بالكتابة في تخزينه"),
}
_UNWRITABLE = ("the server could not write to its storage", "تعذّر على الخادم الكتابة في تخزينه")
# What was not stored, "because {reason}", then what to do.
_NOT_STORED = {
    "upload": ("Not added, because {}; nothing was changed.", "لم يُضف لأن {}، ولم يتغير شيء."),
    "index": (
        "Indexing stopped, because {}. The index in use is unchanged and your change is saved in "
        "the corpus: it is indexed with the next upload or `python -m rag ingest` once this is "
        "fixed.",
        "توقفت الفهرسة لأن {}. الفهرس المستخدم لم يتغير، وتغييرك محفوظ في المجموعة وستتم فهرسته "
        "مع الرفع التالي أو عند تشغيل python -m rag ingest بعد إصلاح ذلك.",
    ),
    "feedback": ("Your feedback was not saved, because {}.", "لم تُحفظ ملاحظتك لأن {}."),
}


def not_stored(error: OSError, what: str) -> Notice:
    """Why an upload, an index update or feedback (`what`) was not stored, and what to do."""
    reason = _STORAGE.get(error.errno or 0, _UNWRITABLE)
    en, ar = (text.format(part) for text, part in zip(_NOT_STORED[what], reason, strict=True))
    return notice(
        en + " Ask the administrator to free space or make the folder writable.",
        ar + " اطلب من المسؤول إفساح مساحة أو جعل المجلد قابلاً للكتابة.",
    )
