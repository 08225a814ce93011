"""The load bench counts a rendered answer of any tier, and a refusal, as an answer: the chat's
real HTML (ui/render/answer.py), not a copy of it."""

from __future__ import annotations

import pytest

from bench.load_app import check_output
from rag.schema import TIERS, Answer
from ui.render.answer import render_answer, render_streaming


@pytest.mark.parametrize("tier", TIERS)
def test_every_rendered_tier_is_an_answer(tier: str) -> None:
    answer = Answer(
        question="سؤال؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=[],
        citations=[],
        tier=tier,
    )
    chat = [{"role": "assistant", "content": render_answer(answer, turn=0)}]
    assert check_output([chat]) is None


def test_a_message_still_streaming_is_not_an_answer() -> None:
    chat = [{"role": "assistant", "content": render_streaming("جزء", "ar", 0)}]
    assert check_output([chat]) is not None
