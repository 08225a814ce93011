"""The conversation record: the answer selector's labels, and the copy and export texts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from corpus import Chunk, Span
from embeddings.index.manifest import ArticleRecord
from rag.messages import tier_badge, tier_meaning
from rag.schema import Answer, AnswerSentence, Citation, Passage
from service.sources import article_meta
from ui.conversation import FIRST_STRONG_ISOLATE, POP_ISOLATE, Entry, chat_messages, turn_label
from ui.export import answer_text, conversation_markdown, turn_markdown

LONG_AR = "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين يوم الخميس الماضي؟"


def test_a_long_arabic_label_is_cut_at_a_word_inside_an_isolate():
    label = turn_label(0, LONG_AR)
    assert label.startswith(f"#1 · {FIRST_STRONG_ISOLATE}") and label.endswith(f"…{POP_ISOLATE}")
    words = label[len("#1 · ") + 1 : -2]
    assert LONG_AR.startswith(words) and LONG_AR[len(words)] == " "  # no word cut in two
    assert (
        turn_label(1, "  Who   met him? ")
        == f"#2 · {FIRST_STRONG_ISOLATE}Who met him?{POP_ISOLATE}"
    )


def test_bidi_controls_in_a_question_cannot_escape_its_label():
    label = turn_label(0, "\u202eسؤال\u2069\u2066 خبيث")
    inside = label[len("#1 · ") + 1 : -1]
    assert not any(ch in inside for ch in "\u202e\u2066\u2069")
    assert label.count(POP_ISOLATE) == 1


def _answer() -> Answer:
    text = "استقبل بوتين الشيباني في الكرملين."
    chunk = Chunk("a:0-40", "a", None, text, 0, len(text))
    citation = Citation(1, Passage(chunk, 0.9), Span(0, len(text), text), 0.9)
    return Answer(
        question="من استقبل الشيباني؟",
        language="ar",
        lead="بحسب المقالات:",
        sentences=[AnswerSentence(text, (1,))],
        citations=[citation],
        evidence=[AnswerSentence("وأكد البيان ذلك.", (1,))],
    )


def test_copied_answer_carries_its_citations_as_text():
    record = ArticleRecord(
        fingerprint="0" * 64, title="لقاء في موسكو", source="a.txt", chunks=1, outlet="sana.sy"
    )
    metas = {"a": article_meta("a", record)}
    copied = answer_text(_answer(), metas)
    # The tier in the words of the chat's badge and its tooltip, then the answer.
    assert copied.splitlines()[:3] == [
        f"_{tier_badge('answer', 'ar')}: {tier_meaning('answer', 'ar', None)}_",
        "بحسب المقالات:",
        "- استقبل بوتين الشيباني في الكرملين. [1]",
    ]
    assert "أدلة أخرى:\n- وأكد البيان ذلك. [1]" in copied
    assert "المصادر:\n[1] لقاء في موسكو — sana.sy · `a`" in copied
    assert "    “استقبل بوتين الشيباني في الكرملين.”" in copied
    # Without a title the first sentence names the article, and the id is given once.
    assert copied.count("`a`") == 1 and "a (a)" not in answer_text(_answer())


def test_conversation_exports_as_markdown_with_every_answer_and_its_sources():
    done = Entry("من استقبل الشيباني؟", "ar", 0, status="done", answer=_answer())
    stopped = Entry("Who met him?", "en", 1, status="stopped", streamed="The articles")
    failed = Entry("؟؟", "ar", 2, status="error", streamed="لا يحتوي السؤال على كلمات")
    running = Entry("still going", "en", 3)
    markdown = conversation_markdown(
        [done, stopped, failed, running], now=datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    )
    assert markdown.startswith("# Arabic news Q&A") and "Exported 2025-01-02 03:04 UTC" in markdown
    assert "## 1. من استقبل الشيباني؟\n\n_مذكورة في المقالات: " in markdown
    # Article text and the assistant's lead are escaped for Markdown (service/markdown.py; the
    # rendered export: tests/ui/test_export_browser): these hold no mark that opens markup.
    assert "\nبحسب المقالات:\n" in markdown
    assert "[1] استقبل بوتين الشيباني في الكرملين. — id a" in markdown
    assert (
        "## 2. Who met him?\n\nThe articles\n\n_Stopped before the answer was complete._"
        in markdown
    )
    assert "_لا يحتوي السؤال على كلمات_" in markdown and "still going" not in markdown


def test_the_export_says_the_tier_as_the_chat_does_and_never_doubles_quotation_marks():
    quoted = "“نسعى إلى شراكة استراتيجية” قال الوزير."
    chunk = Chunk("q:0-60", "q", None, quoted, 0, len(quoted))
    answer = replace(
        _answer(),
        language="en",
        lead="The articles most likely answer this here:",
        tier="likely",
        confidence=0.74,
        sentences=[AnswerSentence(quoted, (1,))],
        citations=[Citation(1, Passage(chunk, 0.9), Span(0, len(quoted), quoted), 0.9)],
        evidence=[],
    )
    text = answer_text(answer)
    assert text.splitlines()[0] == (
        "_Most likely answer: The quoted sentence most likely states the answer. "
        "Chance that the first sentence holds the answer: 74%_"
    )
    assert "““" not in text and "””" not in text and f"    {quoted}" in text


def test_a_broad_answer_is_copied_and_exported_under_its_headings():
    """A timeline's dates (and an occasion's name) head its lines in the copy and the export
    as in the chat; an article's text in a heading is escaped for Markdown like its lines."""
    base = _answer()
    answer = replace(
        base,
        tier="related",
        shape="timeline",
        lead="تسلسل زمني من المقالات: حدثان في مقالة واحدة.",
        sentences=[
            AnswerSentence("التقى لافروف الشيباني.", (1,), label="23–24 شباط/فبراير", date="--02"),
            AnswerSentence(base.sentences[0].text, (1,), label="31 تموز/يوليو", date="--07-31"),
            AnswerSentence("وأكد البيان ذلك.", (1,), label="31 تموز/يوليو", date="--07-31"),
        ],
        evidence=[],
    )
    lines = answer_text(answer).splitlines()
    start = lines.index("23–24 شباط/فبراير:")
    assert lines[start : start + 5] == [
        "23–24 شباط/فبراير:",
        "- التقى لافروف الشيباني. [1]",
        "31 تموز/يوليو:",
        "- استقبل بوتين الشيباني في الكرملين. [1]",
        "- وأكد البيان ذلك. [1]",
    ]
    hostile = replace(answer, sentences=[replace(answer.sentences[0], label="<b>*x*</b>")])
    markdown = turn_markdown(Entry("؟", "ar", 0, status="done", answer=hostile))
    assert "\\<b\\>\\*x\\*\\</b\\>:" in markdown and "<b>" not in markdown


