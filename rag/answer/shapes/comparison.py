"""A comparison: where the articles disagree, and what they say on each side of a question that
sets two things side by side ("ما الفرق بين ما قاله لافروف في أنقرة وموسكو؟").

Two sentences of different articles disagree when they tell of the same people (two of them at
least, `Pool.participants`) and give the same thing different dates (days that cannot both be
right, or different weekdays) or different numbers while saying nearly the same. Both are shown,
each citing its article. A side is matched by the words that name it and not the other (a place,
a person; across scripts too), among the speaker's statements when the question names one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus import normalize_text
from corpus.dates import ASCII_DIGITS
from rag.answer.shapes.compose import Lines
from rag.answer.shapes.names import named_at
from rag.answer.shapes.pool import Found, Pool
from rag.answer.shapes.speaker import is_speech, same_words, speaks
from rag.messages import message
from rag.question.broad import Shape
from rag.schema import Answer

MAX_PAIRS = 3
PER_SIDE = 3
SHARED_PEOPLE = 2
_NUMBER = re.compile(r"(?<![\w/.-])\d+(?:[.,]\d+)?(?![\w/-])")
_WORD = re.compile(r"\w+")


def _days(found: Found) -> tuple[set[str], set[int]]:
    """The dates (ISO) and weekdays a sentence gives."""
    dates = {m.date.iso() for m in found.dates if m.date is not None and m.date.day is not None}
    weekdays = {m.weekday for m in found.dates if m.weekday is not None}
    weekdays |= {m.date.exact.isoweekday() for m in found.dates if m.date and m.date.exact}
    return dates, weekdays


def _numbers(found: Found) -> set[str]:
    dated = "".join(m.text for m in found.dates)
    text = found.text.translate(ASCII_DIGITS)
    return {n for n in _NUMBER.findall(text) if n not in dated.translate(ASCII_DIGITS)}


def _differ(a: Found, b: Found) -> str | None:
    """ "date" or "number" when the two sentences give one thing different ones."""
    (dates_a, days_a), (dates_b, days_b) = _days(a), _days(b)
    if days_a and days_b and not days_a & days_b:
        return "date"
    if dates_a and dates_b and not dates_a & dates_b:
        return "date"
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    if numbers_a and numbers_b and not numbers_a & numbers_b and same_words(a, b):
        return "number"
    return None


def disagreements(pool: Pool, relevant: list[Found]) -> Iterator[tuple[Found, Found, str]]:
    """Pairs of sentences of different articles that give one event different dates or
    numbers."""
    for i, a in enumerate(relevant):
        people = pool.participants(a)
        for b in relevant[i + 1 :]:
            if b.article_id == a.article_id or len(people & pool.participants(b)) < SHARED_PEOPLE:
                continue
            kind = _differ(a, b)
            if kind is not None:
                yield a, b, kind


def _keys(side: str, other: str, speaker: str | None) -> list[str]:
    """The words that name a side and not the other (nor the speaker, nor a verb of speech)."""
    others = normalize_text(f"{other} {speaker or ''}")
    words = [w for w in _WORD.findall(normalize_text(side)) if len(w) > 2 and not is_speech(w)]
    return [w for w in words if not named_at(others, w)]


def _side(pool: Pool, relevant: list[Found], keys: list[str], others: list[str]) -> list[Found]:
    """The best sentences that name this side and not the other."""
    speaker = pool.question.broad.speaker if pool.question.broad else None
    # `named_at` finds any word of a name: each side's words are looked for in one pass.
    side, other = " ".join(keys), " ".join(others)
    found = [
        f
        for f in relevant
        if named_at(f.text, side)
        and not (other and named_at(f.text, other))
        and (speaker is None or speaks(f.text, speaker, set()))
    ]
    return found[:PER_SIDE]


def comparison(pool: Pool, margin: float) -> Answer | None:
    """Where the articles differ, or what they say on each side; None when neither is found."""
    relevant = pool.relevant(margin)
    language = pool.question.language
    lines = Lines(pool)
    pairs = list(disagreements(pool, relevant))[:MAX_PAIRS]
    for a, b, _ in pairs:
        lines.add(a, label=pool.occasions.get(a.article_id, ""))
        lines.add(b, label=pool.occasions.get(b.article_id, ""))
    if pairs:
        what = " / ".join(dict.fromkeys(message(f"differ_{k}", language) for _, _, k in pairs))
        return lines.answer(Shape.COMPARISON, message("differ", language, what=what))
    broad = pool.question.broad
    sides = broad.sides if broad else ()
    if len(sides) != 2:
        return None
    speaker = broad.speaker if broad else None
    keys = [_keys(side, other, speaker) for side, other in (sides, sides[::-1])]
    for side, mine, theirs in ((sides[0], keys[0], keys[1]), (sides[1], keys[1], keys[0])):
        for found in _side(pool, relevant, mine, theirs):
            lines.add(found, label=side)
    if not lines.sentences:
        return None
    return lines.answer(Shape.COMPARISON, message("no_difference", language))
