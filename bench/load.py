"""Load and soak test of the chat app, over loopback only, through `gradio_client`.

Usage: python -m bench.load [--clients 20] [--questions 10] [--soak 1000] [--url URL]
                            [--index DIR] [--deadline S] [--soak-deadline S] [--json OUT]

Without `--url` the app is started in this process on 127.0.0.1 (a free port) with the default
index (`make index` builds it) or `--index DIR`. With `--url` the app must already run on a
loopback address (anything else is refused); `APP_USERNAME`/`APP_PASSWORD` are used to log in
when set.

1. Load: N clients (each its own session, as N users) ask M questions each at the same time,
   mixed Arabic/English seed questions (/work/shared/eval/seed_qa.jsonl). The phase has a total
   deadline; a question not answered by then counts as an error. Reported: errors (expected 0),
   throughput (answered questions per second of wall time) and p50/p95 latency.
2. Soak: K questions one after another, in a new session every `--session-turns` questions (a
   conversation), sampling the server process RSS every 100 questions; reported: first, last and
   max RSS and the growth. With the in-process server the RSS includes the one client.

A response counts as an error unless it is a rendered answer or refusal (not the app's
"something went wrong" message). The exit status is 1 when there was any error. The script
always stops by itself: it closes the clients and the server, then exits the process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import SEED_QA
from bench.load_app import Asker, require_loopback, server_pid_for, start_server
from bench.load_phases import Phase, fmt_seconds, report, run_load, run_soak
from eval.datasets import load_seed_qa


def load_questions(path: Path) -> list[str]:
    """Seed questions, interleaved Arabic/English so every slice of them is mixed."""
    records = load_seed_qa(path)
    arabic = [r.question for r in records if r.lang == "ar"]
    english = [r.question for r in records if r.lang != "ar"]
    mixed: list[str] = []
    for i in range(max(len(arabic), len(english))):
        mixed += [q[i] for q in (arabic, english) if i < len(q)]
    if not mixed:
        raise SystemExit(f"no questions in {path}")
    return mixed


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--questions", type=int, default=10, help="questions per client")
    parser.add_argument("--soak", type=int, default=1000, help="sequential soak questions")
    parser.add_argument("--url", help="a running app on a loopback address")
    parser.add_argument("--index", type=Path, help="index folder for the in-process app")
    parser.add_argument("--qa", type=Path, default=SEED_QA, help="questions (JSONL)")
    parser.add_argument("--deadline", type=float, default=900, help="seconds for the load phase")
    parser.add_argument("--soak-deadline", type=float, default=3600, help="seconds for the soak")
    parser.add_argument(
        "--session-turns", type=int, default=10, help="soak questions per session (0: one)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.questions < 0 or args.soak < 0:
        parser.error("--clients must be positive, --questions and --soak not negative")
    return args


@dataclass
class Target:
    """The app under test: where it listens, how to log in, and its process when visible."""

    url: str
    auth: tuple[str, str] | None
    server_pid: int | None
    where: str
    demo: Any = None  # the in-process app, closed at the end


def find_target(args: argparse.Namespace) -> Target:
    """The running app at `--url` (loopback only), or the app started in this process."""
    if args.url:
        require_loopback(args.url)
        url = args.url if args.url.endswith("/") else args.url + "/"
        user, password = os.environ.get("APP_USERNAME"), os.environ.get("APP_PASSWORD")
        auth = (user, password) if user and password else None
        server_pid = server_pid_for(url)
        where = f"external server pid {server_pid}" if server_pid else "external server"
        target = Target(url, auth, server_pid, where)
    else:
        print("load: starting the app in-process ...", flush=True)
        url, demo = start_server(args.index)
        server_pid = os.getpid()
        target = Target(url, None, server_pid, f"in-process server pid {server_pid}", demo)
    require_loopback(target.url)
    return target


def run_phases(
    args: argparse.Namespace, target: Target, api_name: str, questions: list[str]
) -> list[Phase]:
    """The load phase, then the soak, each skipped when asked for zero questions."""
    phases = []
    if args.questions:
        print(
            f"load: {args.clients} clients x {args.questions} questions "
            f"(deadline {args.deadline:.0f} s) ...",
            flush=True,
        )
        phase = run_load(
            target.url,
            target.auth,
            api_name,
            questions,
            args.clients,
            args.questions,
            args.deadline,
        )
        phases.append(phase)
        print("\n".join(report(phase)), flush=True)
    if args.soak:
        print(
            f"soak: {args.soak} sequential questions, new session every "
            f"{args.session_turns or 'never'} (deadline {args.soak_deadline:.0f} s) ...",
            flush=True,
        )
        phase = run_soak(
            target.url,
            target.auth,
            api_name,
            questions,
            args.soak,
            args.soak_deadline,
            target.server_pid,
            args.session_turns,
        )
        phases.append(phase)
        print("\n".join(report(phase)), flush=True)
    return phases


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    questions = load_questions(args.qa)
    target = find_target(args)
    failed = True
    try:
        probe = Asker(target.url, target.auth, None)
        api_name = probe.api_name
        latency, problem = probe.ask(questions[0], time.monotonic() + 300)  # warm-up
        probe.close()
        print(
            f"load: {target.url} ({target.where}), endpoint {api_name}, "
            f"{len(questions)} seed questions, warm-up {fmt_seconds(latency)}"
            + (f" FAILED: {problem}" if problem else ""),
            flush=True,
        )
        phases = run_phases(args, target, api_name, questions)
        errors = sum(len(p.errors) for p in phases) + (1 if problem else 0)
        if args.json:
            args.json.write_text(
                json.dumps({p.name: p.summary() for p in phases}, indent=2, ensure_ascii=False),
                encoding="utf-8",
            )
        failed = errors > 0
        print(f"load: done in {time.monotonic() - started:.0f} s, {errors} error(s)", flush=True)
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        print("load: aborted", flush=True)
    finally:
        if target.demo is not None:
            target.demo.close()
    return 1 if failed else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Client and server threads must not keep the process alive: the run stops by itself.
    os._exit(code)
