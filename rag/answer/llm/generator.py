"""The optional LLM answer: an OpenAI-compatible chat model writes the answer from the passages.

The reply is streamed to the caller token by token and then turned into the same `Answer` the
extractive path gives: sentences with citation markers (renumbered in order of first use, markers
to non-existent passages removed and reported), one `Citation` per cited passage pointing at its
sentence closest to the claim, or a refusal. `SupportChecker` verifies the sentences afterwards,
as for every generator.

Whatever goes wrong with the model (unreachable, slow, HTTP errors, unreadable, empty or
uncited output, a stream cut off) the extractive answer is given instead, with a notice saying
why. One deadline, `settings.llm.timeout`, covers the whole reply, not only the connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from corpus import Span
from embeddings.index.protocol import VectorIndex
from embeddings.model.cache import CachedEncoder
from rag.answer.extractive import ExtractiveGenerator, refusal, top_dense_score
from rag.answer.llm.prompt import prompt_messages
from rag.answer.llm.reply import is_refusal, split_reply
from rag.answer.llm.stream import LLMFailure, classify_failure, reply_tokens
from rag.config import Settings
from rag.grounding.citations import resolve, strip_malformed_markers
from rag.grounding.verify import closest_sentence
from rag.messages import message
from rag.schema import (
    QUOTES,
    Answer,
    AnswerChunk,
    AnswerSentence,
    AnswerStream,
    Citation,
    Passage,
    Question,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

MODE = "llm"


def stream_with_notice(
    fallback: ExtractiveGenerator,
    question: Question,
    passages: Sequence[Passage],
    notice: str,
    separator: str = "",
) -> Iterator[AnswerChunk]:
    """The extractive answer, announced by `notice`, which is also kept on the answer."""
    yield AnswerChunk(separator + notice + "\n")
    relayed = AnswerStream(fallback.stream(question, passages))
    yield from (AnswerChunk(delta) for delta in relayed)
    answer = relayed.answer
    yield AnswerChunk(answer=replace(answer, notices=[*answer.notices, notice]))


def llm_slots(settings: Settings) -> int:
    """How many model answers may run at once: one answering slot of the app stays free for
    extractive questions (at least one model answer is always allowed)."""
    return max(1, settings.server.concurrency - 1)


class LLMGenerator:
    """Answers with a chat model behind an OpenAI-compatible endpoint; extractive on failure."""

    def __init__(
        self,
        settings: Settings,
        *,
        index: VectorIndex,
        encoder: CachedEncoder,
        fallback: ExtractiveGenerator,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.encoder = encoder
        self.fallback = fallback
        self.timeout = settings.llm.timeout
        self.max_sentences = max(3, settings.answer.max_sentences)
        self._chat_model = chat_model
        self._lock = threading.Lock()
        # Slow model answers may hold at most this many of the app's answering slots at once, so
        # an extractive question never waits behind them: a model question beyond it is
        # answered extractively at once, and told why.
        self._slots = threading.BoundedSemaphore(llm_slots(settings))

    @property
    def chat_model(self) -> BaseChatModel:
        """The client, built on first use (importing it costs time the extractive path saves)."""
        with self._lock:
            if self._chat_model is None:
                from langchain_openai import ChatOpenAI
                from pydantic import SecretStr

                self._chat_model = ChatOpenAI(
                    base_url=self.settings.llm.base_url,
                    api_key=SecretStr(self.settings.llm.api_key or "not-needed"),
                    model=self.settings.llm.model or "",
                    timeout=self.timeout,
                    max_retries=0,
                    streaming=True,
                    temperature=self.settings.llm.temperature,
                    max_completion_tokens=self.settings.llm.max_tokens,
                )
            return self._chat_model

    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        if not passages:
            yield AnswerChunk(answer=refusal(question, passages, mode=MODE))
            return
        if not self._slots.acquire(blocking=False):
            notice = LLMFailure("busy").notice(question.language)
            yield from stream_with_notice(self.fallback, question, passages, notice, "")
            return
        try:
            yield from self._stream(question, passages)
        finally:
            self._slots.release()

    def _stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        pieces: list[str] = []
        try:
            messages = prompt_messages(question, passages, self.max_sentences)
            for delta in reply_tokens(self.chat_model, messages, self.timeout):
                pieces.append(delta)
                yield AnswerChunk(delta)
            answer = self.build_answer(question, passages, "".join(pieces))
            # The model's answer shows the confidence the extractive path has in the passages.
            answer = replace(answer, confidence=self.fallback.assess(question, passages).confidence)
        except Exception as error:  # any failure of the model path falls back, never raises
            failure = classify_failure(error, received=bool(pieces))
            log.warning("LLM answer failed, falling back to extractive: %s", failure)
            notice = failure.notice(question.language)
            separator = "\n\n" if pieces else ""
            yield from stream_with_notice(self.fallback, question, passages, notice, separator)
            return
        yield AnswerChunk(answer=answer)

    def build_answer(self, question: Question, passages: Sequence[Passage], reply: str) -> Answer:
        """The `Answer` for a complete reply; raises `LLMFailure` when it cannot be one.

        Sentences that cite no passage are left out (the answer states nothing it cannot
        ground), malformed or out-of-range markers are removed, sentences beyond the limit are
        cut, and each of these is reported in a notice."""
        if not reply.strip():
            raise LLMFailure("empty")
        text, malformed = strip_malformed_markers(reply)
        parsed = split_reply(text)
        if is_refusal(reply) or not parsed:  # a refusal, or nothing but markers and punctuation
            return refusal(question, passages, mode=MODE)
        renumber: dict[int, int] = {}  # passage number in the prompt -> marker in the answer
        invalid: list[str] = list(malformed)
        for sentence in parsed:
            valid, wrong = resolve(sentence.numbers, len(passages))
            invalid += [f"[{number}]" for number in wrong if f"[{number}]" not in invalid]
            sentence.numbers = valid
        cited = [s for s in parsed if s.numbers]
        kept = cited[: self.max_sentences]
        for sentence in kept:
            for number in sentence.numbers:
                renumber.setdefault(number, len(renumber) + 1)
        if not renumber:
            raise LLMFailure("uncited", reply[:200])
        sentences = [
            AnswerSentence(s.text, tuple(sorted(renumber[n] for n in s.numbers))) for s in kept
        ]
        language = question.language
        notices = []
        if invalid:
            notices.append(message("invalid_markers", language, markers=", ".join(invalid)))
        if len(cited) < len(parsed):
            notices.append(message("uncited_dropped", language, count=len(parsed) - len(cited)))
        if len(kept) < len(cited):
            notices.append(message("sentences_cut", language, count=len(cited) - len(kept)))
        return Answer(
            question=question.text,
            language=language,
            lead=message("lead", language),
            sentences=sentences,
            citations=self._citations(passages, sentences, renumber),
            mode=MODE,
            notices=notices,
            invalid_markers=[marker.strip("[]") for marker in invalid],
            passages=list(passages),
            top_score=top_dense_score(passages),
        )

    def _citations(
        self,
        passages: Sequence[Passage],
        sentences: Sequence[AnswerSentence],
        renumber: dict[int, int],
    ) -> list[Citation]:
        """One citation per cited passage: its sentence most similar to a sentence citing it."""
        claims = self.encoder.passages([s.text.strip(QUOTES) for s in sentences])
        cited = sorted(renumber.items(), key=lambda item: item[1])
        evidence = self.index.sentences_in([passages[number - 1].chunk for number, _ in cited])
        citations = []
        for (number, marker), sentences_of_passage in zip(cited, evidence, strict=True):
            passage = passages[number - 1]
            citing = [i for i, s in enumerate(sentences) if marker in s.markers]
            closest = closest_sentence(sentences_of_passage, claims[citing])
            if closest is None:
                text = passage.chunk.text
                closest = Span(0, len(text), text), 0.0
            citations.append(Citation(marker, passage, *closest))
        return citations


class UnconfiguredLLM:
    """Stands in for the LLM when none is configured: the extractive answer, with a notice."""

    def __init__(self, fallback: ExtractiveGenerator) -> None:
        self.fallback = fallback

    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        notice = message("llm_not_configured", question.language)
        yield from stream_with_notice(self.fallback, question, passages, notice)
