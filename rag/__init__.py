"""Grounded, cited answers from the Arabic news index: question -> retrieval -> answer ->
grounding, wired in `rag.pipeline`.

Names load on first use, so `import rag` stays cheap.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Pipeline": "rag.pipeline",
    "embedder_for": "rag.pipeline",
    "Settings": "rag.config",
    "load_settings": "rag.config",
    "AnswerMode": "rag.config",
    "Answer": "rag.schema",
    "AnswerChunk": "rag.schema",
    "AnswerSentence": "rag.schema",
    "AnswerStream": "rag.schema",
    "Citation": "rag.schema",
    "Passage": "rag.schema",
    "Question": "rag.schema",
    "SearchResult": "rag.schema",
    "QuestionError": "rag.question.cleaning",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
