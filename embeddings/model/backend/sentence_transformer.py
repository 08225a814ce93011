"""Loading a sentence-transformers model: the reference implementation, and the way to use any
other model by name or path."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.model.backend.folders import ModelError
from embeddings.model.backend.verification import Encode

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def load_sentence_transformer(path_or_name: str | Path, *, packaged: bool) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    # The packaged checkpoint has no pooler (e5 pools by mean), so do not build one.
    model_kwargs = {"add_pooling_layer": False} if packaged else None
    local = Path(path_or_name).exists()
    try:
        return SentenceTransformer(
            str(path_or_name), device="cpu", local_files_only=local, model_kwargs=model_kwargs
        )
    except OSError as error:
        raise ModelError(f"cannot load embedding model '{path_or_name}': {error}") from error


def unit_vectors(model: SentenceTransformer) -> Encode:
    """Unit query and passage vectors of texts, with the model's own prompts."""
    return lambda texts: (
        model.encode_query(texts, normalize_embeddings=True),
        model.encode_document(texts, normalize_embeddings=True),
    )


def stated(value: int | None, what: str) -> int:
    """A model property every usable model states."""
    if value is None:
        raise ModelError(f"the model does not state its {what}")
    return int(value)


class SentenceTransformerEncoder:
    """A sentence-transformers model behind the surface every backend's encoder offers."""

    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model
        self.dimension = stated(model.get_embedding_dimension(), "embedding dimension")
        self.max_tokens = stated(model.max_seq_length, "maximum sequence length")

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.encode_query(
            list(texts), normalize_embeddings=True, convert_to_numpy=True
        )

    def embed_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        return self.model.encode_document(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )

    def weights_hash(self) -> str:
        """sha256 over the model's tensors, for a model that has no verification record."""
        digest = hashlib.sha256()
        for name, tensor in sorted(self.model.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
        return digest.hexdigest()
