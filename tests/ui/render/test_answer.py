"""The chat's HTML: escaping, highlights, marker links, direction, status; no Gradio needed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from corpus import Chunk, Span
from rag.messages import tier_badge, tier_meaning
from rag.schema import TIERS, Answer, AnswerSentence, Citation, Passage
from service.sources import locate
from ui.render.answer import (
    esc,
    render_answer,
    render_generic_error,
    render_question_error,
    render_status,
    render_streaming,
    render_user,
)
from ui.render.sources import render_sources

ROOT = Path(__file__).resolve().parents[3]

EVIL = 'قبل <script>alert("x")</script> بعد'


def _citation(
    marker: int, text: str, start: int, end: int, title: str | None = "عنوان"
) -> Citation:
    chunk = Chunk(
        id=f"a{marker}:0", article_id=f"a{marker}", title=title, text=text, start=0, end=len(text)
    )
    return Citation(
        marker=marker,
        passage=Passage(chunk=chunk, score=0.9),
        sentence=Span(start, end, text[start:end]),
        support=0.93,
    )


def _answer(language="ar", refused=False, citations=(), sentences=()) -> Answer:
    return Answer(
        question="سؤال؟" if language == "ar" else "Question?",
        language=language,
        lead="بحسب المقالات:" if language == "ar" else "The articles answer this in Arabic:",
        sentences=list(sentences),
        citations=list(citations),
        tier="refused" if refused else "answer",
    )


def test_sources_escape_passage_and_title():
    text = f"جملة أولى. {EVIL}. جملة أخيرة."
    start = text.index("قبل")
    end = text.index("بعد") + 3
    citation = _citation(1, text, start, end, title="<b>عنوان</b>")
    html = render_sources(_answer(citations=[citation]), turn=0)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;عنوان&lt;/b&gt;" in html
    # The three parts are escaped separately: the highlight wraps exactly the escaped sentence
    # (then the link back to the answer).
    mark = re.search(r'<mark [^>]*>(.*?)<a class="back"', html).group(1)
    assert mark == esc(text[start:end])
    assert 'id="src-0-1"' in html and "a1" in html and "0.93" in html


def test_highlight_uses_offsets_and_falls_back_to_search():
    text = "الجملة الأولى. الجملة الثانية. الجملة الثالثة."
    start = text.index("الجملة الثانية")
    end = start + len("الجملة الثانية.")
    assert locate(text, Span(start, end, text[start:end])) == (start, end)
    # Stale offsets: the sentence is found by its text.
    found = locate(text, Span(0, 5, "الجملة الثالثة."))
    assert found is not None and text[found[0] : found[1]] == "الجملة الثالثة."
    # Not in the passage, or out of range: nothing is highlighted.
    assert locate(text, Span(0, 3, "غير موجود")) is None
    assert locate(text, Span(500, 600, "")) is None


def test_answer_markers_link_to_their_sources():
    text = "استقبل بوتين الشيباني في الكرملين."
    citations = [_citation(1, text, 0, len(text)), _citation(2, text, 0, len(text))]
    sentences = [AnswerSentence(text=text, markers=(1, 2))]
    answer = _answer(citations=citations, sentences=sentences)
    html = render_answer(answer, turn=3)
    assert '<a href="#src-3-1" class="cite"' in html and ">[1]</a>" in html
    assert '<a href="#src-3-2" class="cite"' in html
    sources = render_sources(answer, turn=3)
    assert 'id="src-3-1"' in sources and 'id="src-3-2"' in sources
    assert "\n" not in html  # an HTML block in Markdown must not be split by a blank line


def test_answer_escapes_sentence_text_and_does_not_link_quoted_brackets():
    sentence = AnswerSentence(text=f"{EVIL} [7]", markers=(1,))
    html = render_answer(_answer(sentences=[sentence], citations=[]), turn=0)
    assert "<script>" not in html
    assert 'href="#src-0-7"' not in html and 'href="#src-0-1"' in html


def test_refusal_is_marked_and_has_no_sources():
    answer = replace(
        _answer(language="en", refused=True),
        lead="The articles in the corpus do not contain an answer to this question.",
    )
    html = render_answer(answer, turn=0)
    assert 'class="msg msg-en refusal tier-refused"' in html and 'dir="ltr" lang="en"' in html
    assert "do not contain" in html and "cite" not in html
    sources = render_sources(answer, turn=0)
    assert "no-sources" in sources and "<section" not in sources


def test_direction_wrappers():
    assert render_user("من استقبل الشيباني؟").startswith(
        '<div dir="rtl" lang="ar" class="msg msg-ar"'
    )
    assert render_user("Who met al-Shaibani?").startswith(
        '<div dir="ltr" lang="en" class="msg msg-en"'
    )
    english = render_answer(
        _answer(
            language="en", sentences=[AnswerSentence(text="“استقبل بوتين الشيباني.”", markers=(1,))]
        ),
        turn=0,
    )
    assert english.startswith('<div dir="ltr" lang="en"')
    assert '<li dir="rtl" lang="ar"' in english  # quoted Arabic keeps its own direction
    assert "<script>" not in render_user(EVIL)


def test_streaming_links_trailing_markers_and_escapes():
    html = render_streaming("بحسب المقالات:\n- جملة <i>مقتبسة</i> [1][2]", "ar", 4)
    assert 'href="#src-4-1"' in html and 'href="#src-4-2"' in html
    assert "<i>" not in html and "&lt;i&gt;" in html


def test_streaming_links_every_marker_of_the_citation_grammar():
    """The streamed text links markers as `rag.grounding.citations` reads them: lists, ranges,
    Arabic-Indic and full-width digits, and markers in the middle of an LLM's sentence."""
    html = render_streaming("The minister signed [1, 3] a deal [٢] in Moscow ［４］.", "en", 0)
    for marker in (1, 3, 2, 4):
        assert f'href="#src-0-{marker}"' in html
    assert "[1, 3]" not in html and "［４］" not in html
    assert "[a]" in render_streaming("not a marker [a]", "en", 0)


