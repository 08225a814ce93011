"""The answer stage: sentence selection, the extractive answer and its answerability, and the
optional LLM answer."""

from rag.answer.answerability import AnswerabilityModel, answerability_models
from rag.answer.extractive import ExtractiveGenerator, refusal
from rag.answer.generator import AnswerGenerator
from rag.answer.selection import ScoredSentence, SentenceSelector

__all__ = [
    "AnswerGenerator",
    "AnswerabilityModel",
    "ExtractiveGenerator",
    "ScoredSentence",
    "SentenceSelector",
    "answerability_models",
    "refusal",
]
