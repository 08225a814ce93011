"""The page: the conversation, the sources panel and the settings and upload accordion, wired
to the chat's handlers."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from corpus.loader import SUPPORTED_SUFFIXES
from rag.config import Settings
from rag.pipeline import Pipeline
from ui.articles import article_panel, upload_label
from ui.chat import Chat
from ui.render import esc, placeholder_sources_html
from ui.service import Service

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


@dataclass(frozen=True)
class _Conversation:
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    clear: gr.Button


@dataclass(frozen=True)
class _Sources:
    picker: gr.Dropdown
    panel: gr.HTML


@dataclass(frozen=True)
class _Options:
    top_k: gr.Slider
    mode: gr.Radio
    status: gr.HTML


def _header() -> None:
    gr.HTML(
        f'<header class="app-header"><h1>{esc(TITLE)}</h1>'
        f'<p dir="rtl" lang="ar" class="subtitle msg-ar">{esc(SUBTITLE_AR)}</p>'
        f'<p dir="ltr" lang="en" class="subtitle">{esc(SUBTITLE_EN)}</p></header>'
    )


def _conversation_column() -> _Conversation:
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
        clear = gr.Button("Clear conversation · مسح المحادثة", elem_id="clear", size="sm")
        gr.Examples(
            examples=[[example] for example in EXAMPLES],
            inputs=[question],
            label="Examples · أمثلة",
        )
    return _Conversation(chatbot, question, send, clear)


def _sources_column() -> _Sources:
    with gr.Column(scale=2, min_width=300):
        picker = gr.Dropdown(
            label="Sources for answer · مصادر الإجابة",
            choices=[],
            value=None,
            interactive=True,
            elem_id="sources-for",
        )
        panel = gr.HTML(
            placeholder_sources_html(), elem_id="sources", elem_classes=["sources-panel"]
        )
    return _Sources(picker, panel)


def _answer_options(settings: Settings, llm_ready: bool) -> tuple[gr.Slider, gr.Radio]:
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
            else "LLM mode needs RAG_LLM_BASE_URL and RAG_LLM_MODEL · نمط النموذج اللغوي غير مُعدّ",
            elem_id="mode",
        )
    return top_k, mode


def _settings_accordion(settings: Settings, chat: Chat) -> _Options:
    with gr.Accordion("Settings & index · الإعدادات والفهرس", open=False, elem_id="settings"):
        top_k, mode = _answer_options(settings, chat.llm_ready)
        gr.Markdown("**Index · الفهرس**")
        status = gr.HTML(chat.index_status(), elem_id="status")
        upload = gr.File(
            label=upload_label(),
            file_count="multiple",
            file_types=list(SUPPORTED_SUFFIXES),
            type="filepath",
            elem_id="upload",
        )
        upload_report = gr.HTML(elem_id="upload-report")
        article_panel(chat.service, upload, upload_report, status)
    return _Options(top_k, mode, status)


def _wire(
    demo: gr.Blocks,
    chat: Chat,
    conversation: _Conversation,
    sources: _Sources,
    options: _Options,
    turns: gr.State,
    history: gr.State,
) -> None:
    outputs = [
        conversation.chatbot,
        conversation.question,
        turns,
        history,
        sources.panel,
        sources.picker,
    ]
    gr.on(
        triggers=[conversation.question.submit, conversation.send.click],
        fn=chat.respond,
        inputs=[
            conversation.question,
            conversation.chatbot,
            turns,
            history,
            options.top_k,
            options.mode,
        ],
        outputs=outputs,
        show_progress="hidden",
    )
    # Unchecked against the session's choices, which a dropped session no longer has.
    sources.picker.input(chat.show_turn, [sources.picker, turns], [sources.panel], preprocess=False)
    conversation.chatbot.select(chat.select_message, [turns], [sources.picker, sources.panel])
    conversation.clear.click(chat.clear, None, outputs, show_progress="hidden")
    # The chat's own bin icon.
    conversation.chatbot.clear(chat.clear, None, outputs, show_progress="hidden")
    demo.load(chat.index_status, None, [options.status])


def build_app(pipeline: Pipeline, settings: Settings) -> gr.Blocks:
    """The chat UI over `pipeline`; `ui.server.serve` launches it."""
    service = Service(pipeline, settings)
    chat = Chat(service)
    with gr.Blocks(title="Arabic news Q&A", fill_width=False) as demo:
        _header()
        turns = gr.State([])
        history = gr.State([])
        with gr.Row(equal_height=False):
            conversation = _conversation_column()
            sources = _sources_column()
        options = _settings_accordion(settings, chat)
        _wire(demo, chat, conversation, sources, options, turns, history)
    demo.queue(default_concurrency_limit=max(1, settings.app_concurrency))
    demo.service = service  # type: ignore[attr-defined]  # for tests and embedding apps
    return demo
