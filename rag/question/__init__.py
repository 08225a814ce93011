"""The question stage: its language, cleaning, the conversation it follows up, and the kind of
answer it asks for, gathered once into a `rag.schema.Question`."""

from rag.question.answer_type import AnswerType
from rag.question.cleaning import QuestionError
from rag.question.language import Language, detect_language, text_direction
from rag.question.reading import read_question

__all__ = [
    "AnswerType",
    "Language",
    "QuestionError",
    "detect_language",
    "read_question",
    "text_direction",
]
