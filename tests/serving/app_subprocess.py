"""The app as its own process (`python app.py`), for the tests that kill it, limit its file
descriptors or kill the engine under it: what happens to a real server, not to a thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.serving.net import free_port

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE = 300  # seconds: model load and index on a busy machine


@dataclass
class AppProcess:
    process: subprocess.Popen
    url: str
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self, how: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `how` and wait for the process to end; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(how)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout)


def start_app(
    index_dir: Path,
    corpus_dir: Path,
    log: Path,
    *,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
) -> AppProcess:
    """`python app.py` over these folders on a free loopback port, once it answers."""
    port = free_port()
    environment = {
        **os.environ,
        "RAG_INDEX_DIR": str(index_dir),
        "RAG_CORPUS_DIR": str(corpus_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OMP_NUM_THREADS": "1",
        "GRADIO_TEMP_DIR": str(log.parent / f"gradio-{port}"),
        **(env or {}),
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,
        )
    app = AppProcess(process, f"http://127.0.0.1:{port}/", log)
    ends = time.monotonic() + START_DEADLINE
    while time.monotonic() < ends:
        if process.poll() is not None:
            raise AssertionError(f"the app exited with {process.returncode}:\n{app.log_tail()}")
        try:
            if httpx.get(f"{app.url}config", timeout=5).status_code == 200:
                return app
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    app.stop(signal.SIGKILL)
    raise AssertionError(f"the app did not answer within {START_DEADLINE} s:\n{app.log_tail()}")