def test_chat_messages_pair_each_question_with_its_answer():
    turns = [Entry("سؤال؟", "ar", 0, message="<div>جواب</div>"), Entry("Q?", "en", 1, message="x")]
    messages = chat_messages(turns)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert messages[1]["content"] == "<div>جواب</div>" and 'dir="rtl"' in messages[0]["content"]


def test_an_answer_produced_at_once_is_shown_a_line_at_a_time(monkeypatch):
    from ui import chat

    clock = {"now": 100.0}
    slept: list[float] = []
    monkeypatch.setattr(chat.time, "monotonic", lambda: clock["now"])

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        clock["now"] += seconds

    monkeypatch.setattr(chat.time, "sleep", sleep)
    shown = list(chat.paced(["lead", "\n- one [1]", "\n- two", " [2]"], seconds=0.15))
    assert shown == [
        "lead",
        "lead\n- one [1]",
        "lead\n- one [1]\n- two",
        "lead\n- one [1]\n- two [2]",
    ]
    assert slept == [0.15, 0.15]  # before each new line; the rest of a line is not held back

    def slow():  # a stream slower than the pace (an LLM's) is not held back
        yield "lead"
        clock["now"] += 1.0
        yield "\n- one"

    slept.clear()
    assert list(chat.paced(slow(), seconds=0.15)) == ["lead", "lead\n- one"]
    assert slept == [0.0]
