"""Text that speaks to its reader (a person or a model) instead of reporting: instructions about
instructions ("ignore the previous instructions", "تجاهل التعليمات السابقة"), words addressed to
an assistant or a language model, calls to visit, click or subscribe, and links.

A page may carry such text (a hostile line, a site's own calls to action); in an article it is
data, to be reported, never an answer to quote (`rag.answer.selection`) nor support for a
model's claim (`rag.grounding.verify`). The rules name the class, in both languages, on
normalized text (`normalize_text`: casefolded, bare alef, no tashkeel): a sentence that only
mentions instructions or AI ("the firm ignored safety rules", "a new language model") is not
one. In Arabic the past and the imperative are written alike, so "تجاهل الوزير التعليمات
السابقة" (he ignored the earlier instructions) counts too: a rare answer lost, never an
instruction quoted.
"""

from __future__ import annotations

import re

from corpus.normalize import normalize_text

# A URL, a `www.` address, a domain with a path, or an e-mail address: an invitation to go there.
_LINK = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}/\S*"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)
# Telling the reader to drop what they were told: a verb, then within a few words the
# instructions, rules or prompt, qualified as the earlier or all of them ("ignore safety rules"
# reports; "ignore all previous rules" instructs).
_OVERRIDE = re.compile(
    r"(?:\b(?:ignore|disregard|forget|override|bypass)"
    r"|(?:^|\s)(?:تجاهل|تجاهلي|تجاهلوا|انس|انسي|انسوا|اهمل|اهملي|تخط))"
    r"(?P<between>(?:\s+\S+){0,4}?)\s+"
    r"(?:(?:instructions?|prompts?|rules|guidelines|directions|directives|context)\b"
    r"|(?:ال)?(?:تعليمات|اوامر|توجيهات|ارشادات|قواعد))(?P<after>(?:\s+\S+){0,2})"
)
_EARLIER = re.compile(
    r"\b(?:previous|prior|above|earlier|preceding|original|initial|system|all|any|your)\b"
    r"|(?:السابقه|السابقة|جميع|كل|الاصلية|الاصليه|اعلاه|المسبقة|المسبقه)"
)
# Words addressed to an assistant or a language model (not words about one).
_TO_A_MODEL = re.compile(
    r"\b(?:as an? (?:ai|assistant|language model|chatbot)"
    r"|you are (?:now |no longer )?an? (?:ai|assistant|language model|chatbot)"
    r"|if you are an? (?:ai|assistant|language model|chatbot|llm)"
    r"|(?:dear|attention|hey|note to (?:the )?) ?(?:ai|assistant|language model|chatbot|llm)s?\b"
    r"|(?:system|new) (?:prompt|instructions?)\s*:)"
    r"|(?:^|\s)(?:بصفتك|انت الان|اذا كنت|ايها|يا) (?:ال)?(?:مساعد|نموذج|روبوت|ذكاء اصطناعي)"
)
# Calls to act addressed to the reader, in forms that are imperative only.
_CALL = re.compile(
    r"(?:^|[\s:\"'“«(])(?:click|tap) (?:here|on|the)\b"
    r"|(?:^|[.!?:\"'“«]\s*)(?:visit|download|subscribe|sign up|log ?in|follow us|reply with"
    r"|respond with|answer with)\b"
    r"|(?:^|\s)(?:انقر|اضغط هنا|اضغط على الرابط|قم بزيارة|قوموا بزيارة|زوروا|تابعونا"
    r"|حمل التطبيق|عبر الرابط|الرابط التالي|عبر هذا الرابط)(?:\s|$)"
)


def addresses_reader(sentence: str) -> bool:
    """Whether `sentence` instructs its reader (or a model) rather than reporting."""
    if _LINK.search(sentence):
        return True
    text = normalize_text(sentence)
    overrides = (
        _EARLIER.search(f"{found['between']} {found['after']}")
        for found in _OVERRIDE.finditer(text)
    )
    return any(overrides) or bool(_TO_A_MODEL.search(text) or _CALL.search(text))
