"""Loading a sentence-transformers model: the reference implementation, and the way to use any
other model by name or path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from embeddings.backend.folders import ModelError
from embeddings.backend.verification import Encode

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def load_sentence_transformer(path_or_name: str | Path, *, packaged: bool) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    # The packaged checkpoint has no pooler (e5 pools by mean), so do not build one.
    kwargs = {"model_kwargs": {"add_pooling_layer": False}} if packaged else {}
    local = Path(path_or_name).exists()
    try:
        return SentenceTransformer(
            str(path_or_name), device="cpu", local_files_only=local, **kwargs
        )
    except OSError as error:
        raise ModelError(f"cannot load embedding model '{path_or_name}': {error}") from error


def unit_vectors(model: SentenceTransformer) -> Encode:
    """Unit query and passage vectors of texts, with the model's own prompts."""
    return lambda texts: (
        model.encode_query(texts, normalize_embeddings=True),
        model.encode_document(texts, normalize_embeddings=True),
    )
