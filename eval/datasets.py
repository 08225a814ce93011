"""Evaluation sets: SQuAD v1.1-format reading-comprehension files and the seed regression set.

Passage ids of a SQuAD file are positional, `f"{article_index:03d}-{paragraph_index:03d}"`
(zero-based, in file order; more digits when a file has over 999 articles or paragraphs). They
are stable for a given file, and parallel files that keep the paragraph order (XQuAD ar/en)
get the same ids for the same paragraphs. Titles are not used because they repeat across
articles in some sets and say nothing about the paragraph.

The language of the questions and of the passages is detected once per file from the share of
Arabic letters over all its texts: SQuAD-format files are monolingual, and a per-question vote
would call "أين يقع Energiprojekt AB؟" English.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.question.language import detect_language

log = logging.getLogger(__name__)

# Where the project's evaluation data lives on a checkout: `../shared/eval` beside the repo.
SHARED_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"


@dataclass(frozen=True)
class EvalPassage:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    lang: str  # "ar" | "en": the question's language
    answers: tuple[str, ...]  # acceptable answers (aliases)
    gold_ids: tuple[str, ...]  # passage or article ids that state the answer; empty if none
    answerable: bool
    direction: str  # question language - passage language, e.g. "en-ar"


@dataclass
class SquadSet:
    name: str
    passages: list[EvalPassage]
    questions: list[EvalQuestion]
    # Questions of a parallel questions file whose id the passages file lacks.
    skipped_questions: int = 0


@dataclass(frozen=True)
class _SquadQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    passage_id: str


@dataclass(frozen=True)
class _SquadFile:
    passages: list[EvalPassage]
    questions: list[_SquadQuestion]


def passage_id_of(article: int, paragraph: int) -> str:
    return f"{article:03d}-{paragraph:03d}"


def article_of(passage_id: str) -> int:
    """The article index of a passage id made by `passage_id_of`."""
    return int(passage_id.split("-", 1)[0])


def _not_squad(path: Path, why: str) -> ValueError:
    return ValueError(f"{path}: not a SQuAD v1.1-format file ({why})")


def _require(value: Any, kind: type, path: Path, where: str) -> Any:
    if not isinstance(value, kind):
        raise _not_squad(path, f"{where} is not a {kind.__name__}")
    return value


def _answer_texts(qa: dict[str, Any], path: Path, where: str) -> tuple[str, ...]:
    texts: list[str] = []
    for answer in _require(qa.get("answers", []), list, path, f"{where}.answers"):
        text = _require(answer, dict, path, f"{where}.answers[]").get("text")
        text = _require(text, str, path, f"{where}.answers[].text").strip()
        if text and text not in texts:
            texts.append(text)
    return tuple(texts)


def _read_squad(path: Path) -> _SquadFile:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _not_squad(path, f"invalid JSON: {error}") from error
    data = _require(document, dict, path, "top level").get("data")
    passages: list[EvalPassage] = []
    questions: list[_SquadQuestion] = []
    seen_ids: set[str] = set()
    for a, article in enumerate(_require(data, list, path, "data")):
        article = _require(article, dict, path, f"data[{a}]")
        title = article.get("title", "")
        paragraphs = _require(article.get("paragraphs"), list, path, f"data[{a}].paragraphs")
        for p, paragraph in enumerate(paragraphs):
            where = f"data[{a}].paragraphs[{p}]"
            paragraph = _require(paragraph, dict, path, where)
            context = _require(paragraph.get("context"), str, path, f"{where}.context")
            passage_id = passage_id_of(a, p)
            passages.append(EvalPassage(id=passage_id, title=str(title), text=context))
            for q, qa in enumerate(_require(paragraph.get("qas", []), list, path, f"{where}.qas")):
                qa_where = f"{where}.qas[{q}]"
                qa = _require(qa, dict, path, qa_where)
                qid = _require(qa.get("id"), str, path, f"{qa_where}.id")
                text = _require(qa.get("question"), str, path, f"{qa_where}.question")
                if qid in seen_ids:
                    # Joins and reports key on the id, so a repeat would silently merge two.
                    raise _not_squad(path, f"question id {qid!r} appears twice")
                seen_ids.add(qid)
                answers = _answer_texts(qa, path, qa_where)
                questions.append(_SquadQuestion(qid, text.strip(), answers, passage_id))
    if not passages:
        raise _not_squad(path, "no paragraphs")
    return _SquadFile(passages, questions)


def _file_language(texts: list[str]) -> str:
    return detect_language("\n".join(texts))


def load_squad(passages_path: Path, questions_path: Path | None = None) -> SquadSet:
    """Passages, and questions with their gold paragraph, from a SQuAD v1.1-format file.

    With `questions_path` (a parallel SQuAD file, e.g. xquad.en.json beside xquad.ar.json) the
    questions come from that file and are joined by question id to the passages file: the gold
    paragraph and the answer spans come from the passages file, and the questions file's own
    answer texts are appended as extra aliases. Questions whose id is missing from the passages
    file are counted in `skipped_questions`, logged, and left out.

    A question without answers (SQuAD 2.0 `is_impossible`) is unanswerable and has no gold id.
    Raises ValueError naming the path when a file is not SQuAD-shaped.
    """
    passage_file = _read_squad(passages_path)
    passage_lang = _file_language([passage.text for passage in passage_file.passages])
    if questions_path is None:
        name = passages_path.stem
        source = passage_file.questions
        extra_aliases: dict[str, tuple[str, ...]] = {}
    else:
        name = f"{questions_path.stem}+{passages_path.stem}"
        source = _read_squad(questions_path).questions
        extra_aliases = {question.id: question.answers for question in source}
    by_id = {question.id: question for question in passage_file.questions}
    question_lang = _file_language([question.question for question in source])
    questions: list[EvalQuestion] = []
    skipped = 0
    for asked in source:
        gold = by_id.get(asked.id)
        if gold is None:
            skipped += 1
            continue
        aliases = tuple(dict.fromkeys(gold.answers + extra_aliases.get(asked.id, ())))
        answerable = bool(gold.answers)
        questions.append(
            EvalQuestion(
                id=asked.id,
                question=asked.question,
                lang=question_lang,
                answers=aliases if answerable else (),
                gold_ids=(gold.passage_id,) if answerable else (),
                answerable=answerable,
                direction=f"{question_lang}-{passage_lang}",
            )
        )
    if skipped:
        log.warning(
            "%s: %d questions have no id in %s and were skipped",
            questions_path,
            skipped,
            passages_path,
        )
    return SquadSet(name, passage_file.passages, questions, skipped_questions=skipped)


def _seed_question(record: Any, where: str) -> EvalQuestion:
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a JSON object")
    try:
        lang = record["lang"]
        if lang not in ("ar", "en"):
            raise ValueError(f"{where}: lang must be 'ar' or 'en', not {lang!r}")
        return EvalQuestion(
            id=str(record["id"]),
            question=str(record["question"]),
            lang=lang,
            answers=tuple(str(answer) for answer in record["answers"]),
            gold_ids=tuple(str(stem) for stem in record["gold_articles"]),
            answerable=bool(record["answerable"]),
            direction=f"{lang}-ar",
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"{where}: missing or malformed field {error}") from error


def load_seed_qa(path: Path) -> list[EvalQuestion]:
    """The seed regression set (JSON lines, see /work/shared/eval/README.md).

    Gold ids are article file stems; every seed article is Arabic, so direction is `lang-ar`.
    """
    questions: list[EvalQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: invalid JSON: {error}") from error
        questions.append(_seed_question(record, where))
    return questions
