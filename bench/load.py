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
import contextlib
import ipaddress
import json
import os
import random
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.common import p50_p95
from eval.datasets import SHARED_EVAL_DIR, load_seed_qa

SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"
TOP_K = 5
MODE = "extractive"
RSS_EVERY = 100
MB = 1024 * 1024
_RENDERED = re.compile(r'class="msg msg-(?:ar|en) (?:answer|refusal)"')


# -- helpers ----------------------------------------------------------------------------------


def _fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


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


def require_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if not host:
        raise SystemExit(f"not a URL: {url}")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise SystemExit(f"cannot resolve {host}: {error}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"refusing to load-test {url}: only loopback addresses are allowed")


def server_pid_for(url: str) -> int | None:
    """The process listening on the URL's port on this machine, if it can be seen."""
    import psutil

    port = urlparse(url).port or 80
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return conn.pid
    except (psutil.AccessDenied, PermissionError):
        return None
    return None


def rss_bytes(pid: int | None) -> int | None:
    import psutil

    if pid is None:
        return None
    try:
        return psutil.Process(pid).memory_info().rss
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def check_output(output: Any) -> str | None:
    """None for a rendered answer or refusal, else what is wrong with the response."""
    try:
        chat = output[0]
        text = chat[-1]["content"][0]["text"] if isinstance(chat[-1]["content"], list) else ""
        text = text or str(chat[-1]["content"])
    except (TypeError, IndexError, KeyError) as error:
        return f"unexpected response shape ({type(error).__name__}): {str(output)[:200]}"
    if _RENDERED.search(text):
        return None
    return f"not an answer: {text[:200]}"


def find_chat_endpoint(client: Any) -> str:
    """The api_name of the chat handler: the endpoint taking the `question` textbox."""
    api = client.view_api(return_format="dict", print_info=False)
    for name, endpoint in api["named_endpoints"].items():
        names = [p.get("parameter_name") for p in endpoint["parameters"]]
        if "question" in names and any(r["component"] == "Chatbot" for r in endpoint["returns"]):
            return name
    raise SystemExit(f"no chat endpoint among {sorted(api['named_endpoints'])}")


# -- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index_dir: Path | None) -> tuple[str, Any]:
    from embeddings.store import IndexUnusableError
    from rag.config import load_settings
    from rag.pipeline import Pipeline
    from ui import build_app, serve

    settings = load_settings(index_dir=index_dir)
    try:
        pipeline = Pipeline.from_settings(settings)
    except IndexUnusableError as error:
        raise SystemExit(
            f"no usable index in {settings.index_dir} ({error}).\n"
            "Build it first with `make index` (or pass --index DIR)."
        ) from None
    demo = build_app(pipeline, settings)
    port = _free_port()
    serve(demo, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    return f"http://127.0.0.1:{port}/", demo


# -- measurement ------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    planned: int
    answered: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    deadline_hit: bool = False
    rss_samples: list[tuple[int, int]] = field(default_factory=list)  # (questions done, bytes)

    @property
    def throughput(self) -> float:
        return self.answered / self.wall_seconds if self.wall_seconds else 0.0

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = len(self.errors)
        data["error_examples"] = self.errors[:5]
        data["throughput_qps"] = round(self.throughput, 3)
        latency = p50_p95(self.latencies)
        data["p50_seconds"] = latency["p50"]
        data["p95_seconds"] = latency["p95"]
        data["max_seconds"] = max(self.latencies, default=None)
        del data["latencies"]
        return data


class Asker:
    """One session of one client: asks, times and checks questions until a deadline."""

    def __init__(self, url: str, auth: tuple[str, str] | None, api_name: str | None) -> None:
        from gradio_client import Client

        self.client = Client(url, auth=auth, verbose=False)
        self.api_name = api_name or find_chat_endpoint(self.client)

    def ask(self, question: str, deadline: float) -> tuple[float | None, str | None]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, "deadline reached before the question was asked"
        started = time.perf_counter()
        try:
            job = self.client.submit(question, [], TOP_K, MODE, api_name=self.api_name)
            output = job.result(timeout=remaining)
        except Exception as error:  # a failed request is a measured error, not a crash
            if isinstance(error, TimeoutError) or time.monotonic() >= deadline:
                return None, f"no answer before the deadline: {type(error).__name__}"
            return None, f"{type(error).__name__}: {error}"[:300]
        latency = time.perf_counter() - started
        problem = check_output(output)
        return (None, problem) if problem else (latency, None)

    def new_session(self) -> None:
        self.client.reset_session()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


def run_load(
    url: str,
    auth: tuple[str, str] | None,
    api_name: str,
    questions: Sequence[str],
    clients: int,
    per_client: int,
    seconds: float,
) -> Phase:
    phase = Phase("load", planned=clients * per_client)
    lock = threading.Lock()
    connect_seconds = max(60.0, seconds)
    # A ceiling in case connecting fails; once every client is connected the clock starts.
    deadline_box = [time.monotonic() + connect_seconds + seconds]

    def start_clock() -> None:
        deadline_box[0] = time.monotonic() + seconds

    ready = threading.Barrier(clients + 1, action=start_clock)

    def worker(number: int) -> None:
        mine = [questions[(number * per_client + j) % len(questions)] for j in range(per_client)]
        asker = None
        try:
            asker = Asker(url, auth, api_name)
        except Exception as error:
            with lock:
                phase.errors += [f"client {number} could not connect: {error}"[:300]] * per_client
        with contextlib.suppress(threading.BrokenBarrierError):
            ready.wait(timeout=connect_seconds)
        if asker is None:
            return
        try:
            for question in mine:
                latency, problem = asker.ask(question, deadline_box[0])
                with lock:
                    if problem:
                        phase.errors.append(f"client {number}: {problem}")
                    else:
                        phase.answered += 1
                        phase.latencies.append(latency)  # type: ignore[arg-type]
        finally:
            asker.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait(timeout=connect_seconds)  # every client connected (or failed to)
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline_box[0] - time.monotonic()) + 30)
    phase.wall_seconds = time.monotonic() - started
    phase.deadline_hit = time.monotonic() >= deadline_box[0] or any(t.is_alive() for t in threads)
    with lock:
        missing = phase.planned - phase.answered - len(phase.errors)
        if missing > 0:
            phase.errors += ["still unanswered when the phase ended"] * missing
    return phase


