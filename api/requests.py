"""A chat-completions request, parsed at the edge into typed records: the question, its history
as `rag.schema.Turn`s and the answer options. Anything else is a `RequestError` (HTTP 400).

The conversation follows OpenAI's: every earlier user message with the assistant reply that
followed it becomes a `Turn`; system (and developer) messages steer a model, not the search, and
are ignored; tool messages and unknown roles are refused, because this assistant calls no tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from embeddings.index.filters import ArticleFilter
from rag.question.language import question_language
from rag.schema import Turn
from service.filters import FilterError, request_filter

MODEL_ID = "arabic-news-rag"
MAX_TOP_K = 20
# Roles that carry no question or answer: they are read and left out of the conversation.
IGNORED_ROLES = frozenset({"system", "developer"})


class RequestError(ValueError):
    """A request this API cannot answer; `param` names the field at fault, when one is."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class TextPart(BaseModel):
    """The one kind of content part this assistant reads: text."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["text"]
    text: StrictStr


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: StrictStr
    content: StrictStr | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


class Filters(BaseModel):
    """The extra field `filters`: which articles are searched (each part optional)."""

    model_config = ConfigDict(extra="forbid")
    date_from: StrictStr | None = None
    date_to: StrictStr | None = None
    outlets: list[StrictStr] = []


class ChatRequest(BaseModel):
    """The fields of OpenAI's request this API reads (others, such as `temperature`, are
    accepted and ignored), plus its own `top_k`, `mode` and `filters`."""

    model_config = ConfigDict(extra="ignore")
    model: StrictStr = MODEL_ID
    messages: Annotated[list[Message], Field(min_length=1)]
    stream: StrictBool = False
    top_k: Annotated[StrictInt, Field(ge=1)] | None = None
    mode: Literal["extractive", "llm"] | None = None
    filters: Filters | None = None


@dataclass(frozen=True)
class Asked:
    """What a request asks: the question, the conversation before it, and the options."""

    question: str
    history: tuple[Turn, ...]
    model: str
    stream: bool
    k: int | None
    mode: str | None
    filters: ArticleFilter | None = None


def conversation(messages: list[Message]) -> tuple[str, tuple[Turn, ...]]:
    """The last user message is the question; each earlier user message and the assistant reply
    that followed it (if any) is a `Turn`."""
    turns: list[Turn] = []
    asked: str | None = None
    for position, message in enumerate(messages):
        if message.role in IGNORED_ROLES:
            continue
        if message.role == "user":
            if asked is not None:
                turns.append(Turn(asked))
            asked = message.text
        elif message.role == "assistant":
            if asked is not None:
                turns.append(Turn(asked, message.text))
                asked = None
        else:
            raise RequestError(
                f"messages[{position}]: the role {message.role!r} is not supported; "
                "send system, user and assistant messages",
                f"messages.{position}.role",
            )
    if asked is None:
        raise RequestError("`messages` must end with a user message: the question", "messages")
    return asked, tuple(turn for turn in turns if turn.question.strip())


def _describe(error: ValidationError) -> RequestError:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "json_invalid":
        return RequestError(f"the request body is not valid JSON: {first['msg']}")
    if not where:
        return RequestError(f"the request body must be a JSON object: {first['msg']}")
    return RequestError(f"`{where}`: {first['msg']}", where)


def parse_request(body: bytes) -> Asked:
    """The typed request in `body` (JSON), or a `RequestError` that says what is wrong."""
    try:
        request = ChatRequest.model_validate_json(body)
    except ValidationError as error:
        raise _describe(error) from None
    question, history = conversation(request.messages)
    k = None if request.top_k is None else min(MAX_TOP_K, request.top_k)
    asked = request.filters
    try:
        filters = (
            None
            if asked is None
            else request_filter(
                asked.date_from, asked.date_to, asked.outlets, question_language(question)
            )
        )
    except FilterError as error:
        raise RequestError(str(error), "filters") from None
    return Asked(question, history, request.model, request.stream, k, request.mode, filters)
