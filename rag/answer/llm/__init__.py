"""The optional LLM answer: prompt, streamed reply under a deadline, reply parsing, generator."""

from rag.answer.llm.generator import MODE, LLMGenerator, UnconfiguredLLM
from rag.answer.llm.prompt import fence_passages, prompt_messages
from rag.answer.llm.reply import ReplySentence, is_refusal, split_reply
from rag.answer.llm.stream import LLMFailure

__all__ = [
    "MODE",
    "LLMFailure",
    "LLMGenerator",
    "ReplySentence",
    "UnconfiguredLLM",
    "fence_passages",
    "is_refusal",
    "prompt_messages",
    "split_reply",
]
