"""The embedding model: any sentence-transformers model, with a packaged offline default.

`Embedder` hides which backend runs the model (`embeddings/model/backend/`). The packaged e5 model
runs on ONNX fp32 by default ("onnx": onnxruntime and tokenizers only, so serving imports no
torch), on torch fp32 ("torch": sentence-transformers, the reference), or on int8 ONNX
("onnx-int8": the same path with int8 weights for passages and fp32 for queries, no torch either);
any other model runs on torch by name or path. The e5 prompts are applied by the
model's own configuration and every vector has unit length.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, get_args

import numpy as np

from embeddings.model.backend.folders import ModelError, verification_record
from embeddings.model.backend.packaged import (
    DEFAULT_CACHE_DIR,
    PACKAGED_MODEL,
    materialize_packaged_model,
)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Backend = Literal["onnx", "torch", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
DEFAULT_BACKEND: Backend = "onnx"


class Encoder(Protocol):
    """What each backend loads: unit vectors with the model's prompts, and its tokenizer."""

    dimension: int
    max_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray: ...


class Embedder:
    """The configured model and backend with unit-length vectors.

    Construction is cheap; the model loads on `warm_up()` or on first use, and only then are the
    backend's libraries imported.
    """

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        cache_dir: Path = DEFAULT_CACHE_DIR,
        *,
        backend: Backend = DEFAULT_BACKEND,
    ) -> None:
        if backend not in BACKENDS:
            raise ModelError(f"unknown embedding backend '{backend}'; choose one of {BACKENDS}")
        if model != PACKAGED_MODEL and backend != "torch":
            if backend != DEFAULT_BACKEND:
                raise ModelError(f"backend '{backend}' is only available for {PACKAGED_MODEL}")
            backend = "torch"  # other models run on sentence-transformers
        self.model_id = model
        self.cache_dir = cache_dir
        self.backend = backend
        self._encoder: Encoder | None = None
        self._weights_hash: str | None = None
        self.load_seconds: float | None = None

    @property
    def is_packaged(self) -> bool:
        return self.model_id == PACKAGED_MODEL

    def prepare(self, *, force: bool = False) -> Path:
        """The verified folder of the packaged model for this backend, built once (again with
        `force`). Reusing a built folder reads its verification record and imports nothing."""
        if not self.is_packaged:
            raise ModelError(f"{self.model_id} is used by name; there is nothing to prepare")
        if self.backend == "onnx":
            from embeddings.model.backend.onnx import materialize_onnx_model

            return materialize_onnx_model(self.cache_dir, force=force)
        if self.backend == "onnx-int8":
            from embeddings.model.backend.onnx_int8 import materialize_int8_model

            return materialize_int8_model(self.cache_dir, force=force)
        return materialize_packaged_model(self.cache_dir, force=force)

    def _load(self) -> Encoder:
        if self.backend == "onnx":
            from embeddings.model.backend.onnx import OnnxEncoder

            return OnnxEncoder(self.prepare())
        if self.backend == "onnx-int8":
            from embeddings.model.backend.onnx_int8 import int8_encoder

            self.prepare()
            return int8_encoder(self.cache_dir)
        from embeddings.model.backend.sentence_transformer import (
            SentenceTransformerEncoder,
            load_sentence_transformer,
        )

        if self.is_packaged:
            model = load_sentence_transformer(self.prepare(), packaged=True)
        else:
            model = load_sentence_transformer(self.model_id, packaged=False)
        return SentenceTransformerEncoder(model)

    def warm_up(self) -> None:
        if self._encoder is None:
            started = time.perf_counter()
            self._encoder = self._load()
            self.load_seconds = time.perf_counter() - started

    @property
    def encoder(self) -> Encoder:
        self.warm_up()
        assert self._encoder is not None
        return self._encoder

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model, for the backends that run on one."""
        model = getattr(self.encoder, "model", None)
        if model is None:
            raise ModelError(f"backend '{self.backend}' runs without sentence-transformers")
        return model

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    @property
    def max_tokens(self) -> int:
        return self.encoder.max_tokens

    @property
    def weights_hash(self) -> str:
        """sha256 of the weights, recorded in every index so a mismatched model is refused.

        The ONNX fp32 backend reports the packaged weights' hash: its vectors were verified to be
        theirs, so torch and onnx share indexes; int8 passage vectors differ and have their own
        hash (the int8 graph's).
        """
        if self._weights_hash is None:
            if self.backend == "onnx":
                from embeddings.model.backend.onnx import reference_weights_hash

                self._weights_hash = reference_weights_hash(self.prepare())
            elif self.is_packaged:
                # The verification record has it: no need to load the model.
                folder = self.prepare()
                recorded = verification_record(folder)
                if recorded is None:
                    raise ModelError(f"{folder} has not passed verification")
                self._weights_hash = str(recorded["weights_sha256"])
            else:
                from embeddings.model.backend.sentence_transformer import (
                    SentenceTransformerEncoder,
                )

                # Any model but the packaged one runs on sentence-transformers.
                assert isinstance(self.encoder, SentenceTransformerEncoder)
                self._weights_hash = self.encoder.weights_hash()
        return self._weights_hash

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, without special tokens or prompt."""
        return self.encoder.count_tokens(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.encoder.embed_queries(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        vectors = self.encoder.embed_passages(
            list(texts), batch_size=batch_size, show_progress=show_progress
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
