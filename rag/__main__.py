"""Command line: `python -m rag ingest` builds or updates the index, `python -m rag ask` answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.config import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        args.config,
        corpus_dir=getattr(args, "corpus", None),
        index_dir=args.index,
        model=args.model,
        top_k=getattr(args, "k", None),
        answer_mode=getattr(args, "mode", None),
    )


def _indexed_ids(settings: Settings) -> set[str]:
    """The ids of the articles in the FAISS index (none for other backends, or none yet): the
    ids a fetched page must not take."""
    from embeddings.index.faiss.store import read_manifest
    from embeddings.index.manifest import IndexUnusableError

    if settings.index.backend != "faiss":
        return set()
    try:
        return set(read_manifest(settings.index.path).articles)
    except IndexUnusableError:
        return set()


def _from_web(args: argparse.Namespace, settings: Settings) -> bool:
    """Fetch the pages of `--url` and the new items of the feeds (`--feed`, `--feeds`) into the
    corpus's uploads folder, saying what became of each; False when the feeds were busy."""
    from corpus.isolated import IsolatedLoader
    from service.feeds import FeedsBusy, FeedStore, refresh
    from service.web import admit_pages, fetch_pages, policy_of

    policy = policy_of(settings)
    pages, outcomes = fetch_pages(args.url or [], policy)
    notices = []
    if args.feed or args.feeds:
        try:
            with IsolatedLoader(settings.ingest.parse_time_limit) as loader:
                found = refresh(FeedStore(settings.index.path), policy, loader, args.feed or [])
        except FeedsBusy:
            print("feeds      another refresh is running; nothing fetched", file=sys.stderr)
            return False
        pages, outcomes, notices = pages + found.pages, outcomes + found.outcomes, found.notices
    outcomes += admit_pages(pages, settings, _indexed_ids(settings))
    for notice in notices:
        print(f"feed       {notice.text()}")
    for outcome in outcomes:
        print(f"{outcome.status:10} {outcome.notice.text()}")
    return True


def _ingest(args: argparse.Namespace) -> int:
    from contextlib import AbstractContextManager, nullcontext

    from embeddings.index.backends import index_writer
    from embeddings.index.protocol import Embed
    from embeddings.ingest.incremental import ingest
    from embeddings.ingest.local import progress_bar
    from rag.pipeline import embedder_for

    settings = _settings(args)
    embedder = embedder_for(settings)
    embedder.warm_up()
    writer = index_writer(settings.index.target, embedder)
    if (args.url or args.feed or args.feeds) and not _from_web(args, settings):
        return 3
    engine: AbstractContextManager[Embed | None]
    with progress_bar("embedding", disable=args.quiet) as progress:
        if args.engine == "ray":
            from embeddings.ingest.ray_embed import ray_engine

            engine = ray_engine(
                embedder,
                actors=settings.ingest.ray_actors,
                cpus_per_actor=settings.ingest.ray_cpus_per_actor,
                progress=progress,
            )
        else:
            engine = nullcontext(None)  # in this process (ingest's default)
        with engine as embed:
            report = ingest(
                settings.ingest.corpus_dir,
                settings.index.path,
                embedder,
                settings.ingest.chunker,
                rebuild=args.rebuild,
                progress=progress,
                writer=writer,
                embed=embed,
            )
    print(report.summary())
    return 0


def _batch(path: Path) -> list[str | ValueError]:
    """The questions of a JSONL file (`{"question": ...}` or a JSON string per line); a line
    that holds none becomes an error for that line, not the end of the batch."""
    questions: list[str | ValueError] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            questions.append(ValueError(f"line {number}: invalid JSON ({error.msg})"))
            continue
        question = item.get("question") if isinstance(item, dict) else item
        if isinstance(question, str):
            questions.append(question)
        else:
            questions.append(ValueError(f'line {number}: no "question" string'))
    return questions


# Control characters from article text would drive the terminal (colours, cursor moves, a
# reset) when printed raw; they are shown as escapes instead.
def terminal_safe(text: str) -> str:
    """`text` with its control characters (but newlines) shown as `\\xNN`."""
    return "".join(
        f"\\x{ord(ch):02x}" if (ord(ch) < 0x20 and ch != "\n") or ord(ch) in (0x7F, 0x9B) else ch
        for ch in text
    )


def _ask(args: argparse.Namespace) -> int:
    from rag.pipeline import Pipeline
    from rag.question.cleaning import QuestionError

    settings = _settings(args)
    pipeline = Pipeline.from_settings(settings)
    items: list[str | ValueError] = _batch(args.questions) if args.questions else [args.question]
    failed = 0
    for number, item in enumerate(items, start=1):
        try:
            if isinstance(item, ValueError):
                raise item
            answer = pipeline.ask(item)
        except (QuestionError, ValueError) as error:
            # One bad question must not abort the rest of a batch: its line says why, in order,
            # and so does stderr; the exit status says that some line failed.
            failed += 1
            if args.json or args.questions:
                question = item if isinstance(item, str) else None
                print(json.dumps({"question": question, "error": str(error)}, ensure_ascii=False))
            where = f"line {number}: " if args.questions else ""
            print(f"error: {where}{error}", file=sys.stderr)
            continue
        if args.json or args.questions:
            print(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            print(terminal_safe(answer.render_text()))
    if failed:
        return 1 if args.questions else 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML settings file")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest_cmd = commands.add_parser("ingest", help="build or update the index from the corpus")
    ingest_cmd.add_argument("--corpus", type=Path, help="folder of article files")
    ingest_cmd.add_argument(
        "--rebuild", action="store_true", help="ignore the old index and rebuild it"
    )
    ingest_cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest_cmd.add_argument(
        "--url", action="append", help="add the web page at this address (repeatable)"
    )
    ingest_cmd.add_argument(
        "--feed",
        action="append",
        help="add this RSS/Atom feed and fetch the new items of every feed (repeatable)",
    )
    ingest_cmd.add_argument(
        "--feeds", action="store_true", help="fetch the new items of the feeds added before"
    )
    ingest_cmd.add_argument(
        "--engine",
        choices=["process", "ray"],
        default="process",
        help="embed in this process, or on Ray (local, or the cluster in RAY_ADDRESS)",
    )
    ingest_cmd.set_defaults(run=_ingest)

    ask_cmd = commands.add_parser("ask", help="answer a question from the index")
    source = ask_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("question", nargs="?", help="the question, in Arabic or English")
    source.add_argument("--questions", type=Path, help="JSONL file with a 'question' per line")
    ask_cmd.add_argument("--k", type=int, help="passages to retrieve")
    ask_cmd.add_argument("--mode", choices=["extractive", "llm"], help="answer mode")
    ask_cmd.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask_cmd.set_defaults(run=_ask)

    for command in (ingest_cmd, ask_cmd):
        command.add_argument("--index", type=Path, help="index folder")
        command.add_argument("--model", help="sentence-transformers model name or path")

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (RuntimeError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
