"""SIGTERM while a streamed answer is being sent (issue 23 #12): `python app.py` ends the open
stream with an error event and `[DONE]`, then stops, instead of cutting the stream.

The app runs as its own process, answering in LLM mode from a fake model that streams slowly, so
the signal arrives between two deltas of a real streamed answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.openai import STOPPING
from tests.rag.answer.llm.fake_openai import FakeOpenAI, Reply
from tests.serving.app_thread import app_folders
from tests.serving.net import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 300  # the model loads in the new process
# A model reply of a few hundred characters, a few characters every 0.3 s: it is still
# streaming when the signal comes.
SLOW_REPLY = Reply(text="وقال الوزير إن اللقاء كان مثمراً جداً [1]. " * 8, chunk_chars=4, delay=0.3)


def _wait_until_serving(url: str, process: subprocess.Popen) -> None:
    ends = time.monotonic() + START_SECONDS
    while time.monotonic() < ends:
        assert process.poll() is None, "the app exited before serving"
        try:
            if httpx.get(f"{url}v1/models", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the app did not serve within {START_SECONDS} s")


def test_sigterm_mid_stream_ends_it_with_an_error_event_and_done(tmp_path, seed_index) -> None:
    index_dir, corpus_dir = app_folders(tmp_path, seed_index)
    port = free_port()
    with FakeOpenAI(SLOW_REPLY, lifetime=START_SECONDS + 120) as model:
        env = {
            **os.environ,
            "RAG_INDEX_DIR": str(index_dir),
            "RAG_CORPUS_DIR": str(corpus_dir),
            "RAG_LLM_BASE_URL": model.base_url,
            "RAG_LLM_MODEL": "fake-model",
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        app = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_serving(url, app)
            body = {
                "messages": [{"role": "user", "content": "ماذا قال الوزير عن اللقاء في موسكو؟"}],
                "stream": True,
                "mode": "llm",
            }
            events: list[str] = []
            with httpx.stream("POST", f"{url}v1/chat/completions", json=body, timeout=60) as reply:
                for line in reply.iter_lines():
                    if not line.startswith("data: "):
                        continue
                    events.append(line[6:])
                    deltas = [e for e in events if '"content": "' in e and '"role"' not in e]
                    if len(deltas) == 2:
                        app.send_signal(signal.SIGTERM)  # between two deltas of the model
            assert app.wait(timeout=60) == 0
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(timeout=60)
    assert events[-1] == "[DONE]", events[-3:]
    error = json.loads(events[-2])["error"]
    assert error["message"] == STOPPING and error["type"] == "server_error"
    assert len(events) < len(SLOW_REPLY.text) // SLOW_REPLY.chunk_chars  # it was cut short
