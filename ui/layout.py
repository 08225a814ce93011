"""The page: the conversation, the sources panel (a drawer on narrow screens), the article view
and the settings and upload accordion, wired to the chat's handlers; and the MCP tools."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from api.mcp import mcp_tools
from rag.config import Settings
from rag.pipeline import Pipeline
from service.feedback import FeedbackStore
from service.library import Library
from service.live import Service
from ui.addresses import web_inputs
from ui.articles import article_panel, upload_label
from ui.chat import Chat
from ui.page import Comment, Conversation, Options, Page, Sources
from ui.reading import Reading
from ui.render.answer import render_status
from ui.render.html import esc
from ui.render.sources import placeholder_sources_html
from ui.wiring import wire_answering, wire_reading, wire_status

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
# "Built 3 minutes ago" is recomputed this often.
STATUS_REFRESH_SECONDS = 30
ASSETS = Path(__file__).resolve().parent / "assets"
DRAWER_OPEN_JS = "() => { window.sourcesDrawer(true); }"  # defined in assets/app.js
DRAWER_CLOSE_JS = "() => { window.sourcesDrawer(false); }"


def _header() -> None:
    gr.HTML(
        f'<header class="app-header"><h1>{esc(TITLE)}</h1>'
        f'<p dir="rtl" lang="ar" class="subtitle msg-ar">{esc(SUBTITLE_AR)}</p>'
        f'<p dir="ltr" lang="en" class="subtitle">{esc(SUBTITLE_EN)}</p></header>'
    )


def _chatbot() -> gr.Chatbot:
    return gr.Chatbot(
        elem_id="chat",
        label="Conversation · المحادثة",
        height=560,
        buttons=[],
        feedback_options=("Like", "Dislike"),
        sanitize_html=True,
        latex_delimiters=[],
        placeholder=(
            '<div dir="rtl" lang="ar" class="msg-ar">اكتب سؤالك عن الأخبار.</div>'
            '<div dir="ltr" lang="en">Type a question about the news.</div>'
        ),
    )


def _comment_box() -> Comment:
    with gr.Group(visible=False, elem_id="comment-box") as group, gr.Row(equal_height=True):
        box = gr.Textbox(
            label="Comment (optional) · تعليق (اختياري)",
            placeholder="What was good or wrong? · ما الجيد أو الخطأ؟",
            lines=1,
            max_lines=4,
            scale=5,
            elem_id="comment",
        )
        send = gr.Button("Send · أرسل", scale=1, elem_id="send-comment")
    return Comment(group, box, send)


def _conversation_column() -> tuple[Conversation, Comment]:
    with gr.Column(scale=3, min_width=320, elem_id="chat-col"):
        chatbot = _chatbot()
        comment = _comment_box()
        with gr.Row(equal_height=True, elem_id="ask-row"):
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
            send = gr.Button(
                "Ask · اسأل", elem_id="send", variant="primary", scale=1, interactive=False
            )
            stop = gr.Button(
                "■ Stop · أوقف", elem_id="stop", variant="stop", scale=1, visible=False
            )
        with gr.Row(elem_id="toolbar"):
            regenerate = gr.Button("↻ Regenerate · أعد الإجابة", elem_id="regenerate", size="sm")
            export = gr.Button("⇩ Export · تصدير", elem_id="export", size="sm", interactive=False)
            # Filled when Export is clicked, then clicked itself: the download is made on demand.
            download = gr.DownloadButton(visible="hidden", elem_id="export-file")
            clear = gr.Button("Clear · مسح", elem_id="clear", size="sm")
            drawer = gr.Button("Sources · المصادر", elem_id="open-sources", size="sm")
            drawer.click(None, js=DRAWER_OPEN_JS, api_visibility="private")
        examples = gr.Examples(
            examples=[[example] for example in EXAMPLES],
            inputs=[question],
            label="Examples (click to ask) · أمثلة (انقر للسؤال)",
            api_visibility="private",
        )
    parts = (chatbot, question, send, stop, regenerate, export, download, clear, examples)
    return Conversation(*parts), comment


def _sources_column() -> Sources:
    with gr.Column(scale=2, min_width=300, elem_id="sources-col"):
        back = gr.Button(
            "← Back to the answer · العودة إلى الإجابة", elem_id="close-sources", size="sm"
        )
        back.click(None, js=DRAWER_CLOSE_JS, api_visibility="private")
        picker = gr.Dropdown(
            label="Sources for answer · مصادر الإجابة",
            choices=[],
            value=None,
            interactive=True,
            elem_id="sources-for",
        )
        panel = gr.HTML(
            placeholder_sources_html(),
            elem_id="sources",
            elem_classes=["sources-panel"],
            js_on_load=(ASSETS / "sources_panel.js").read_text(encoding="utf-8"),
        )
    return Sources(picker, panel)


def _answer_options(settings: Settings, llm_ready: bool) -> tuple[gr.Slider, gr.Radio]:
    with gr.Row():
        top_k = gr.Slider(
            1,
            10,
            value=min(10, max(1, settings.retrieval.top_k)),
            step=1,
            label="Passages to retrieve (top-k) · عدد المقاطع المسترجعة",
            elem_id="top-k",
        )
        mode = gr.Radio(
            choices=[
                ("Extractive (quotes) · استخراجي", "extractive"),
                ("LLM · نموذج لغوي", "llm"),
            ],
            value=settings.answer.mode.value if llm_ready else "extractive",
            label="Answer mode · نمط الإجابة",
            interactive=llm_ready,
            info=None
            if llm_ready
            else "LLM mode needs RAG_LLM_BASE_URL and RAG_LLM_MODEL · نمط النموذج اللغوي غير مُعدّ",
            elem_id="mode",
        )
    return top_k, mode


def _filter_options(outlets: list[str]) -> tuple[gr.Textbox, gr.Textbox, gr.Dropdown]:
    """Which articles are searched: a span of dates and outlets (empty: all)."""
    with gr.Row(elem_id="filters"):
        date_from = gr.Textbox(
            label="From date · من تاريخ",
            placeholder="2025-07-01 · 2025-07 · 2025",
            max_lines=1,
            elem_id="date-from",
        )
        date_to = gr.Textbox(
            label="To date · إلى تاريخ",
            placeholder="2025-07-31 · 2025-07 · 2025",
            max_lines=1,
            elem_id="date-to",
        )
        outlet = gr.Dropdown(
            choices=outlets,
            value=None,
            multiselect=True,
            allow_custom_value=True,
            label="Outlet · المصدر الإعلامي",
            elem_id="outlet",
        )
    return date_from, date_to, outlet


def _settings_accordion(
    settings: Settings, service: Service, demo: gr.Blocks
) -> tuple[Options, gr.Timer]:
    llm_ready = settings.llm.configured
    with gr.Accordion("Settings & index · الإعدادات والفهرس", open=False, elem_id="settings"):
        top_k, mode = _answer_options(settings, llm_ready)
        filters = _filter_options(Library(service).outlets())
        gr.Markdown("**Index · الفهرس**")
        status = gr.HTML(render_status(service.manifest()), elem_id="status")
        timer = gr.Timer(STATUS_REFRESH_SECONDS)
        # No file_types: Gradio would refuse other types in a short-lived English toast; the
        # report says why in both languages (service.uploads.stage).
        upload = gr.File(
            label=upload_label(),
            file_count="multiple",
            type="filepath",
            elem_id="upload",
        )
        web = web_inputs()
        upload_report = gr.HTML(elem_id="upload-report")
        article_panel(service, upload, web, upload_report, status, demo)
    return Options(top_k, mode, status, *filters, gr.State(None)), timer


@dataclass(frozen=True)
class App:
    """The built app: the page, the live service behind it (the API and MCP serve it too), and
    its readers' feedback."""

    blocks: gr.Blocks
    service: Service
    feedback: FeedbackStore

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def close(self) -> None:
        self.blocks.close()


def build_app(pipeline: Pipeline, settings: Settings) -> App:
    """The chat UI over `pipeline`; `ui.server.serve` launches it."""
    service = Service(pipeline, settings)
    feedback = FeedbackStore.beside(settings.index.path)
    with gr.Blocks(title="Arabic news Q&A", fill_width=False) as demo:
        _header()
        turns, history, rated = gr.State([]), gr.State([]), gr.State(None)
        with gr.Row(equal_height=False, elem_id="main"):
            conversation, comment = _conversation_column()
            sources = _sources_column()
        article = gr.HTML(
            "",
            elem_id="article-view",
            js_on_load=(ASSETS / "article_view.js").read_text(encoding="utf-8"),
        )
        options, timer = _settings_accordion(settings, service, demo)
        page = Page(conversation, comment, sources, article, options, turns, history, rated)
        chat = Chat(service, page)
        wire_answering(page, chat)
        wire_reading(page, chat, Reading(chat.library, feedback, page))
        wire_status(page, chat, timer, demo)
        for tool in mcp_tools(service):
            gr.api(tool, api_name=tool.__name__, queue=False)
    demo.queue(default_concurrency_limit=max(1, settings.server.concurrency))
    return App(demo, service, feedback)
