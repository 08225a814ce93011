"""The packaged model served by onnxruntime and the model's own `tokenizers` tokenizer, with no
torch, transformers or sentence-transformers in the process.

Starting sentence-transformers costs seconds of imports and about half a gigabyte before the
first query; this backend starts in a fraction of that. It is exported once at set-up
(`onnx_export.py`) and proven to give the sentence-transformers vectors (cosine >= 0.9999 on the
verification texts, as queries and as passages). It reproduces what sentence-transformers does:

- the prompt ("query: " / "passage: ") is prepended to the text before tokenizing;
- `<s> ... </s>` around the ids, truncated (not windowed) to `max_seq_length` tokens;
- right padding with an attention mask; the last hidden state is mean-pooled over the mask,
  prompt tokens included, then L2-normalized.

The 250k x 384 word-embedding table (366 MiB) stays out of the graph and is memory-mapped, so
only the rows of tokens actually seen become resident; the tokenizer's vocabulary is held in
plain Python structures (`unigram.py`), a fifth of what `tokenizers` needs for it.

Because the vectors are the fp32 model's, an index records the packaged weights' hash and is
shared with the torch backend.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.files import sha256_file
from embeddings.model.backend.folders import ModelError, verification_record, verified_folder
from embeddings.model.backend.onnx_export import (
    EMBEDDINGS_FILE,
    ENCODER_FILE,
    FORMAT_VERSION,
    ONNX_FILE,
    position_ids,
)
from embeddings.model.backend.packaged import (
    DEFAULT_CACHE_DIR,
    WEIGHTS_FILE,
    materialize_packaged_model,
    packaged_model_dir,
)
from embeddings.model.backend.unigram import UnigramTokenizer
from embeddings.model.backend.verification import Encode, compare

# fp32 ONNX is the same computation as torch; only the order of float additions differs.
MIN_ONNX_COSINE = 0.9999


def onnx_model_dir(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    fp32 = packaged_model_dir(cache_dir)
    return fp32.with_name(f"{fp32.name}-onnx")


def _session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # The same knob torch reads, so both backends use the threads they are given; onnxruntime
    # would otherwise take one per core.
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if threads.isdigit() and int(threads) > 0:
        options.intra_op_num_threads = int(threads)
    options.inter_op_num_threads = 1
    # Between questions the app idles; spinning worker threads would burn a shared core.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own exception types
        raise ModelError(f"cannot load ONNX model {path}: {error}") from error


class OnnxEncoder:
    """Unit vectors from an exported folder. `graph` runs another graph over its tokenizer and
    word table (the int8 one); `passage_graph` runs one for passages only, loaded when the
    first passage is embedded (a server that only answers never loads it)."""

    def __init__(
        self, folder: Path, graph: Path | None = None, passage_graph: Path | None = None
    ) -> None:
        config_path = folder / ENCODER_FILE
        if not config_path.is_file():
            raise ModelError(f"{config_path} is missing; run `python -m embeddings prepare`")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if config.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"{config_path}: unknown format {config.get('format_version')}")
        self.prompts: dict[str, str] = config["prompts"]
        self.max_tokens = int(config["max_seq_length"])
        self.dimension = int(config["dimension"])
        self._special = (config["bos_token_id"], config["eos_token_id"], config["pad_token_id"])
        self.tokenizer = UnigramTokenizer(folder)
        self.table = np.load(folder / EMBEDDINGS_FILE, mmap_mode="r", allow_pickle=False)
        if self.table.shape[1:] != (self.dimension,) or self.table.dtype != np.float32:
            raise ModelError(f"{EMBEDDINGS_FILE} has shape {self.table.shape} {self.table.dtype}")
        self.session = _session(graph or folder / ONNX_FILE)
        self._passage_graph = passage_graph
        self._passage_session: Any = None
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` without special tokens or prompt, untruncated."""
        return len(self.tokenizer.encode(text))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, self.prompts["query"])

    def embed_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        del show_progress  # ingest reports progress per article
        session = self._passages()
        return self.encode(texts, self.prompts["document"], batch_size=batch_size, session=session)

    def _passages(self) -> Any:
        if self._passage_graph is None:
            return self.session
        with self._lock:
            if self._passage_session is None:
                self._passage_session = _session(self._passage_graph)
            return self._passage_session

    def encode(
        self, texts: Sequence[str], prompt: str, *, batch_size: int = 32, session: Any = None
    ) -> np.ndarray:
        """float32 unit vectors in the order given; batched by length so batches pad little."""
        bos, eos, _ = self._special
        keep = self.max_tokens - 2
        encodings = self.tokenizer.encode_batch([prompt + text for text in texts])
        ids = [[bos, *encoding[:keep], eos] for encoding in encodings]
        vectors = np.zeros((len(ids), self.dimension), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            vectors[rows] = self._embed([ids[i] for i in rows], session or self.session)
        return vectors

    def _embed(self, batch: list[list[int]], session: Any) -> np.ndarray:
        width = max(map(len, batch))
        input_ids = np.full((len(batch), width), self._special[2], dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        inputs = {
            "inputs_embeds": self.table[input_ids],
            "attention_mask": mask,
            "position_ids": position_ids(input_ids, self._special[2]),
        }
        (hidden,) = session.run(None, inputs)
        # sentence-transformers' Pooling(mean) then Normalize, with its clamps.
        weights = mask.astype(np.float32)
        summed = np.einsum("bt,btd->bd", weights, hidden)
        mean = summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return (mean / norms).astype(np.float32)


def unit_vectors(encoder: OnnxEncoder) -> Encode:
    return lambda texts: (encoder.embed_queries(texts), encoder.embed_passages(texts))


def files_sha256(folder: Path) -> dict[str, str]:
    names = sorted(p.name for p in folder.iterdir() if p.suffix in {".onnx", ".npy", ".json"})
    return {name: sha256_file(folder / name) for name in names if name != "verification.json"}


def materialize_onnx_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Export the packaged model to ONNX fp32 once and prove it against sentence-transformers.

    Raises ModelError when the ONNX vectors are not the reference's.
    """
    fp32_dir = materialize_packaged_model(cache_dir)

    def build(staging: Path) -> dict:
        import onnxruntime

        from embeddings.model.backend.onnx_export import export_onnx
        from embeddings.model.backend.sentence_transformer import load_sentence_transformer
        from embeddings.model.backend.sentence_transformer import unit_vectors as st_unit_vectors

        reference = load_sentence_transformer(fp32_dir, packaged=True)
        export_onnx(reference, staging)
        result = compare(
            unit_vectors(OnnxEncoder(staging)),
            st_unit_vectors(reference),
            staging / ONNX_FILE,
            MIN_ONNX_COSINE,
        )
        if not result.passed:
            raise ModelError(
                f"ONNX vectors differ from sentence-transformers: min cosine "
                f"{result.min_cosine:.6f} < {MIN_ONNX_COSINE}; use backend='torch'"
            )
        return {
            **result.__dict__,
            "reference": "sentence-transformers fp32 model",
            "reference_weights_sha256": sha256_file(fp32_dir / WEIGHTS_FILE),
            "files_sha256": files_sha256(staging),
            "onnxruntime": onnxruntime.__version__,
        }

    target = onnx_model_dir(cache_dir)
    return verified_folder(target, ENCODER_FILE, build, force or _stale(target, fp32_dir))


def _stale(target: Path, fp32_dir: Path) -> bool:
    """An export of other packaged weights (that folder was rebuilt) or in an older format is
    exported again rather than refused."""
    recorded, packaged = verification_record(target), verification_record(fp32_dir)
    if not (recorded and packaged and (target / ENCODER_FILE).is_file()):
        return False
    config = json.loads((target / ENCODER_FILE).read_text(encoding="utf-8"))
    return (
        recorded["reference_weights_sha256"] != packaged["weights_sha256"]
        or config.get("format_version") != FORMAT_VERSION
    )


def reference_weights_hash(folder: Path) -> str:
    """The packaged weights' hash the folder was verified against: what its indexes record."""
    recorded = verification_record(folder)
    if recorded is None:
        raise ModelError(f"{folder} has not passed verification")
    return str(recorded["reference_weights_sha256"])
