"""Follow-up questions: "when did he visit Moscow?" is searched together with what came before.

Without an LLM to rewrite the question, a question that leans on the conversation is detected by
its pronouns or its brevity, and the previous question with what its answer stated is prepended
to it for retrieval. A question that stands on its own is searched as it is, so history never
pulls it off topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus import normalize_text
from rag.schema import Turn

_EN_ANAPHORA = frozenset(
    [
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "they",
        "them",
        "their",
        "theirs",
        "it",
        "its",
        "this",
        "these",
        "those",
        "there",
    ]
)
# "Is there ...", "are there ...": an existential there, not a place already named.
_EN_BE = frozenset(["is", "are", "was", "were", "will", "be"])
_AR_PRONOUNS = frozenset(["هو", "هي", "هم", "هما", "هن"])
_AR_DEMONSTRATIVES = frozenset(["ذلك", "تلك", "هذا", "هذه", "هناك", "حينها", "عندها", "ايضا"])
# Right after a question word a separate pronoun is a copula: "من هو وزير الدفاع؟", "ما هي
# القمة؟" ask about what follows, not about someone already named.
_AR_QUESTION_WORDS = frozenset(["من", "ما", "ماذا", "اين", "متى", "كيف", "لماذا", "هل", "كم", "اي"])
# Arabic attaches object and possessive pronouns to the word: زارها, لقائه, زيارته, قاله.
_AR_PRONOUN_SUFFIX = re.compile(r"^[\u0621-\u064A]{3,}(?:ه|ها|هم|هما|هن)$")
SHORT_QUESTION_WORDS = 4
_PUNCTUATION = ".,!;:?؟،"


def _leans_on_earlier_words(words: list[str]) -> bool:
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if word in _EN_ANAPHORA and not (word == "there" and before in _EN_BE):
            return True
        if word in _AR_PRONOUNS and before.removeprefix("و") not in _AR_QUESTION_WORDS:
            return True
        if word in _AR_DEMONSTRATIVES or _AR_PRONOUN_SUFFIX.match(word):
            return True
    return False


def is_follow_up(question: str) -> bool:
    """Does the question lean on the conversation: too short to stand alone, or naming someone
    or something only by a pronoun?"""
    words = [w.strip(_PUNCTUATION) for w in normalize_text(question).split()]
    words = [w for w in words if w]
    return len(words) < SHORT_QUESTION_WORDS or _leans_on_earlier_words(words)


def follow_up_context(question: str, history: Sequence[Turn]) -> str | None:
    """What `question` leans on: the last turn's question and the answer it got (a follow-up
    asks about what that answer named), or None when it stands on its own."""
    if not history or not is_follow_up(question):
        return None
    last = history[-1]
    return f"{last.question} {last.answer}".strip()
