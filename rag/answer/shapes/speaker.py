"""Who said what: the statements of the person a question names, grouped by occasion.

A statement is a sentence with a verb of speech ("قال", "أكد", "أعلن", "said", ...) whose speaker
is named before what is said: "وأكد لافروف أن ..." or "أعلن وزير الخارجية الروسي، سيرغي لافروف،
أنه ..." is Lavrov's; "نقلت عن زاخاروفا قولها إن لافروف سيجري ..." is not. The speaker is found
by name in either script (`names.named_at`), or by the title an article gave them beside their
name ("وزير الخارجية الروسي" once that article wrote "وزير الخارجية الروسي سيرغي لافروف").

An occasion is the article that reports the statements: each group is headed by its article's
title (and date, when known). The same statement told by several articles is one line citing
each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus import normalize_text
from rag.answer.direct import person_names
from rag.answer.shapes.compose import Lines, counted
from rag.answer.shapes.names import named_at
from rag.answer.shapes.pool import Found, Pool
from rag.question.broad import Shape
from rag.schema import Answer

MAX_STATEMENTS = 12
# Two statements are one when they share this share of their words (one told by two outlets).
SAME_WORDS = 0.6
_SPEECH = frozenset(
    normalize_text(word)
    for word in [
        "قال",
        "قاله",
        "قالته",
        "قالت",
        "يقول",
        "تقول",
        "قائلا",
        "قائلة",
        "قوله",
        "قولها",
        "أكد",
        "أكدت",
        "يؤكد",
        "مؤكدا",
        "مؤكدة",
        "تأكيده",
        "شدد",
        "شددت",
        "مشددا",
        "أعلن",
        "أعلنت",
        "معلنا",
        "صرح",
        "صرحت",
        "تصريح",
        "تصريحات",
        "تصريحاته",
        "أوضح",
        "أوضحت",
        "موضحا",
        "أشار",
        "أشارت",
        "مشيرا",
        "أضاف",
        "أضافت",
        "مضيفا",
        "تابع",
        "اعتبر",
        "اعتبرت",
        "معتبرا",
        "رأى",
        "وصف",
        "وصفت",
        "واصفا",
        "دعا",
        "داعيا",
        "حذر",
        "حذرت",
        "محذرا",
        "نفى",
        "كشف",
        "أفاد",
        "أفادت",
        "لفت",
        "لافتا",
        "نوه",
        "منوها",
        "أعرب",
        "أعربت",
        "جدد",
        "طالب",
        "said",
        "says",
        "say",
        "stated",
        "told",
        "added",
        "announced",
        "stressed",
        "noted",
        "warned",
        "declared",
        "affirmed",
        "emphasized",
        "insisted",
        "explained",
        "urged",
    ]
)
_CONTENT = re.compile(r"(?<!\w)(?:ان|انه|انها|بان|that)(?!\w)|[:“\"«]")
_WORD = re.compile(r"\w+")
# Words a title opens with (normalized, with or without "و" before them).
_TITLE_HEADS = ("وزير", "الرئيس", "رئيس", "المتحدث", "الناطق", "السفير", "المبعوث", "نائب")


def is_speech(word: str) -> bool:
    return word in _SPEECH or (word[:1] in "وف" and word[1:] in _SPEECH)


def _titles(found: Sequence[Found], speaker: str) -> set[str]:
    """The titles an article gives the speaker beside their name, normalized."""
    titles = set()
    for item in found:
        for start, end in person_names(item.text):
            if named_at(item.text[start:end], speaker):
                before = normalize_text(item.text[max(0, start - 60) : start]).strip(" ،,")
                words = before.split()[-4:]
                head = next((i for i, w in enumerate(words) if w.startswith(_TITLE_HEADS)), None)
                if head is not None:
                    titles.add(" ".join(words[head:]).removeprefix("و"))
    return titles


def speaks(text: str, speaker: str, titles: set[str]) -> bool:
    """Whether the sentence states what the speaker said: a verb of speech, and the speaker
    named (or titled) before what is said begins."""
    norm = normalize_text(text)
    verbs = [m.start() for m in _WORD.finditer(norm) if is_speech(m.group())]
    if not verbs:
        return False
    content = _CONTENT.search(norm, verbs[0])
    limit = content.start() if content else len(norm)
    places = named_at(text, speaker) + [norm.find(t) for t in titles if t in norm]
    return any(0 <= place < limit for place in places)


def same_words(a: Found, b: Found) -> bool:
    """Whether two sentences say the same thing in nearly the same words."""
    words_a, words_b = a.tokens, b.tokens
    return len(words_a & words_b) >= SAME_WORDS * min(len(words_a), len(words_b))


def statements(pool: Pool, margin: float) -> Answer | None:
    """The speaker's statements in the retrieved sentences, by occasion, or None."""
    broad = pool.question.broad
    if broad is None or not broad.speaker:
        return None
    by_article: dict[str, list[Found]] = {}
    for found in pool.found:
        by_article.setdefault(found.article_id, []).append(found)
    titles = {article: _titles(found, broad.speaker) for article, found in by_article.items()}
    said: list[list[Found]] = []
    for found in pool.relevant(margin):
        if not speaks(found.text, broad.speaker, titles[found.article_id]):
            continue
        same = next((group for group in said if same_words(group[0], found)), None)
        if same is None:
            said.append([found])
        elif found.article_id not in {f.article_id for f in same}:
            same.append(found)
    if not said:
        return None
    said = said[:MAX_STATEMENTS]
    order = list(dict.fromkeys(group[0].article_id for group in said))
    said.sort(key=lambda group: (order.index(group[0].article_id), group[0].offset))
    lines = Lines(pool)
    for group in said:
        lines.add(group[0], group[1:], label=pool.occasions.get(group[0].article_id, ""))
    lead = counted(lines, "speaker", "statement", len(said), speaker=broad.speaker)
    return lines.answer(Shape.SPEAKER, lead)
