"""The packaged model on an int8 ONNX backend: exported once from the fp32 folder, quantized
dynamically with onnxruntime and proven close to the fp32 vectors. Its weights hash is the ONNX
file's, so an index built with one backend is refused by the other."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from embeddings.files import sha256_file
from embeddings.model.backend.folders import ModelError, verified_folder
from embeddings.model.backend.packaged import (
    DEFAULT_CACHE_DIR,
    WEIGHTS_FILE,
    materialize_packaged_model,
    packaged_model_dir,
)
from embeddings.model.backend.sentence_transformer import load_sentence_transformer, unit_vectors
from embeddings.model.backend.verification import Verification, compare

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# int8 vectors are close to, not equal to, fp32 ones; below this the quantized model is refused.
MIN_INT8_COSINE = 0.98
ONNX_INT8_FILE = "model_qint8.onnx"


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

    transformer: Any = model[0]  # a transformers model inside: torch types stop here
    encoder = transformer.auto_model.eval()
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


def load_onnx_int8(fp32_dir: Path, onnx_file: Path) -> SentenceTransformer:
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

    model = load_sentence_transformer(fp32_dir, packaged=True)
    transformer: Any = model[0]  # sentence-transformers' Transformer module
    try:
        transformer.model = OrtTransformer(transformer.model.config)
    except Exception as error:  # onnxruntime raises its own exception types
        raise ModelError(f"cannot load int8 ONNX model {onnx_file}: {error}") from error
    return model


def verify_int8(fp32_dir: Path, onnx_file: Path) -> Verification:
    """Cosines of int8 against fp32 vectors on the verification texts, as queries and passages."""
    reference = load_sentence_transformer(fp32_dir, packaged=True)
    model = load_onnx_int8(fp32_dir, onnx_file)
    return compare(unit_vectors(model), unit_vectors(reference), onnx_file, MIN_INT8_COSINE)


def materialize_int8_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Export, quantize and verify the int8 ONNX model once, beside the fp32 folder.

    Raises ModelError when the int8 vectors are not close enough to the fp32 ones.
    """
    import onnxruntime

    fp32_dir = materialize_packaged_model(cache_dir)

    def build(staging: Path) -> dict:
        _export_int8_onnx(load_sentence_transformer(fp32_dir, packaged=True), staging)
        result = verify_int8(fp32_dir, staging / ONNX_INT8_FILE)
        if not result.passed:
            raise ModelError(
                f"int8 ONNX model is too far from fp32: min cosine {result.min_cosine:.5f} on the "
                f"verification texts < {result.min_cosine_required}; use backend='torch'"
            )
        return {
            **result.__dict__,
            "reference": "fp32 torch model",
            "reference_weights_sha256": sha256_file(fp32_dir / WEIGHTS_FILE),
            "quantization": "onnxruntime dynamic int8: MatMul+Gather, per-channel, reduce_range",
            "onnxruntime": onnxruntime.__version__,
        }

    return verified_folder(int8_model_dir(cache_dir), ONNX_INT8_FILE, build, force)
