"""Follow-up questions: "when did he visit Moscow?" is searched together with what came before.

Without an LLM to rewrite the question, a question that leans on the conversation is detected by
its pronouns or its brevity, and the previous question is prepended to it for retrieval. A
question that stands on its own is searched as it is, so history never pulls it off topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus import normalize_text

_EN_ANAPHORA = {
    "he",
    "him",
    "his",
    "she",
    "her",
    "hers",
    "they",
    "them",
    "their",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "there",
    "then",
    "also",
}
_AR_ANAPHORA = {
    "هو",
    "هي",
    "هم",
    "هما",
    "هن",
    "ذلك",
    "تلك",
    "هذا",
    "هذه",
    "هناك",
    "حينها",
    "عندها",
    "أيضا",
    "ايضا",
}
# Arabic attaches object and possessive pronouns to the word: زارها, لقائه, زيارته, قاله.
_AR_PRONOUN_SUFFIX = re.compile(r"^[\u0621-\u064A]{3,}(?:ه|ها|هم|هما|هن)$")
SHORT_QUESTION_WORDS = 4


def is_follow_up(question: str) -> bool:
    words = normalize_text(question).replace("؟", " ").replace("?", " ").split()
    if len(words) <= SHORT_QUESTION_WORDS - 1:
        return True
    if any(word.strip(".,!;:") in _EN_ANAPHORA for word in words):
        return True
    return any(w in _AR_ANAPHORA or _AR_PRONOUN_SUFFIX.match(w) for w in words)


def follow_up_context(question: str, history: Sequence[str]) -> str | None:
    """The earlier question that `question` leans on (the last one), or None when it stands
    on its own."""
    if not history or not is_follow_up(question):
        return None
    return history[-1]
