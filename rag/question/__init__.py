"""The question stage: its language, cleaning, the conversation it follows up, and the kind of
answer it asks for, gathered once into a `rag.schema.Question`.

Names load on first use: `rag.schema` needs the language and answer types, and the reader needs
`rag.schema`.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "AnswerType": "rag.question.answer_type",
    "QuestionError": "rag.question.cleaning",
    "Language": "rag.question.language",
    "detect_language": "rag.question.language",
    "question_language": "rag.question.language",
    "text_direction": "rag.question.language",
    "read_question": "rag.question.reading",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rag.question' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
