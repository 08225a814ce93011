"""The two phases of the load test, concurrent load and sequential soak, and their report:
what was answered, the errors, throughput, latency and the server's memory over the soak.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.common import MB, p50_p95
from bench.load_app import Asker

RSS_EVERY = 100


def fmt_seconds(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


def rss_bytes(pid: int | None) -> int | None:
    import psutil

    if pid is None:
        return None
    try:
        return psutil.Process(pid).memory_info().rss
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


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
                    if problem or latency is None:
                        phase.errors.append(f"client {number}: {problem}")
                    else:
                        phase.answered += 1
                        phase.latencies.append(latency)
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
            if problem or latency is None:
                phase.errors.append(f"question {done}: {problem}")
                if time.monotonic() >= deadline:
                    phase.deadline_hit = True
                    phase.errors += ["not asked: deadline"] * (total - done - 1)
                    break
            else:
                phase.answered += 1
                phase.latencies.append(latency)
        if (rss := rss_bytes(server_pid)) is not None:
            phase.rss_samples.append((phase.answered + len(phase.errors), rss))
    finally:
        asker.close()
        phase.wall_seconds = time.monotonic() - started
    return phase


def report(phase: Phase) -> list[str]:
    latency = p50_p95(phase.latencies)
    lines = [
        f"{phase.name}: answered {phase.answered}/{phase.planned}, errors {len(phase.errors)}, "
        f"wall {phase.wall_seconds:.1f} s, throughput {phase.throughput:.2f} questions/s",
        f"  latency p50 {fmt_seconds(latency['p50'])}, p95 {fmt_seconds(latency['p95'])}, "
        f"max {fmt_seconds(max(phase.latencies, default=None))}"
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
