"""Slow clients cannot starve the server: the real app process under `ulimit -n 1024` (a common
service default) while 1,100 loopback connections send one header line every 8 s, or one body
byte every 30 s, and (as slowloris does) open a new one at their next beat when one is cut.
Other clients are answered meanwhile, in their normal time (measured against the same app before
the attack).
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serving.app_subprocess import AppProcess, start_app
from tests.serving.app_thread import app_folders

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

FD_LIMIT = 1024
SLOW_CLIENTS = 1100
ATTACKER = "127.0.0.2"  # loopback too; the clients that are measured come from 127.0.0.1
SAMPLES = 12
ATTACK_SECONDS = 45
# Far above a normal request here (tens of milliseconds), far below the 40-65 s before.
BOUND_SECONDS = 10.0


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


@pytest.fixture(scope="module")
def app(tmp_path_factory, seed_index) -> Iterator[AppProcess]:
    """The app with 1024 descriptors; this process (the slow clients) gets enough for them."""
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = SLOW_CLIENTS + 512
    if before[0] < needed:
        hard = before[1] if before[1] >= needed else needed  # only root may raise it
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    try:
        yield from _served(tmp_path_factory, seed_index)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)


def _served(tmp_path_factory, seed_index) -> Iterator[AppProcess]:
    root = tmp_path_factory.mktemp("slow-clients")
    index_dir, corpus_dir = app_folders(root, seed_index)
    running = start_app(index_dir, corpus_dir, root / "app.log", preexec=_limit_descriptors)
    try:
        yield running
    finally:
        running.stop()


HEADERS = (b"GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n", 8.0)
BODY = (
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{",
    b" ",
    30.0,
)


async def _trickle(
    slow: tuple[bytes, bytes, float], host: str, port: int, stop: asyncio.Event, cut: list[int]
) -> None:
    """Send the start of a request, then one more piece of it every beat, never ending it; when
    the server cuts the connection (or answers), open a new one at the next beat."""
    start, more, beat = slow
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(ATTACKER, 0))
            writer.write(start)
            while not stop.is_set():
                await writer.drain()
                try:
                    await asyncio.wait_for(reader.read(1024), beat)
                    break  # answered (408) or cut
                except TimeoutError:
                    writer.write(more)
            writer.close()
        except OSError:
            pass
        cut[0] += 1
        await asyncio.sleep(beat)


def _attack(url: str, slow: tuple, stop: threading.Event, cut: list[int]) -> None:
    host, port = url.removeprefix("http://").strip("/").split(":")

    async def run() -> None:
        halt = asyncio.Event()
        tasks = [
            asyncio.create_task(_trickle(slow, host, int(port), halt, cut))
            for _ in range(SLOW_CLIENTS)
        ]
        while not stop.is_set():
            await asyncio.sleep(0.2)
        halt.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())


def _latencies(url: str, count: int, pause: float = 0.0) -> list[float]:
    """`count` requests for /config and a question through the API, each on a new connection."""
    body = {"model": "rag", "messages": [{"role": "user", "content": "من استقبل الشيباني؟"}]}
    seconds = []
    for number in range(count):
        started = time.monotonic()
        with httpx.Client(base_url=url, timeout=120) as client:
            if number % 2:
                response = client.post("v1/chat/completions", json=body)
            else:
                response = client.get("config")
        response.raise_for_status()
        seconds.append(time.monotonic() - started)
        time.sleep(pause)
    return seconds


@pytest.mark.parametrize("slow", [HEADERS, BODY], ids=["headers", "body"])
def test_slow_clients_do_not_starve_the_others(app: AppProcess, slow: tuple) -> None:
    before = _latencies(app.url, SAMPLES)
    stop, cut = threading.Event(), [0]
    attack = threading.Thread(target=_attack, args=(app.url, slow, stop, cut), daemon=True)
    attack.start()
    try:
        time.sleep(ATTACK_SECONDS / 3)  # every slow connection is open (or was refused)
        during = _latencies(app.url, SAMPLES, pause=ATTACK_SECONDS / (3 * SAMPLES))
    finally:
        stop.set()
        attack.join(120)
    print(
        f"\n{'headers' if slow is HEADERS else 'body'}: {SLOW_CLIENTS} slow connections under ulimit -n {FD_LIMIT}, "
        f"{cut[0]} cut by the server; {SAMPLES} requests before: median "
        f"{statistics.median(before):.3f} s, max {max(before):.3f} s; during: median "
        f"{statistics.median(during):.3f} s, max {max(during):.3f} s"
    )
    assert max(during) < BOUND_SECONDS
    assert app.process.poll() is None, app.log_tail()
    assert cut[0] > 0  # the server cut slow connections (a deadline, or room for others)


def test_the_descriptor_limit_is_the_one_under_test(app: AppProcess) -> None:
    limits = Path(f"/proc/{app.process.pid}/limits").read_text()
    assert any(
        line.startswith("Max open files") and line.split()[3] == str(FD_LIMIT)
        for line in limits.splitlines()
    )
