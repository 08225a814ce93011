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
from rag.question.answer_type import AnswerType

_D = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_ALEF = "[اأإآ]"
# (pattern, English name): Levantine/Iraqi and Egyptian/Maghrebi names, then English ones.
_MONTHS: tuple[tuple[str, str], ...] = (
    ("كانون الثاني", "January"),
    ("شباط", "February"),
    (f"{_ALEF}ذار", "March"),
    ("نيسان", "April"),
    (f"{_ALEF}يار", "May"),
    ("حزيران", "June"),
    ("تموز", "July"),
    (f"{_ALEF}ب", "August"),
    (f"{_ALEF}يلول", "September"),
    (f"تشرين {_ALEF}لأول|تشرين {_ALEF}لاول", "October"),
    ("تشرين الثاني", "November"),
    (f"كانون {_ALEF}لأول|كانون {_ALEF}لاول", "December"),
    ("يناير", "January"),
    ("فبراير", "February"),
    ("مارس", "March"),
    (f"{_ALEF}بريل", "April"),
    ("مايو", "May"),
    ("يونيو|يونيه", "June"),
    ("يوليو|يوليه", "July"),
    (f"{_ALEF}غسطس", "August"),
    ("سبتمبر", "September"),
    (f"{_ALEF}كتوبر", "October"),
    ("نوفمبر", "November"),
    ("ديسمبر", "December"),
    *(
        (name, name)
        for name in [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    ),
)
_WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("السبت", "Saturday"),
    (f"{_ALEF}لأحد|{_ALEF}لاحد", "Sunday"),
    (f"{_ALEF}لإثنين|{_ALEF}لاثنين", "Monday"),
    ("الثلاثاء", "Tuesday"),
    (f"{_ALEF}لأربعاء|{_ALEF}لاربعاء", "Wednesday"),
    ("الخميس", "Thursday"),
    ("الجمعة", "Friday"),
    *(
        (name, name)
        for name in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    ),
)
_MONTH = "|".join(f"(?:{pattern})" for pattern, _ in _MONTHS)
_WEEKDAY = "|".join(f"(?:{pattern})" for pattern, _ in _WEEKDAYS)
_YEAR = f"(?:1[5-9]|20){_D}{_D}"
_B = r"(?<![\w])"  # a word starts here
_E = r"(?![\w])"  # a word ends here
_PART_OF_MONTH = "منتصف|مطلع|أوائل|اوائل|أواخر|اواخر|نهاية|بداية"
_DAY_MONTH = (
    rf"{_D}{{1,2}}\s+(?:من\s+)?(?:شهر\s+)?(?:{_MONTH}){_E}"
    rf"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+)?{_YEAR}{_E})?"
)
# Two days of one month: "يومي 23 و24 شباط", "23-24 February".
_DAY_RANGE = (
    rf"(?:يومي\s+)?{_D}{{1,2}}\s*(?:و|-|–)\s*{_D}{{1,2}}\s+(?:من\s+)?(?:شهر\s+)?(?:{_MONTH}){_E}"
    rf"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+)?{_YEAR}{_E})?"
)
_MONTH_YEAR = rf"(?:{_MONTH})\s+(?:من\s+)?(?:عام\s+|العام\s+)?{_YEAR}{_E}"
_MONTH_ALONE = rf"(?:(?:{_PART_OF_MONTH})\s+)?(?:شهر\s+)?(?:{_MONTH}){_E}"
_DATE = re.compile(
    rf"{_B}(?:"
    # [يوم] weekday [، ] day month [year]; "Thursday 31 July 2025"
    rf"(?:(?:يوم\s+)?(?:{_WEEKDAY}){_E}\s*[،,]?\s*(?:الموافق\s+)?)?(?:{_DAY_RANGE}|{_DAY_MONTH}|{_MONTH_YEAR})"
    rf"|(?:يوم\s+)?(?:{_WEEKDAY}){_E}"
    rf"|{_MONTH_ALONE}"
    rf"|(?:عام|سنة|العام)\s+{_YEAR}{_E}"
    rf"|{_D}{{1,2}}[/.-]{_D}{{1,2}}[/.-]{_D}{{2,4}}{_E}"
    rf"|{_YEAR}{_E}"
    ")"
)
_SCALES: tuple[tuple[str, str], ...] = (
    ("ألف|الف|آلاف|الاف|thousand", "thousand"),
    ("مليون|ملايين|million", "million"),
    ("مليار|مليارات|billion", "billion"),
)
_SCALE = "|".join(pattern for pattern, _ in _SCALES)
_NUMBER = re.compile(
    rf"{_B}{_D}+(?:[.,٫٬]{_D}+)*(?:\s*(?:%|٪|بالمئة|بالمائة|في المئة|في المائة|percent))?"
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


def _names(text: str) -> Iterator[tuple[int, int]]:
    """Names after a title ("وزير الدفاع الروسي أندريه بيلوسوف"): up to three words each."""
    for title in _PERSON.finditer(text):
        words = []
        for word in _WORD.finditer(text, title.end()):
            gap = text[(words[-1].end() if words else title.end()) : word.start()]
            if word.group() in _NAME_STOP or gap.strip() or len(words) == 3:
                break
            words.append(word)
        if words:
            yield words[0].start(), words[-1].end()


def _candidates(text: str, answer_type: AnswerType) -> Iterator[tuple[int, int]]:
    if answer_type is AnswerType.DATE:
        yield from (m.span() for m in _DATE.finditer(text))
    elif answer_type is AnswerType.NUMBER:
        yield from (m.span() for m in _NUMBER.finditer(text) if not _DATE.fullmatch(m.group()))
    elif answer_type is AnswerType.PERSON:
        yield from _names(text)


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
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")


def _english_names(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for pattern, english in table:
        text = re.sub(pattern, english, text)
    return text


def english_statement(span_text: str, answer_type: AnswerType) -> str | None:
    """A date or number span in English ("الخميس 31 من تموز" -> "Thursday 31 July"), or None
    when the span is of another type or has words this cannot carry over."""
    if not answer_type.has_surface_form:
        return None
    text = span_text.translate(_ASCII_DIGITS)
    text = re.sub(r"\b(?:يومي|يوم|شهر|من|عام|العام|سنة)\s+", "", text + " ").strip()
    text = re.sub(r"(\d)\s*(?:و|-|–)\s*(\d)", r"\1 and \2", text)
    text = re.sub(r"\s*[،,]\s*", " ", text)
    text = _english_names(text, _MONTHS)
    text = _english_names(text, _WEEKDAYS)
    text = _english_names(text, _SCALES)
    text = _english_names(text, _PARTS_OF_MONTH)
    text = re.sub(r"\bmid (\w)", r"mid-\1", text)
    text = re.sub(r"\s*(?:٪|بالمئة|بالمائة|في المئة|في المائة|percent)", "%", text)
    if re.search(r"[\u0600-\u06ff]", text):
        return None
    return " ".join(text.split())
