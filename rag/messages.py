"""Every sentence the assistant says in its own voice, in both languages."""

from __future__ import annotations

from rag.question.language import Language

_MESSAGES: dict[str, dict[Language, str]] = {
    # The lead of each tier. "answer": the quoted sentence states the answer.
    "lead": {"ar": "بحسب المقالات:", "en": "According to the articles:"},
    # Said only when that many articles' sentences are shown, each citing its own article.
    "lead_reported": {"ar": "بحسب {articles}:", "en": "According to {count} articles:"},
    "likely": {
        "ar": "الأرجح أن المقالات تجيب عن هذا هنا:",
        "en": "The articles most likely answer this here:",
    },
    "related": {
        "ar": "قد لا تجيب المقالات عن هذا؛ هذه أقرب المقاطع إلى السؤال:",
        "en": "The articles may not answer this; the closest passages are:",
    },
    # An English lead names the kind of answer the quoted Arabic states (highlighted there),
    # and states it in English when it can (a date, a number). An Arabic lead needs neither.
    "found_stated": {"ar": "{lead}", "en": "{source}, the {kind} is {statement} {markers}:"},
    "found_shown": {"ar": "{lead}", "en": "{source}, the {kind} is highlighted in the Arabic:"},
    "likely_stated": {
        "ar": "{lead}",
        "en": "The {kind} is most likely {statement} {markers}, as this sentence of the articles "
        "says:",
    },
    "likely_shown": {
        "ar": "{lead}",
        "en": "The articles most likely give the {kind} here, highlighted in the Arabic:",
    },
    "related_kind": {
        "ar": "{lead}",
        "en": "The articles may not give the {kind} asked for; the closest passages are:",
    },
    # The kinds of answer, as the English leads name them.
    "kind_date": {"ar": "التاريخ", "en": "date"},
    "kind_number": {"ar": "العدد", "en": "number"},
    "kind_person": {"ar": "الاسم", "en": "name"},
    "kind_place": {"ar": "المكان", "en": "place"},
    # Each tier's badge, and what it means (its tooltip, with the confidence after it).
    "badge_answer": {"ar": "مذكورة في المقالات", "en": "Stated in the articles"},
    "badge_likely": {"ar": "الإجابة الأرجح", "en": "Most likely answer"},
    "badge_related": {"ar": "قد لا تكون الإجابة", "en": "May not answer"},
    "badge_refused": {"ar": "ليست في المقالات", "en": "Not in the articles"},
    "meaning_answer": {
        "ar": "الجملة المقتبسة تذكر الإجابة.",
        "en": "The quoted sentence states the answer.",
    },
    "meaning_likely": {
        "ar": "الأرجح أن الجملة المقتبسة تذكر الإجابة.",
        "en": "The quoted sentence most likely states the answer.",
    },
    "meaning_related": {
        "ar": "هذه أقرب المقاطع إلى السؤال، وقد لا تجيب عنه.",
        "en": "These are the passages closest to the question; they may not answer it.",
    },
    "meaning_refused": {
        "ar": "لا تتناول المقالات هذا السؤال.",
        "en": "The articles do not cover this question.",
    },
    "confidence": {
        "ar": "احتمال أن تتضمن الجملة الأولى الإجابة: {percent}٪",
        "en": "Chance that the first sentence holds the answer: {percent}%",
    },
    # The heading of an answer's further cited sentences (the chat folds them away).
    "more_evidence": {"ar": "أدلة أخرى", "en": "More evidence"},
    "refusal": {
        "ar": "لا تتضمن المقالات المتوفرة إجابة عن هذا السؤال، لذلك لن أخمّن.",
        "en": "The articles in the corpus do not contain an answer to this question, so I will not guess.",
    },
    "empty_question": {
        "ar": "السؤال فارغ. اكتب سؤالاً عن المقالات.",
        "en": "The question is empty. Please type a question about the articles.",
    },
    "no_words": {
        "ar": "لا يحتوي السؤال على كلمات يمكن البحث عنها.",
        "en": "The question has no words to search for.",
    },
    "too_long": {
        "ar": "السؤال طويل جداً ({length} حرفاً، والحد الأقصى {limit}). اختصره من فضلك.",
        "en": "The question is too long ({length} characters; the limit is {limit}). Please shorten it.",
    },
    "llm_fallback": {
        "ar": "تعذّر استخدام النموذج اللغوي ({reason})، فهذه إجابة مستخرجة من المقالات مباشرة.",
        "en": "The language model could not be used ({reason}), so this answer is extracted directly from the articles.",
    },
    # The model replied, but its reply could not be the answer (it cited nothing, ...).
    "llm_fallback_replied": {
        "ar": "ردّ النموذج اللغوي، لكن {reason}، فهذه إجابة مستخرجة من المقالات مباشرة.",
        "en": "The language model replied, but {reason}, so this answer is extracted directly from the articles.",
    },
    "llm_not_configured": {
        "ar": "لم يُضبط نموذج لغوي، فهذه إجابة مستخرجة من المقالات مباشرة.",
        "en": "No language model is configured, so this answer is extracted directly from the articles.",
    },
    "llm_reason_unreachable": {"ar": "تعذّر الاتصال به", "en": "it could not be reached"},
    "llm_reason_timeout": {"ar": "انتهت المهلة قبل اكتمال الرد", "en": "it did not finish in time"},
    "llm_reason_http": {
        "ar": "ردّ الخادم بالخطأ {status}",
        "en": "the server answered with error {status}",
    },
    "llm_reason_interrupted": {"ar": "انقطع الرد قبل اكتماله", "en": "its reply was cut off"},
    "llm_reason_empty": {"ar": "كان الرد فارغاً", "en": "its reply was empty"},
    "llm_reason_busy": {
        "ar": "كان مشغولاً بأسئلة أخرى",
        "en": "it was busy with other questions",
    },
    "llm_reason_uncited": {
        "ar": "لم يستشهد الرد بأي مقطع من المقالات",
        "en": "its reply cited none of the passages",
    },
    "llm_reason_invalid": {"ar": "كان الرد غير صالح", "en": "its reply could not be read"},
    "invalid_markers": {
        "ar": "أُزيلت إشارات إلى مصادر غير موجودة: {markers}",
        "en": "Removed citations to passages that do not exist: {markers}",
    },
    "uncited_dropped": {
        "ar": "حُذفت {count} جملة من رد النموذج لأنها لا تستشهد بأي مقطع.",
        "en": "Left out {count} sentence(s) of the model's reply that cite no passage.",
    },
    "sentences_cut": {
        "ar": "اختُصر رد النموذج: حُذفت {count} جملة زائدة.",
        "en": "The model's reply was cut short: {count} more sentence(s) left out.",
    },
    # Broad answers (rag/answer/shapes/): their leads say how much was found.
    "timeline": {
        "ar": "تسلسل زمني من المقالات: {events} في {articles}.",
        "en": "Timeline from the articles: {events} found in {articles}.",
    },
    "year_unknown": {"ar": "لم تذكر المقالات السنة", "en": "year not stated in the articles"},
    "reported_by": {"ar": "ورد في {articles}", "en": "reported by {count} articles"},
    "other_day": {
        "ar": "تذكر مقالة أخرى يوماً مختلفاً",
        "en": "another article gives a different day",
    },
    "speaker": {
        "ar": "تصريحات {speaker} في المقالات: {statements} في {articles}.",
        "en": "What {speaker} said, according to the articles: {statements} in {articles}.",
    },
    "summary": {
        "ar": "أبرز ما تذكره المقالات: {points} من {articles}.",
        "en": "The main points in the articles: {points} from {articles}.",
    },
    "differ": {
        "ar": "تختلف المقالات في {what}:",
        "en": "The articles differ on {what}:",
    },
    "differ_date": {"ar": "التاريخ", "en": "the date"},
    "differ_number": {"ar": "الأرقام", "en": "the numbers"},
    "no_difference": {
        "ar": "لم أجد اختلافاً بين المقالات في التواريخ أو الأرقام؛ هذا ما تقوله عن كل جانب:",
        "en": "I found no disagreement between the articles on dates or numbers; here is what "
        "they say on each side:",
    },
    # Filters: which articles were searched.
    "filter_searched": {
        "ar": "بُحث في المقالات المطابقة للمرشّح فقط ({filter}): {articles}.",
        "en": "Only the articles matching the filter ({filter}) were searched: {articles}.",
    },
    "filter_dropped": {
        "ar": "لا توجد مقالات تطابق «{words}»، فبُحث في كل المقالات.",
        "en": "No article matches “{words}”, so every article was searched.",
    },
    "filter_empty": {
        "ar": "لا توجد في الفهرس مقالات تطابق المرشّح ({filter}).",
        "en": "No article in the index matches the filter ({filter}).",
    },
    "bad_filter_date": {
        "ar": "تعذّرت قراءة التاريخ «{value}» في المرشّح؛ اكتبه هكذا: 2025-07-31 أو 2025-07 أو 2025.",
        "en": "The filter's date “{value}” could not be read; write it as 2025-07-31, 2025-07 or 2025.",
    },
    "unsupported": {
        "ar": "تنبيه: بعض الجمل غير مدعومة بالمصدر المذكور.",
        "en": "Warning: some sentences are not supported by the passage they cite.",
    },
}