def test_long_question_is_not_echoed_whole():
    html = render_user("a" * 10_000)
    assert len(html) < 1_000


def test_question_error_and_generic_error():
    from rag.question.cleaning import QuestionError, clean_question

    with pytest.raises(QuestionError) as caught:
        clean_question("؟؟!!", 2000)
    html = render_question_error(caught.value)
    assert 'dir="rtl"' in html and "question-error" in html and "لا يحتوي" in html
    generic = render_generic_error()
    assert 'lang="ar"' in generic and 'lang="en"' in generic and "Traceback" not in generic


def test_status_is_human_readable():
    from embeddings.index.manifest import ArticleRecord, Manifest

    record = ArticleRecord(fingerprint="f", title="t", source="s", chunks=4)
    manifest = Manifest(
        model_id="packaged:multilingual-e5-small",
        weights_sha256="x",
        dimension=384,
        chunker={},
        articles={"a": record, "b": record},
        ann={},
        chunks=8,
        created=1_700_000_000,
    )
    html = render_status(manifest, now=1_700_000_000 + 2 * 3600 + 5)
    assert "2023-11-14 22:13 UTC" in html and "2 hours ago" in html
    assert ">2<" in html and ">8<" in html and "multilingual-e5-small" in html


def _tiered(tier: str, confidence: float | None = None, **changes) -> Answer:
    text = "عُقدت القمة في 15 من تشرين الأول."
    sentence = AnswerSentence(text=text, markers=(1,), highlight=(text.index("15"), len(text) - 1))
    return replace(
        _answer(citations=[_citation(1, text, 0, len(text))], sentences=[sentence]),
        tier=tier,
        confidence=confidence,
        **changes,
    )


@pytest.mark.parametrize("tier", ["answer", "likely", "related", "refused"])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_each_tier_has_its_own_style_and_badge_whose_tooltip_says_what_it_means(tier, language):
    answer = replace(_tiered(tier, 0.82), language=language)
    html = render_answer(answer, turn=0)
    assert f"tier-{tier}" in html
    assert all(f"tier-{other}" not in html for other in TIERS if other != tier)
    badge = re.search(r'<span class="tier-badge badge-(\w+)" title="([^"]*)">([^<]*)</span>', html)
    assert badge is not None, html
    assert badge.group(1) == tier
    assert badge.group(3) == esc(tier_badge(tier, language))
    # The tooltip is the tier's meaning and the confidence it was decided on, word for word.
    assert badge.group(2) == esc(tier_meaning(tier, language, 0.82))
    assert ("82%" if language == "en" else "82٪") in badge.group(2)
    # No other tier's words anywhere.
    for other in TIERS:
        if other != tier:
            assert esc(tier_badge(other, language)) not in html


def test_without_a_confidence_the_tooltip_gives_the_meaning_alone():
    html = render_answer(_tiered("answer", None), turn=0)
    assert f'title="{esc(tier_meaning("answer", "ar", None))}"' in html
    assert "٪" not in html


