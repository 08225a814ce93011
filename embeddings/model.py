"""The embedding model: any sentence-transformers model, with a packaged offline default.

`Embedder` hides which backend runs the model (`embeddings/backend/`): the packaged e5 model on
torch (fp32) or on int8 ONNX, or any other model by name or path. The e5 prompts are applied by
the model's own configuration and every vector has unit length.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

from embeddings.backend.folders import ModelError, verification_record
from embeddings.backend.packaged import (
    DEFAULT_CACHE_DIR,
    PACKAGED_MODEL,
    materialize_packaged_model,
    packaged_model_dir,
)
from embeddings.backend.sentence_transformer import load_sentence_transformer

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Backend = Literal["torch", "onnx-int8"]
BACKENDS: tuple[str, ...] = get_args(Backend)


class Embedder:
    """A sentence-transformers model with the e5 prompts applied and unit-length vectors.

    Construction is cheap; the model loads on `warm_up()` or on first use.
    """

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        cache_dir: Path = DEFAULT_CACHE_DIR,
        *,
        backend: Backend = "torch",
    ) -> None:
        if backend not in BACKENDS:
            raise ModelError(f"unknown embedding backend '{backend}'; choose one of {BACKENDS}")
        if backend != "torch" and model != PACKAGED_MODEL:
            raise ModelError(f"backend '{backend}' is only available for {PACKAGED_MODEL}")
        self.model_id = model
        self.cache_dir = cache_dir
        self.backend = backend
        self._model: SentenceTransformer | None = None
        self._weights_hash: str | None = None
        self.load_seconds: float | None = None

    @property
    def is_packaged(self) -> bool:
        return self.model_id == PACKAGED_MODEL

    def _materialize(self) -> Path:
        """The verified folder of the packaged model for this backend, built once."""
        if self.backend == "onnx-int8":
            from embeddings.backend.onnx_int8 import materialize_int8_model

            return materialize_int8_model(self.cache_dir)
        return materialize_packaged_model(self.cache_dir)

    def warm_up(self) -> None:
        if self._model is not None:
            return
        started = time.perf_counter()
        if self.backend == "onnx-int8":
            from embeddings.backend.onnx_int8 import ONNX_INT8_FILE, load_onnx_int8

            folder = self._materialize()
            self._model = load_onnx_int8(
                packaged_model_dir(self.cache_dir), folder / ONNX_INT8_FILE
            )
        elif self.is_packaged:
            self._model = load_sentence_transformer(self._materialize(), packaged=True)
        else:
            self._model = load_sentence_transformer(self.model_id, packaged=False)
        self.load_seconds = time.perf_counter() - started

    @property
    def model(self) -> SentenceTransformer:
        self.warm_up()
        assert self._model is not None
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @property
    def weights_hash(self) -> str:
        """sha256 of the weights, recorded in every index so a mismatched model is refused."""
        if self._weights_hash is None:
            if self.is_packaged:
                # The verification record has it: no need to load the model.
                folder = self._materialize()
                recorded = verification_record(folder)
                if recorded is None:
                    raise ModelError(f"{folder} has not passed verification")
                self._weights_hash = str(recorded["weights_sha256"])
            else:
                digest = hashlib.sha256()
                for name, tensor in sorted(self.model.state_dict().items()):
                    digest.update(name.encode())
                    digest.update(tensor.detach().cpu().numpy().tobytes())
                self._weights_hash = digest.hexdigest()
        return self._weights_hash

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, without special tokens or prompt."""
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode_query(
            list(texts), normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        vectors = self.model.encode_document(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