def run_soak(
    url: str,
    auth: tuple[str, str] | None,
    api_name: str,
    questions: Sequence[str],
    total: int,
    seconds: float,
    server_pid: int | None,
    session_turns: int,
) -> Phase:
    phase = Phase("soak", planned=total)
    asker = Asker(url, auth, api_name)
    started = time.monotonic()
    deadline = started + seconds
    rng = random.Random(7)
    order = list(questions)
    try:
        for done in range(total):
            if done % RSS_EVERY == 0 and (rss := rss_bytes(server_pid)) is not None:
                phase.rss_samples.append((done, rss))
            if session_turns and done and done % session_turns == 0:
                asker.new_session()
            if done % len(order) == 0:
                rng.shuffle(order)
            latency, problem = asker.ask(order[done % len(order)], deadline)
            if problem:
                phase.errors.append(f"question {done}: {problem}")
                if time.monotonic() >= deadline:
                    phase.deadline_hit = True
                    phase.errors += ["not asked: deadline"] * (total - done - 1)
                    break
            else:
                phase.answered += 1
                phase.latencies.append(latency)  # type: ignore[arg-type]
        if (rss := rss_bytes(server_pid)) is not None:
            phase.rss_samples.append((phase.answered + len(phase.errors), rss))
    finally:
        asker.close()
        phase.wall_seconds = time.monotonic() - started
    return phase


# -- report -----------------------------------------------------------------------------------


def report(phase: Phase) -> list[str]:
    latency = p50_p95(phase.latencies)
    lines = [
        f"{phase.name}: answered {phase.answered}/{phase.planned}, errors {len(phase.errors)}, "
        f"wall {phase.wall_seconds:.1f} s, throughput {phase.throughput:.2f} questions/s",
        f"  latency p50 {_fmt(latency['p50'])}, p95 {_fmt(latency['p95'])}, "
        f"max {_fmt(max(phase.latencies, default=None))}"
        + ("  (deadline reached)" if phase.deadline_hit else ""),
    ]
    lines += [f"  error: {error}" for error in phase.errors[:5]]
    if len(phase.errors) > 5:
        lines.append(f"  ... and {len(phase.errors) - 5} more")
    if phase.rss_samples:
        values = [rss for _, rss in phase.rss_samples]
        first, last = values[0], values[-1]
        samples = ", ".join(f"{done}:{rss / MB:.0f}" for done, rss in phase.rss_samples)
        lines += [
            f"  server RSS (MB) by questions done: {samples}",
            f"  server RSS first {first / MB:.1f} MB, last {last / MB:.1f} MB, "
            f"max {max(values) / MB:.1f} MB, growth {(last - first) / MB:+.1f} MB "
            f"({(last - first) / first * 100:+.1f} %)",
        ]
    elif phase.name == "soak":
        lines.append("  server RSS: not visible (server process not found)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
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

    started = time.monotonic()
    questions = load_questions(args.qa)
    demo = None
    if args.url:
        require_loopback(args.url)
        url = args.url if args.url.endswith("/") else args.url + "/"
        user, password = os.environ.get("APP_USERNAME"), os.environ.get("APP_PASSWORD")
        auth = (user, password) if user and password else None
        server_pid = server_pid_for(url)
        where = f"external server pid {server_pid}" if server_pid else "external server"
    else:
        print("load: starting the app in-process ...", flush=True)
        url, demo = start_server(args.index)
        auth = None
        server_pid = os.getpid()
        where = f"in-process server pid {server_pid}"
    require_loopback(url)
    failed = True
    try:
        probe = Asker(url, auth, None)
        api_name = probe.api_name
        latency, problem = probe.ask(questions[0], time.monotonic() + 300)  # warm-up
        probe.close()
        print(
            f"load: {url} ({where}), endpoint {api_name}, {len(questions)} seed questions, "
            f"warm-up {_fmt(latency)}" + (f" FAILED: {problem}" if problem else ""),
            flush=True,
        )
        phases = []
        if args.questions:
            print(
                f"load: {args.clients} clients x {args.questions} questions "
                f"(deadline {args.deadline:.0f} s) ...",
                flush=True,
            )
            phase = run_load(
                url, auth, api_name, questions, args.clients, args.questions, args.deadline
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
                url,
                auth,
                api_name,
                questions,
                args.soak,
                args.soak_deadline,
                server_pid,
                args.session_turns,
            )
            phases.append(phase)
            print("\n".join(report(phase)), flush=True)
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
        if demo is not None:
            demo.close()
    return 1 if failed else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Client and server threads must not keep the process alive: the run stops by itself.
    os._exit(code)
