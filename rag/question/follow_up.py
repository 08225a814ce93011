"""Follow-up questions: "when did he visit Moscow?" is searched together with what came before.

Without an LLM to rewrite the question, a question is taken to lean on the conversation when it
cannot be read alone:
- it names nothing (no content word: "متى؟", "Why?", "When was that?"), or asks about something
  else by ellipsis ("what about Turkey?", "وماذا عن تركيا؟");
- it points back: a demonstrative ("that agreement", "بعد ذلك", "what happened there?"), except
  a time ("this year", "هذا العام") or an existential ("is there", "هل هناك");
- a pronoun in it has no antecedent inside the question. "Is Russia going to keep its bases in
  Latakia?" and "ماذا قال لافروف لنظيره التركي؟" name whose bases and whose counterpart before
  the pronoun; "When did he visit Moscow?", "متى زارها؟" and "ما نتائج زيارته؟" do not (the noun
  a possessive hangs on, "results of his visit", "نتائج زيارته", is not its antecedent);
- it continues the conversation ("and", "also", a leading "و") while naming at most two things.

A follow-up is searched with the previous question and what its answer stated; a question that
stands on its own is searched as it is, so history never pulls it off topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus import normalize_text, search_tokens
from rag.schema import Turn


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_EN_PERSONAL = _set("he him she her hers they them theirs it")
# Only a possessive finds its antecedent inside an English question ("Is Russia going to keep
# its bases?"): a personal pronoun cannot be its own clause's subject ("Will Russia keep them?").
_EN_POSSESSIVE = _set("his her its their himself herself itself themselves")
# "this"/"these"/"those" point back as a determiner ("this agreement") or alone ("why this?");
# "that" only where it cannot be a conjunction: last, or right after a preposition.
_EN_DEMONSTRATIVES = _set("this these those there then")
_EN_PREPOSITIONS = _set("about after before of with for on in since to from at by during despite")
_EN_EXISTENTIAL = _set("is are was were will be been isn't aren't wasn't weren't")
_EN_OPENERS = _set(
    "what who whom whose which when where why how is are was were do does did can could will "
    "would has have had should tell list name give describe explain"
)
# Times are not something said before: "this year", "هذا العام".
_TIMES = _set(
    "year week month time morning evening day decade century weekend summer winter "
    "العام السنة الاسبوع الشهر المرة الصباح المساء اليوم الاثناء الفترة الوقت"
)
_AR_SEPARATE = _set("هو هي هم هما هن")
_AR_DEMONSTRATIVES = _set("ذلك تلك هذا هذه هؤلاء اولئك هناك حينها عندها حينئذ")
_AR_QUESTION_WORDS = _set("من ما ماذا اين متى كيف لماذا هل كم اي ايه لما")
# Right after a relative pronoun an attached pronoun points back to it: "ما الذي أكده الشرع؟".
_AR_RELATIVES = _set("الذي التي الذين اللذان اللتان اللاتي اللواتي")
# After "من"/"ما" a separate pronoun is a copula: "من هو وزير الدفاع؟" asks about what follows.
_AR_COPULA_BEFORE = _set("من ما")
_AR_EXISTENTIAL_BEFORE = _set("هل ما ليس و")
_AR_PREFIXES = "وفبلك"
_AR_SUFFIX = re.compile(r"(هما|هم|هن|ها|ه)$")
# Prepositions that carry a pronoun: "عنه", "معها", "لهم", "عليه".
_AR_PREPOSITIONS = _set("عن مع من في علي على الي الى ل ب عند لدي لدى بين منذ حول ضد")
_AR_ELLIPSIS = ("ماذا عن", "وماذا عن", "ما عن", "وما عن", "ماذا ايضا", "وماذا بعد")
_EN_ELLIPSIS = ("what about", "how about", "and what about", "what else", "and then")
_ARABIC = re.compile(r"[\u0621-\u064A]")
_PUNCTUATION = ".,!;:?؟،\"'“”«»()"
# A question that names at most this many things leans on the conversation ("ماذا طلب؟", "كم
# استمر اللقاء؟", "How long did the visit last?"), unless it names someone in English capitals or
# asks what something is ("من هو بوتين؟").
SHORT_CONTENT = 2


@dataclass(frozen=True)
class _Word:
    text: str  # as typed, punctuation stripped
    norm: str  # normalize_text of it

    @property
    def content(self) -> bool:
        """A word that names something: not a stopword, question word or pronoun."""
        asks = self.norm in _EN_OPENERS or self.norm.lstrip("وف") in _AR_QUESTION_WORDS
        return bool(search_tokens(self.norm)) and not asks and not _is_pronoun(self.norm)


def _words(question: str) -> list[_Word]:
    words = (w.strip(_PUNCTUATION) for w in question.split())
    return [_Word(w, normalize_text(w)) for w in words if w.strip(_PUNCTUATION)]


def _arabic_suffixed(word: str) -> bool:
    """An Arabic word carrying an attached pronoun: "زيارته", "زارها", "عنه", "لنظيره". A word
    with the article ("الاتجاه", "الله") cannot carry one."""
    bare = word[1:] if word[:1] in _AR_PREFIXES and len(word) > 3 else word
    if bare.startswith("ال") or word.startswith("ال"):
        return False
    match = _AR_SUFFIX.search(word)
    if match is None:
        return False
    stem = word[: match.start()]
    return (
        len(stem) >= 3 or stem in _AR_PREPOSITIONS or stem.lstrip(_AR_PREFIXES) in _AR_PREPOSITIONS
    )


def _is_pronoun(norm: str) -> bool:
    return (
        norm in _EN_PERSONAL
        or norm in _EN_POSSESSIVE
        or norm in _AR_SEPARATE
        or _arabic_suffixed(norm)
    )


def _points_back(words: list[_Word], i: int) -> bool:
    """Is word `i` a demonstrative that refers to something said before?"""
    word = words[i].norm
    before = words[i - 1].norm if i else ""
    after = words[i + 1].norm if i + 1 < len(words) else ""
    if after in _TIMES:
        return False
    if word == "there":
        return before not in _EN_EXISTENTIAL and after not in _EN_EXISTENTIAL
    if word == "that":
        return not after or before in _EN_PREPOSITIONS
    if word == "هناك":
        return bool(before) and before not in _AR_EXISTENTIAL_BEFORE
    return (
        word in _EN_DEMONSTRATIVES
        or word.lstrip(_AR_PREFIXES) in _AR_DEMONSTRATIVES
        or (word in _AR_DEMONSTRATIVES)
    )


def _antecedents(words: list[_Word], i: int, named: bool) -> list[_Word]:
    """The words before pronoun `i` that could be what it refers to: content words, but not the
    noun its phrase hangs on ("results of his", "نتائج زيارته") nor a question's verb ("ماذا قال");
    in English text that capitalizes names (`named`), only names."""
    end = i
    if end >= 2 and words[end - 1].norm == "of":
        end -= 2
    elif (
        end >= 1
        and words[end - 1].content
        and _ARABIC.match(words[i].norm[:1] or " ")
        and (words[i].norm[:1] not in _AR_PREFIXES)
    ):
        end -= 1  # an idafa, "نتائج زيارته": the noun the pronoun's word completes
    candidates = []
    for position, word in enumerate(words[:end]):
        opener = words[position - 1].norm.lstrip("وف") if position else ""
        if not word.content or _is_pronoun(word.norm):
            continue
        if position == 1 and opener in _AR_QUESTION_WORDS - {"ما"}:
            continue  # "ماذا قال ...", "من يطالب ...": the verb after the question word
        if named and not (word.text[:1].isupper() and (position or word.norm not in _EN_OPENERS)):
            continue
        candidates.append(word)
    return candidates


def _unresolved_pronoun(words: list[_Word], i: int, named: bool) -> bool:
    word = words[i].norm
    before = words[i - 1].norm if i else ""
    if word in _EN_PERSONAL:
        return True
    if word in _AR_SEPARATE:
        if before.lstrip("و") in _AR_COPULA_BEFORE and _defines(words, i):
            return False
    elif word in _EN_POSSESSIVE:
        pass
    elif not _arabic_suffixed(word) or before in _AR_RELATIVES:
        return False
    return not _antecedents(words, i, named)


def _defines(words: list[_Word], i: int) -> bool:
    """Does a copula at `i` ("من هو", "ما هي") have something after it to define?"""
    return any(w.content for w in words[i + 1 :])


def is_follow_up(question: str) -> bool:
    """Does the question lean on the conversation (see the module's rules)?"""
    words = _words(question)
    text = " ".join(w.norm for w in words)
    if text.startswith(_EN_ELLIPSIS) or text.startswith(_AR_ELLIPSIS):
        return True
    content = sum(w.content for w in words)
    if content == 0:
        return True
    # English typed with capitals names people and places with them.
    named = any(ch.isupper() for w in words for ch in w.text)
    for i in range(len(words)):
        if _points_back(words, i) or _unresolved_pronoun(words, i, named):
            return True
    if content > SHORT_CONTENT:
        return False
    names = [w for w in words[1:] if w.content and w.text[:1].isupper()]
    copula = any(w.norm in _AR_SEPARATE and _defines(words, i) for i, w in enumerate(words)) or (
        len(words) > 1 and words[1].norm in _EN_EXISTENTIAL and words[0].norm in ("who", "what")
    )
    return not names and not copula


def follow_up_context(question: str, history: Sequence[Turn]) -> str | None:
    """What `question` leans on: the last turn's question and the answer it got (a follow-up
    asks about what that answer named), or None when it stands on its own."""
    if not history or not is_follow_up(question):
        return None
    last = history[-1]
    return f"{last.question} {last.answer}".strip()
