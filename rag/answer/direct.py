"""The part of an answer sentence that states the answer: a date, a number, a person, a place.

Found by surface patterns on the sentence as written (Arabic and English), so the offsets point
into the text the reader sees. For English questions a date or number is also stated in English
("31 July 2025"), since the evidence is quoted in Arabic. Both calendars' Arabic month names are
read (كانون الثاني / يناير), and Arabic-Indic digits.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from corpus import search_tokens
from corpus.dates import (
    ASCII_DIGITS,
    DATE_SPAN,
    DIGIT,
    english_month_names,
    english_weekday_names,
)
from rag.question.answer_type import AnswerType

_B = r"(?<![\w])"  # a word starts here
_E = r"(?![\w])"  # a word ends here
_SCALES: tuple[tuple[str, str], ...] = (
    ("ألف|الف|آلاف|الاف|thousand", "thousand"),
    ("مليون|ملايين|million", "million"),
    ("مليار|مليارات|billion", "billion"),
)
_SCALE = "|".join(pattern for pattern, _ in _SCALES)
_NUMBER = re.compile(
    rf"{_B}{DIGIT}+(?:[.,٫٬]{DIGIT}+)*(?:\s*(?:%|٪|بالمئة|بالمائة|في المئة|في المائة|percent))?"
    rf"(?:\s+(?:{_SCALE}))?{_E}"
)
_TITLE = (
    "الرئيس|رئيس|وزير|الوزير|نظيره|نظيرها|نائب|السفير|سفير|المتحدث|الناطق|المبعوث|الأمين العام"
    "|السيد|الملك|الأمير|الشيخ|العاهل|الجنرال|اللواء|العميد"
)
# Words between a title and the name: the portfolio and the nationality ("وزير الدفاع الروسي").
_QUALIFIER = r"(?:ال\w+(?:ي|ية)|الخارجية|الدفاع|الداخلية|الحكومة|الوزراء|الجمهورية|باسم\s+\S+)"
_STOPWORDS = "في من الى إلى على عن مع بعد قبل خلال الذي التي الذين و أن إن قد لقد كما وقال وأكد"
_NAME_STOP = frozenset((*_STOPWORDS.split(), *_TITLE.split("|")))
_PERSON = re.compile(rf"{_B}(?:{_TITLE})(?:\s+{_QUALIFIER}){{0,3}}\s+")
_WORD = re.compile(r"[^\s،,.؛;:!?؟()«»“”\"]+")


def person_names(text: str) -> Iterator[tuple[int, int]]:
    """Names after a title ("وزير الدفاع الروسي أندريه بيلوسوف"): up to three words each."""
    for title in _PERSON.finditer(text):
        words: list[re.Match[str]] = []
        for word in _WORD.finditer(text, title.end()):
            gap = text[(words[-1].end() if words else title.end()) : word.start()]
            if word.group() in _NAME_STOP or gap.strip() or len(words) == 3:
                break
            words.append(word)
        if words:
            yield words[0].start(), words[-1].end()


# A place is named after a word for a kind of place ("مدينة حلب", "العاصمة الروسية موسكو"), or
# after "in"/"to" when the next word is no common noun of a construct ("في أنقرة", not "في إطار").
_PLACE_NOUN = re.compile(
    rf"{_B}(?:ب|و)?(?:ال)?(?:مدينة|عاصمة|محافظة|ولاية|إقليم|اقليم|منطقة|بلدة|قرية|جزيرة|ميناء"
    rf"|مطار)(?:\s+ال\w+(?:ي|ية))?\s+"
)
_PLACE_AFTER = re.compile(rf"{_B}(?:في|إلى|الى)\s+")
_NOT_PLACES = frozenset(
    [
        "إطار",
        "اطار",
        "ظل",
        "حين",
        "حال",
        "وقت",
        "ضوء",
        "سياق",
        "مقابل",
        "شأن",
        "أعقاب",
        "اعقاب",
        "أثناء",
        "اثناء",
        "نهاية",
        "بداية",
        "منتصف",
        "مطلع",
        "أواخر",
        "اواخر",
        "أوائل",
        "اوائل",
        "محاولة",
        "مجال",
        "مواجهة",
        "ذلك",
        "هذا",
        "هذه",
        "تلك",
        "حديث",
        "تصريح",
        "تصريحات",
        "بيان",
        "مؤتمر",
        "كلمة",
        "لقاء",
        "اجتماع",
        "اجتماعات",
        "مقابلة",
        "رسالة",
        "سبيل",
        "عهد",
        "عام",
        "شهر",
        "يوم",
        "أول",
        "اول",
        "آخر",
        "اخر",
        "ما",
        "كل",
        "حد",
        "حوالي",
        "أكثر",
        "اكثر",
        "أقل",
        "اقل",
        "نحو",
        "غضون",
        "خضم",
        "مختلف",
        "عدة",
        "عدد",
        "بعض",
        "جميع",
        "وقت",
        "لقاءات",
        "محادثات",
        "زيارة",
        "جلسة",
        "قمة",
        "مرحلة",
        "موعد",
        "تاريخ",
        "أي",
        "اي",
        "مستوى",
        "إطارها",
        "إشارة",
        "اشارة",
        "رده",
        "ردها",
        "مطلع",
        "منتصف",
    ]
)


def _places(text: str) -> Iterator[tuple[int, int]]:
    for cue, after in ((_PLACE_NOUN, False), (_PLACE_AFTER, True)):
        for match in cue.finditer(text):
            word = _WORD.match(text, match.end())
            if word is None or word.group() in _NAME_STOP:
                continue
            name = word.group()
            if after and (name.startswith("ال") or name in _NOT_PLACES or DATE_SPAN.match(name)):
                continue
            if not re.search(DIGIT, name):
                yield word.span()


def _candidates(text: str, answer_type: AnswerType) -> Iterator[tuple[int, int]]:
    if answer_type is AnswerType.DATE:
        yield from (m.span() for m in DATE_SPAN.finditer(text))
    elif answer_type is AnswerType.NUMBER:
        yield from (m.span() for m in _NUMBER.finditer(text) if not DATE_SPAN.fullmatch(m.group()))
    elif answer_type is AnswerType.PERSON:
        yield from person_names(text)
    elif answer_type is AnswerType.PLACE:
        yield from _places(text)


def answer_span(
    text: str, answer_type: AnswerType, question_tokens: Collection[str] = ()
) -> tuple[int, int] | None:
    """Offsets in `text` of what answers a question of `answer_type`, or None. What the
    question itself names (`question_tokens`, its search tokens) is not the answer."""
    for start, end in _candidates(text, answer_type):
        if not set(search_tokens(text[start:end])) & set(question_tokens):
            return start, end
    return None


_PARTS_OF_MONTH: tuple[tuple[str, str], ...] = (
    ("منتصف", "mid"),
    ("مطلع|بداية|أوائل|اوائل", "early"),
    ("أواخر|اواخر|نهاية", "late"),
    ("الموافق", ""),
)


def _english_names(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for pattern, english in table:
        text = re.sub(pattern, english, text)
    return text


def english_statement(span_text: str, answer_type: AnswerType) -> str | None:
    """A date or number span in English ("الخميس 31 من تموز" -> "Thursday 31 July"), or None
    when the span is of another type or has words this cannot carry over."""
    if not answer_type.has_surface_form:
        return None
    text = span_text.translate(ASCII_DIGITS)
    text = re.sub(r"\b(?:يومي|يوم|شهر|من|عام|العام|سنة)\s+", "", text + " ").strip()
    text = re.sub(r"(\d)\s*(?:و|-|–)\s*(\d)", r"\1 and \2", text)
    text = re.sub(r"\s*[،,]\s*", " ", text)
    text = english_weekday_names(english_month_names(text))
    text = _english_names(text, _SCALES)
    text = _english_names(text, _PARTS_OF_MONTH)
    text = re.sub(r"\bmid (\w)", r"mid-\1", text)
    text = re.sub(r"\s*(?:٪|بالمئة|بالمائة|في المئة|في المائة|percent)", "%", text)
    if re.search(r"[\u0600-\u06ff]", text):
        return None
    return " ".join(text.split())
