"""The packaged model with int8 weights for passages, served like ONNX fp32: onnxruntime, the
memory-mapped word table and the Unigram vocabulary of the fp32 folder, no torch, transformers
or sentence-transformers in the process.

Passages (what ingest embeds, about three times faster in int8) go through the int8 graph;
queries go through the fp32 one. On XQuAD's held-out articles, int8 on both sides lost 0.006
nDCG@10 and 0.028 of first lines holding the answer for English questions over Arabic text (its
errors on the two sides add up); int8 passages with fp32 queries stay within 0.005 of fp32 on
both (README, Performance). A server that only answers never loads the int8 graph.

The fp32 graph that `onnx.py` serves (inputs_embeds -> last hidden state) is quantized once,
dynamically: every MatMul's weights to int8 per output channel, activations quantized at run
time, no calibration set. The word-embedding table stays the fp32 one (it is looked up, not
multiplied). The 7-bit range (`reduce_range`) keeps AVX2 CPUs without VNNI from saturating their
16-bit sums, so the vectors do not depend on the CPU's instruction set.

The result is proven close to the fp32 ONNX vectors (which are proven equal to
sentence-transformers') on the verification texts: cosine >= `MIN_INT8_COSINE` as queries and as
passages. Its weights hash is the int8 graph file's, so an index of one is refused by the other.
"""

from __future__ import annotations

from pathlib import Path

from embeddings.model.backend.folders import ModelError, verification_record, verified_folder
from embeddings.model.backend.onnx import (
    OnnxEncoder,
    materialize_onnx_model,
    onnx_model_dir,
    unit_vectors,
)
from embeddings.model.backend.onnx_export import ONNX_FILE
from embeddings.model.backend.packaged import DEFAULT_CACHE_DIR
from embeddings.model.backend.verification import Verification, compare

# int8 vectors are close to, not equal to, fp32 ones; below this the quantized model is refused.
MIN_INT8_COSINE = 0.98
ONNX_INT8_FILE = "model_int8.onnx"


def int8_model_dir(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Beside the fp32 ONNX folder, whose vocabulary and word table it uses."""
    fp32 = onnx_model_dir(cache_dir)
    return fp32.with_name(f"{fp32.name}-int8")


def quantize(fp32_graph: Path, target: Path) -> None:
    """int8 weights for every MatMul of `fp32_graph`, per output channel, 7-bit range."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer logs a hint about shape inference on every run; it does not apply here.
    logging.getLogger().setLevel(logging.ERROR)
    quantize_dynamic(
        fp32_graph,
        target,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        op_types_to_quantize=["MatMul"],
    )


def int8_encoder(cache_dir: Path = DEFAULT_CACHE_DIR) -> OnnxEncoder:
    """fp32 queries and int8 passages over the fp32 folder's tokenizer and word table."""
    return OnnxEncoder(
        onnx_model_dir(cache_dir), passage_graph=int8_model_dir(cache_dir) / ONNX_INT8_FILE
    )


def verify_int8(fp32_dir: Path, graph: Path) -> Verification:
    """Cosines of int8 against fp32 ONNX vectors on the verification texts, the int8 graph
    used for queries too (the gate is on the graph itself)."""
    return compare(
        unit_vectors(OnnxEncoder(fp32_dir, graph)),
        unit_vectors(OnnxEncoder(fp32_dir)),
        graph,
        MIN_INT8_COSINE,
    )


def materialize_int8_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Quantize and verify the int8 graph once, beside the fp32 ONNX folder.

    Raises ModelError when the int8 vectors are not close enough to the fp32 ones.
    """
    import onnxruntime

    fp32_dir = materialize_onnx_model(cache_dir)

    def build(staging: Path) -> dict:
        quantize(fp32_dir / ONNX_FILE, staging / ONNX_INT8_FILE)
        result = verify_int8(fp32_dir, staging / ONNX_INT8_FILE)
        if not result.passed:
            raise ModelError(
                f"int8 ONNX model is too far from fp32: min cosine {result.min_cosine:.5f} on the "
                f"verification texts < {result.min_cosine_required}; use backend='onnx'"
            )
        return {
            **result.__dict__,
            "reference": "fp32 ONNX model",
            "reference_graph_sha256": _fp32_graph_hash(fp32_dir),
            "quantization": "onnxruntime dynamic int8: MatMul, per-channel, reduce_range",
            "onnxruntime": onnxruntime.__version__,
        }

    target = int8_model_dir(cache_dir)
    return verified_folder(target, ONNX_INT8_FILE, build, force or _stale(target, fp32_dir))


def _fp32_graph_hash(fp32_dir: Path) -> str | None:
    """The fp32 graph's sha256 as its folder's verification recorded it (reading no graph)."""
    recorded = verification_record(fp32_dir) or {}
    return recorded.get("files_sha256", {}).get(ONNX_FILE)


def _stale(target: Path, fp32_dir: Path) -> bool:
    """A graph quantized from another fp32 export is quantized again rather than refused."""
    recorded = verification_record(target)
    if recorded is None:
        return False
    return recorded.get("reference_graph_sha256") != _fp32_graph_hash(fp32_dir)
