"""Every label and sentence the chat shows in its own voice, in both languages.

The assistant's answers speak in `rag.messages` (the page reuses those words where it says the
same thing, never a second copy); these are the words around them: buttons, badges, headings and
notices of the page itself.
"""

from __future__ import annotations

from rag.question.language import Language
from service.notices import notice

_TEXTS: dict[str, dict[Language, str]] = {
    "thinking": {"ar": "جارٍ البحث في المقالات…", "en": "Searching the articles…"},
    "error": {
        "ar": "عذراً، حدث خطأ أثناء الإجابة. حاول مرة أخرى من فضلك.",
        "en": "Sorry, something went wrong while answering. Please try again.",
    },
    "stopped": {
        "ar": "أُوقفت الإجابة قبل اكتمالها.",
        "en": "Stopped before the answer was complete.",
    },
    "copy": {"ar": "نسخ", "en": "Copy"},
    "copy_tip": {
        "ar": "انسخ الإجابة مع مصادرها نصاً",
        "en": "Copy the answer with its sources as text",
    },
    "unsupported_tip": {
        "ar": "هذه الجملة لا يدعمها المقطع المذكور بوضوح",
        "en": "The cited passage does not clearly support this sentence",
    },
    "quoted": {"ar": "مقتبسة حرفياً", "en": "quoted word for word"},
    "matches": {"ar": "يدعمها المقال", "en": "supported by the article"},
    "weak": {"ar": "دعم غير مؤكد", "en": "not clearly supported"},
    "support_tip": {"ar": "درجة الدعم {score}", "en": "support {score}"},
    "open_article": {"ar": "افتح المقال", "en": "Open the article"},
    "back_to_answer": {"ar": "العودة إلى الإجابة", "en": "Back to the answer"},
    "close": {"ar": "إغلاق", "en": "Close"},
    # A no-break space keeps the number on the line of its word.
    "sources_for": {
        "ar": "مصادر الإجابة رقم\u00a0{number}",
        "en": "Sources for answer\u00a0#{number}",
    },
    "no_sources": {"ar": "لا مصادر لهذه الإجابة", "en": "No sources for this answer"},
    "ask_first": {
        "ar": "اطرح سؤالاً لتظهر مصادر الإجابة هنا.",
        "en": "Ask a question to see the sources of its answer here.",
    },
    "article_missing": {
        "ar": "لم يعد هذا المقال في الفهرس.",
        "en": "This article is no longer in the index.",
    },
    # The article list in "Settings & index".
    "no_articles": {"ar": "لا مقالات مفهرسة", "en": "No articles indexed"},
    "no_matching_articles": {
        "ar": "لا مقال يطابق البحث",
        "en": "No article matches the search",
    },
    "article_page": {"ar": "الصفحة {page} من {pages}", "en": "Page {page} of {pages}"},
    "articles_found": {"ar": "عدد المقالات: {count}", "en": "Articles: {count}"},
    "article_search": {
        "ar": "ابحث بالعنوان أو التاريخ أو المصدر",
        "en": "Search by title, date or outlet",
    },
    "previous_page": {"ar": "السابقة", "en": "Previous"},
    "next_page": {"ar": "التالية", "en": "Next"},
}


def text(key: str, language: Language, **values: object) -> str:
    """The sentence `key` in `language`, with `values` filled in."""
    return _TEXTS[key][language].format(**values)


def both(key: str, first: Language = "en", **values: object) -> str:
    """The sentence in both languages, `first` first: `English · العربية`."""
    second: Language = "ar" if first == "en" else "en"
    return f"{text(key, first, **values)} · {text(key, second, **values)}"


# -- a session the server let go of ------------------------------------------------------------

SESSION_RESTARTED = notice(
    "The server let go of this page's earlier answers while many others used the app, so their "
    "sources are no longer available (the answers stay above). New questions work as usual; "
    "follow-up questions start afresh.",
    "أفرج الخادم عن الإجابات السابقة لهذه الصفحة بسبب كثرة المستخدمين، فلم تعد مصادرها متاحة "
    "(تبقى الإجابات ظاهرة أعلاه). الأسئلة الجديدة تعمل كالمعتاد، وأسئلة المتابعة تبدأ من جديد.",
)
# The same, short, for the toast shown when such a page asks its next question.
SESSION_RESTARTED_SHORT = notice(
    "The server released this page's earlier sources; new questions work as usual.",
    "أفرج الخادم عن مصادر الإجابات السابقة لهذه الصفحة؛ الأسئلة الجديدة تعمل كالمعتاد.",
)

# -- the index's engine stopped (a Milvus engine, restarted at the next question) --------------

ENGINE_DOWN = notice(
    "The search engine stopped answering; the server is restarting it. Please ask again in a "
    "moment.",
    "توقف محرك البحث عن الاستجابة، ويعيد الخادم تشغيله. اسأل مرة أخرى بعد قليل.",
)
# An uploaded file in the removal list that the index does not hold.
NOT_INDEXED = "not indexed · غير مفهرس"
