"""The chat UI: ask the Arabic news corpus in Arabic or English, read cited, verified answers.

`python app.py` (or `make run`) serves it on http://$HOST:$PORT (default 127.0.0.1:7860). Set
`APP_USERNAME` and `APP_PASSWORD` to require a login. Answers stream in; each answer keeps its
own sources, shown in the panel on the right (pick another answer with the dropdown or by
clicking its message). New articles can be uploaded and are indexed incrementally.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from corpus.loader import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from embeddings.index import IndexMissingError, IndexUnusableError, Manifest
from rag.config import Settings, load_settings
from rag.language import detect_language
from rag.pipeline import Pipeline
from rag.questions import QuestionError
from rag.schema import Answer
from ui.render import (
    esc,
    no_sources_html,
    placeholder_sources_html,
    render_answer,
    render_generic_error,
    render_question_error,
    render_sources,
    render_status,
    render_streaming,
    render_thinking,
    render_user,
)
from ui.uploads import MAX_UPLOAD_BYTES, accept_uploads

logger = logging.getLogger("app")

TITLE = "Arabic news Q&A · أسئلة وأجوبة الأخبار العربية"
SUBTITLE_EN = (
    "Ask about the Arabic news articles in Arabic or English; every answer quotes and cites "
    "its sources, and says so when the articles do not contain the answer."
)
SUBTITLE_AR = (
    "اسأل عن المقالات الإخبارية بالعربية أو الإنجليزية؛ كل إجابة تقتبس مصادرها وتشير إليها، "
    "وتقول ذلك صراحةً حين لا تتضمن المقالات الإجابة."
)
EXAMPLES = [
    "من استقبل وزير الخارجية السوري أسعد الشيباني في الكرملين؟",
    "أين التقى لافروف بالشيباني في شباط؟",
    "Which Russian minister did the Syrian defence minister meet in Moscow?",
    "When is the Arab-Russian summit scheduled to be held?",
]

# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------


class Service:
    """The live pipeline, swapped atomically after a re-index."""

    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self._pipeline = pipeline
        self.settings = settings
        self._swap = threading.Lock()
        self._reindex = threading.Lock()

    @property
    def pipeline(self) -> Pipeline:
        with self._swap:
            return self._pipeline

    def manifest(self) -> Manifest:
        return self.pipeline.index.manifest

    def reindex(self, progress: Any = None) -> str:
        """Bring the index up to date with the corpus folder and serve the new one."""
        from embeddings.ingest import ingest

        if not self._reindex.acquire(blocking=False):
            raise RuntimeError("another re-index is running; try again when it ends")
        try:
            current = self.pipeline
            report = ingest(
                self.settings.corpus_dir,
                self.settings.index_dir,
                current.embedder,
                self.settings.chunker,
                progress=progress,
            )
            fresh = Pipeline.from_settings(self.settings, embedder=current.embedder)
            with self._swap:
                self._pipeline = fresh
            return report.summary()
        finally:
            self._reindex.release()


def _turn_label(turn: int, question: str) -> str:
    text = " ".join((question or "").split()) or "—"
    return f"#{turn + 1} · {text[:48]}{'…' if len(text) > 48 else ''}"


def _choices(turns: Sequence[dict]) -> list[tuple[str, str]]:
    return [(turn["label"], str(index)) for index, turn in enumerate(turns)]


def _selected_turn(value: Any, turns: Sequence[dict]) -> int | None:
    try:
        index = int(value)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < len(turns) else None


def build_app(pipeline: Pipeline, settings: Settings) -> gr.Blocks:
    service = Service(pipeline, settings)
    llm_ready = settings.llm_configured

    def respond(
        question: str,
        chat: list[dict] | None,
        turns: list[dict] | None,
        history: list[str] | None,
        k: float,
        mode: str,
    ) -> Iterator[tuple]:
        chat = list(chat or [])
        turns = list(turns or [])
        history = list(history or [])
        turn = len(turns)
        question = question or ""
        language = detect_language(question)
        chat += [
            {"role": "user", "content": render_user(question)},
            {"role": "assistant", "content": render_thinking(language)},
        ]
        label = _turn_label(turn, question)
        turns.append({"label": label, "html": no_sources_html(language)})

        def update(sources: str) -> tuple:
            turns[turn]["html"] = sources
            dropdown = gr.Dropdown(choices=_choices(turns), value=str(turn))
            return chat, "", turns, history, sources, dropdown

        yield update(placeholder_sources_html())
        try:
            mode = mode if (mode == "llm" and llm_ready) else "extractive"
            streamed = ""
            answer: Answer | None = None
            for chunk in service.pipeline.stream(question, history, k=int(k), mode=mode):
                if chunk.delta:
                    streamed += chunk.delta
                    chat[-1] = {
                        "role": "assistant",
                        "content": render_streaming(streamed, language, turn),
                    }
                    yield update(placeholder_sources_html())
                answer = chunk.answer or answer
            if answer is None:
                raise RuntimeError("the pipeline ended without an answer")
            history.append(question)
            chat[-1] = {"role": "assistant", "content": render_answer(answer, turn)}
            yield update(render_sources(answer, turn))
        except QuestionError as error:
            chat[-1] = {"role": "assistant", "content": render_question_error(error)}
            yield update(no_sources_html(error.language))
        except Exception:
            logger.exception("answering %r failed", question[:200])
            chat[-1] = {"role": "assistant", "content": render_generic_error()}
            yield update(no_sources_html(language))

    def show_turn(value: Any, turns: list[dict] | None) -> str:
        turns = turns or []
        index = _selected_turn(value, turns)
        return placeholder_sources_html() if index is None else turns[index]["html"]

    def select_message(turns: list[dict] | None, event: gr.SelectData) -> tuple:
        turns = turns or []
        position = event.index[0] if isinstance(event.index, list | tuple) else event.index
        try:
            index = int(position) // 2  # every turn is a user message and an answer
        except (TypeError, ValueError):
            return gr.skip(), gr.skip()
        if not 0 <= index < len(turns):
            return gr.skip(), gr.skip()
        return gr.Dropdown(value=str(index)), turns[index]["html"]

    def clear() -> tuple:
        return (
            [],
            "",
            [],
            [],
            placeholder_sources_html(),
            gr.Dropdown(choices=[], value=None),
        )

    def add_articles(files: list[str] | None, progress=gr.Progress()) -> tuple:  # noqa: B008
        paths = [Path(str(getattr(f, "name", f))) for f in (files or [])]
        if not paths:
            return gr.skip(), "No files chosen · لم تُختر ملفات", gr.skip()
        manifest = service.manifest()
        known = set(manifest.articles) if manifest else set()
        result = accept_uploads(paths, settings.corpus_dir, known)
        lines = list(result.messages)
        if result.accepted:
            progress(0, desc="Indexing · جارٍ الفهرسة")

            def report_progress(done: int, total: int) -> None:
                progress((done, total), desc="Embedding · جارٍ التضمين", unit="texts")

            try:
                lines += ["", service.reindex(report_progress)]
            except Exception as error:
                logger.exception("re-indexing after upload failed")
                lines += ["", f"Re-indexing failed: {error}"]
        else:
            lines += ["", "Nothing new to index · لا جديد للفهرسة"]
        return gr.File(value=None), "\n".join(lines), render_status(service.manifest())

    with gr.Blocks(title="Arabic news Q&A", fill_width=False) as demo:
        gr.HTML(
            f'<header class="app-header"><h1>{esc(TITLE)}</h1>'
            f'<p dir="rtl" lang="ar" class="subtitle msg-ar">{esc(SUBTITLE_AR)}</p>'
            f'<p dir="ltr" lang="en" class="subtitle">{esc(SUBTITLE_EN)}</p></header>'
        )
        turns_state = gr.State([])
        history_state = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Conversation · المحادثة",
                    height=560,
                    buttons=[],
                    feedback_options=None,
                    sanitize_html=True,
                    latex_delimiters=[],
                    placeholder=(
                        '<div dir="rtl" lang="ar" class="msg-ar">اكتب سؤالك عن الأخبار.</div>'
                        '<div dir="ltr" lang="en">Type a question about the news.</div>'
                    ),
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        placeholder="اكتب سؤالك هنا · Type your question here",
                        rtl=False,
                        lines=1,
                        max_lines=4,
                        scale=5,
                        autofocus=True,
                        elem_classes=["question-box"],
                    )
                    send = gr.Button("Ask · اسأل", elem_id="send", variant="primary", scale=1)
                clear_button = gr.Button(
                    "Clear conversation · مسح المحادثة", elem_id="clear", size="sm"
                )
                gr.Examples(
                    examples=[[example] for example in EXAMPLES],
                    inputs=[question],
                    label="Examples · أمثلة",
                )
            with gr.Column(scale=2, min_width=300):
                source_picker = gr.Dropdown(
                    label="Sources for answer · مصادر الإجابة",
                    choices=[],
                    value=None,
                    interactive=True,
                    elem_id="sources-for",
                )
                sources = gr.HTML(
                    placeholder_sources_html(), elem_id="sources", elem_classes=["sources-panel"]
                )
        with gr.Accordion("Settings & index · الإعدادات والفهرس", open=False, elem_id="settings"):
            with gr.Row():
                top_k = gr.Slider(
                    1,
                    10,
                    value=min(10, max(1, settings.top_k)),
                    step=1,
                    label="Passages to retrieve (top-k) · عدد المقاطع المسترجعة",
                    elem_id="top-k",
                )
                mode = gr.Radio(
                    choices=[
                        ("Extractive (quotes) · استخراجي", "extractive"),
                        ("LLM · نموذج لغوي", "llm"),
                    ],
                    value=settings.answer_mode.value if llm_ready else "extractive",
                    label="Answer mode · نمط الإجابة",
                    interactive=llm_ready,
                    info=None
                    if llm_ready
                    else "LLM mode needs RAG_LLM_BASE_URL and RAG_LLM_MODEL · "
                    "نمط النموذج اللغوي غير مُعدّ",
                    elem_id="mode",
                )
            gr.Markdown("**Index · الفهرس**")
            status = gr.HTML(render_status(service.manifest()), elem_id="status")
            upload = gr.File(
                label=(
                    f"Add articles · أضف مقالات ({', '.join(SUPPORTED_SUFFIXES)}; "
                    f"≤ {MAX_FILE_BYTES // (1024 * 1024)} MB each)"
                ),
                file_count="multiple",
                type="filepath",
                elem_id="upload",
            )
            upload_report = gr.Textbox(
                label="Upload and indexing report · تقرير الإضافة والفهرسة",
                lines=6,
                interactive=False,
                elem_id="upload-report",
            )

        outputs = [chatbot, question, turns_state, history_state, sources, source_picker]
        gr.on(
            triggers=[question.submit, send.click],
            fn=respond,
            inputs=[question, chatbot, turns_state, history_state, top_k, mode],
            outputs=outputs,
            show_progress="hidden",
        )
        source_picker.input(show_turn, [source_picker, turns_state], [sources])
        chatbot.select(select_message, [turns_state], [source_picker, sources])
        clear_button.click(clear, None, outputs, show_progress="hidden")
        chatbot.clear(clear, None, outputs, show_progress="hidden")  # the chat's own bin icon
        upload.upload(add_articles, [upload], [upload, upload_report, status])
        demo.load(lambda: render_status(service.manifest()), None, [status])

    demo.queue(default_concurrency_limit=max(1, settings.app_concurrency))
    demo.service = service  # type: ignore[attr-defined]  # for tests and embedding apps
    return demo


CSS = """
.app-header h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
.app-header .subtitle { margin: .1rem 0; color: var(--body-text-color-subdued); }
.msg { unicode-bidi: plaintext; }
.msg p, .msg li, .msg span.sentence-text { unicode-bidi: plaintext; }
.msg-ar, [lang="ar"] {
  font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Amiri", "Scheherazade New",
    "DejaVu Sans", "Tahoma", sans-serif;
}
.msg-ar { font-size: 1.12em; line-height: 1.8; text-align: start; }
.msg p { margin: .15rem 0; }
.msg .lead { font-weight: 600; }
.msg ul.answer-sentences { margin: .3rem 0; padding-inline: 1.3rem; }
.msg ul.answer-sentences li { margin: .3rem 0; line-height: 1.8; }
.msg li[lang="ar"] { font-size: 1.08em; text-align: start; }
.msg li.unsupported .sentence-text { text-decoration: underline dotted #b45309; }
a.cite {
  unicode-bidi: isolate; direction: ltr; display: inline-block; font-weight: 700;
  text-decoration: none; color: var(--color-accent); padding: 0 .1rem; font-size: .9em;
}
a.cite:hover { text-decoration: underline; }
.msg.refusal {
  border-inline-start: 4px solid #dc2626; background: rgba(220, 38, 38, .08);
  padding: .5rem .75rem; border-radius: 6px;
}
.msg.refusal .refusal-text { font-weight: 600; }
.msg.question-error { border-inline-start: 4px solid #d97706; padding: .25rem .6rem; }
.msg .notice { color: #b45309; font-size: .92em; }
.msg.error { color: #b91c1c; }
.muted { color: var(--body-text-color-subdued); font-style: italic; }
#sources { max-height: 680px !important; overflow-y: auto !important; }
#sources .sources-head { font-weight: 600; margin-bottom: .5rem; }
#sources .source {
  border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6rem .75rem;
  margin-bottom: .6rem; background: var(--block-background-fill); transition: box-shadow .3s;
}
#sources .source.flash, #sources .source:target { box-shadow: 0 0 0 3px var(--color-accent); }
#sources .source-head { font-weight: 600; margin-bottom: .2rem; }
#sources .marker { color: var(--color-accent); margin-inline-end: .25rem; }
#sources .source-meta { font-size: .8em; color: var(--body-text-color-subdued); margin-bottom: .4rem; }
#sources .passage {
  white-space: pre-wrap; unicode-bidi: plaintext; line-height: 1.85; font-size: 1.02em;
  text-align: start;
}
#sources .passage[lang="ar"] { font-size: 1.08em; }
#sources mark { background: #fde68a; color: #111827; padding: .05rem 0; border-radius: 3px; }
#sources .no-sources, #sources .sources-placeholder {
  padding: .75rem; border: 1px dashed var(--border-color-primary); border-radius: 8px;
  color: var(--body-text-color-subdued); text-align: center;
}
#status .status-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .4rem; }
#status .status-item { display: flex; flex-direction: column; }
#status .status-label { font-size: .8em; color: var(--body-text-color-subdued); }
#status .status-value { font-weight: 600; word-break: break-all; }
#question textarea { unicode-bidi: plaintext; }
#upload-report textarea { font-family: var(--font-mono); font-size: .85em; }
.msg .refusal-icon { font-size: 1.2em; color: #dc2626; margin-inline-end: .2rem; }
"""

# Citation links point into the sources panel, which may still be switching to that answer's
# sources (a click on an older message selects it): wait for the target, then scroll to it.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a.cite") : null;
  if (!link) return;
  event.preventDefault();
  var id = (link.getAttribute("href") || "").slice(1);
  var tries = 0;
  (function seek() {
    var target = document.getElementById(id);
    if (target) {
      target.scrollIntoView({behavior: "smooth", block: "nearest"});
      target.classList.add("flash");
      setTimeout(function () { target.classList.remove("flash"); }, 1600);
    } else if (tries++ < 40) {
      setTimeout(seek, 100);
    }
  })();
}, true);
</script>
"""


SESSION_CAPACITY = 500


def serve(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> Any:
    """Launch with the app's CSS and script (Gradio 6 takes them in launch, not in Blocks)."""
    return demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        css=CSS,
        head=HEAD,
        max_file_size=MAX_UPLOAD_BYTES,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=False,
        # Each browser session keeps its chat and sources in memory; the oldest sessions beyond
        # this many are dropped, which bounds the server's memory (a 1000-question soak grew
        # ~40 MB under the default of 10,000).
        state_session_capacity=SESSION_CAPACITY,
    )


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    try:
        # A missing or damaged index is refused before the model loads.
        pipeline = Pipeline.from_settings(settings)
    except IndexMissingError:
        print(
            f"No index found in {settings.index_dir}.\n"
            "Build it first: `make run` builds the index and starts the app, or run\n"
            "`python -m rag ingest` and then `python app.py`.",
            file=sys.stderr,
        )
        sys.exit(2)
    except IndexUnusableError as error:
        print(f"The index cannot be used: {error}", file=sys.stderr)
        sys.exit(2)
    demo = build_app(pipeline, settings)
    host, port, auth = settings.host, settings.port, settings.app_auth
    print(f"Serving on http://{host}:{port}" + (" (login required)" if auth else ""), flush=True)
    serve(demo, host=host, port=port, auth=auth)


if __name__ == "__main__":
    main()
