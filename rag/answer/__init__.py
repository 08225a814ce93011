"""The answer stage: sentence selection, the extractive answer in three tiers decided by a
calibrated confidence, the directly stated part of an answer, and the optional LLM answer."""

from rag.answer.confidence import ConfidenceModel, TierThresholds, confidence_models
from rag.answer.extractive import ExtractiveGenerator, refusal
from rag.answer.generator import AnswerGenerator
from rag.answer.selection import ScoredSentence, SentenceSelector

__all__ = [
    "AnswerGenerator",
    "ConfidenceModel",
    "ExtractiveGenerator",
    "ScoredSentence",
    "SentenceSelector",
    "TierThresholds",
    "confidence_models",
    "refusal",
]