def test_the_span_that_states_the_answer_is_highlighted():
    html = render_answer(_tiered("answer"), turn=0)
    assert '<mark class="key">15 من تشرين الأول</mark>' in html
    # A span outside the sentence highlights nothing and loses nothing.
    broken = replace(_tiered("answer").sentences[0], highlight=(5, 500))
    html = render_answer(replace(_tiered("answer"), sentences=[broken]), turn=0)
    assert "<mark" not in html and "عُقدت القمة في 15 من تشرين الأول." in html


def test_more_evidence_is_folded_and_cited():
    evidence = [AnswerSentence(text="وأكد لافروف موعد القمة.", markers=(2,))]
    html = render_answer(replace(_tiered("answer"), evidence=evidence), turn=1)
    folded = re.search(r'<details class="evidence">(.*?)</details>', html).group(1)
    assert "أدلة أخرى (1)" in folded and "وأكد لافروف موعد القمة." in folded
    assert 'href="#src-1-2"' in folded
    assert "وأكد لافروف" not in html.replace(folded, "")


def test_arabic_line_ends_with_its_marker_in_reading_order():
    """The marker follows the text inside the right-to-left line, joined by a no-break space,
    and no style can resolve the line left to right."""
    html = render_answer(_tiered("answer"), turn=0)
    line = re.search(r'<li dir="rtl" lang="ar" class="sentence">(.*?)</li>', html).group(1)
    assert line.endswith('</span>\u00a0<a href="#src-0-1" class="cite" id="cite-0-1">[1]</a>')
    css = (ROOT / "ui" / "assets" / "app.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]*)\{[^}]*unicode-bidi:\s*plaintext", css)
    assert [rule.strip() for rule in rules] == ["#question textarea"]  # the user's typing only
    assert "break-all" not in css


def test_copy_text_rides_in_the_answer_on_one_line():
    html = render_answer(_tiered("answer"), turn=0, copy_text="سطر <أول>\nسطر ثانٍ")
    assert 'class="act act-copy"' in html
    assert '<div class="copy-src" hidden>سطر &lt;أول&gt;&#10;سطر ثانٍ</div>' in html
    assert "\n" not in html


def test_stopped_stream_keeps_its_text_and_says_so():
    html = render_streaming("بحسب المقالات:\n- جملة أولى [1]", "ar", 0, stopped=True)
    assert "جملة أولى" in html and "أُوقفت الإجابة قبل اكتمالها" in html
    assert "msg-ar stopped" in html and "streaming" not in html
    streaming = render_streaming("بحسب المقالات:\n- جملة أولى [1]\n- جملة ثانية", "ar", 0)
    assert streaming.count("<li ") == 2 and 'class="lead stream-line"' in streaming


def test_status_never_cuts_a_word():
    from embeddings.index.manifest import Manifest

    manifest = Manifest(
        model_id="packaged:multilingual-e5-small",
        weights_sha256="x",
        dimension=384,
        chunker={},
        articles={},
        ann={},
        chunks=0,
        created=1_700_000_000,
    )
    html = render_status(manifest, now=1_700_000_000 + 90)
    assert "packaged:<wbr>multilingual-e5-small" in html and "1 minute ago" in html


def test_a_timeline_answer_puts_each_date_above_its_lines_in_the_answers_direction():
    lines = [
        AnswerSentence(
            "التقى لافروف الشيباني في أنقرة.", (1,), label="23–24 شباط/فبراير", date="--02-23/24"
        ),
        AnswerSentence(
            "استقبل بوتين الشيباني.", (2, 3), label="31 تموز/يوليو · ورد في مقالتين", date="--07-31"
        ),
        AnswerSentence(
            "واستقبل بوتين الوفد.", (2,), label="31 تموز/يوليو · ورد في مقالتين", date="--07-31"
        ),
    ]
    answer = Answer("؟", "ar", "تسلسل زمني من المقالات:", lines, [], shape="timeline")
    html = render_answer(answer, turn=0)
    assert "shape-timeline" in html
    labels = re.findall(r'<p class="line-label" dir="rtl" lang="ar">([^<]*)</p>', html)
    assert labels == ["23–24 شباط/فبراير", "31 تموز/يوليو · ورد في مقالتين"]
    assert html.count('<ul class="answer-sentences">') == 2  # one list per date
    assert answer.text.splitlines()[1:4] == [
        "23–24 شباط/فبراير:",
        "- التقى لافروف الشيباني في أنقرة. [1]",
        "31 تموز/يوليو · ورد في مقالتين:",
    ]
