"""How a broad answer is put together: lines of article sentences, each citing every article
that reports it (one marker per passage, numbered by first use), under a lead that says how much
was found."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.extractive import Citing, shown
from rag.answer.shapes.pool import Found, Pool
from rag.messages import count_words, message
from rag.question.broad import Shape
from rag.question.language import Language
from rag.schema import Answer, AnswerSentence


class Lines:
    """The answer's lines and citations, markers numbered by first use (`Citing`)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.citing = Citing(pool.question, pool.passages)
        self.sentences: list[AnswerSentence] = []

    def add(
        self,
        found: Found,
        also: Sequence[Found] = (),
        *,
        label: str = "",
        date: str | None = None,
        highlight: tuple[int, int] | None = None,
    ) -> None:
        """A line: `found` as every answer shows a sentence (`rag.answer.extractive.shown`),
        citing it and `also` (other articles telling the same), under `label`."""
        markers = tuple(dict.fromkeys(self.citing.marker(f) for f in (found, *also)))
        text, highlight = shown(found.text, self.pool.question.language, highlight)
        self.sentences.append(
            AnswerSentence(text, markers, highlight=highlight, label=label, date=date)
        )

    def articles(self) -> int:
        return len({c.passage.article_id for c in self.citing.citations})

    def answer(self, shape: Shape, lead: str) -> Answer:
        question = self.pool.question
        return Answer(
            question=question.text,
            language=question.language,
            lead=lead,
            sentences=self.sentences,
            citations=self.citing.citations,
            passages=list(self.pool.passages),
            shape=shape.value,
        )


def counted(lines: Lines, key: str, noun: str, count: int, **values: str) -> str:
    """A lead that says how much was found: `count` of `noun` in how many articles."""
    language = lines.pool.question.language
    return message(
        key,
        language,
        **{f"{noun}s": count_words(count, noun, language)},
        articles=count_words(lines.articles(), "article", language),
        **values,
    )


def reported_by(count: int, language: Language) -> str:
    """ "reported by 3 articles", or nothing for one."""
    if count < 2:
        return ""
    articles = count_words(count, "article", language)
    return message("reported_by", language, count=count, articles=articles)