def message(key: str, language: Language, **values: object) -> str:
    return _MESSAGES[key][language].format(**values)


def tier_badge(tier: str, language: Language) -> str:
    """The tier (`rag.schema.Tier`) in a few words (the chat's badge, the export's tier line)."""
    return message(f"badge_{tier}", language)


def tier_meaning(tier: str, language: Language, confidence: float | None) -> str:
    """What the tier means, and the confidence it was decided on (the badge's tooltip)."""
    meaning = message(f"meaning_{tier}", language)
    if confidence is None:
        return meaning
    return f"{meaning} {message('confidence', language, percent=round(confidence * 100))}"


# Arabic counted nouns: (one, two, three to ten, eleven and more).
_ARABIC_NOUNS = {
    "article": ("مقالة واحدة", "مقالتين", "مقالات", "مقالاً"),
    "event": ("حدث واحد", "حدثان", "أحداث", "حدثاً"),
    "statement": ("تصريح واحد", "تصريحان", "تصريحات", "تصريحاً"),
    "point": ("نقطة واحدة", "نقطتان", "نقاط", "نقطة"),
}
# English counted nouns: (one, more).
_ENGLISH_NOUNS = {
    "article": ("article", "articles"),
    "event": ("event", "events"),
    "statement": ("statement", "statements"),
    "point": ("point", "points"),
}


def arabic_count(count: int, noun: str = "article") -> str:
    """ "N articles" (or events, statements, points) in Arabic, with the number agreement
    Arabic grammar asks for."""
    one, two, few, many = _ARABIC_NOUNS[noun]
    if count == 1:
        return one
    if count == 2:
        return two
    return f"{count} {few}" if count <= 10 else f"{count} {many}"


def count_words(count: int, noun: str, language: Language) -> str:
    """ "3 events" / "3 أحداث"."""
    if language == "ar":
        return arabic_count(count, noun)
    one, more = _ENGLISH_NOUNS[noun]
    return f"{count} {one if count == 1 else more}"
