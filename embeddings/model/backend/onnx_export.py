"""Export of the packaged model's transformer to ONNX fp32: set-up only, the one place the ONNX
backend needs torch and sentence-transformers.

What is written is what `embeddings/model/backend/onnx.py` serves: the transformer graph
(`inputs_embeds`, `attention_mask` -> `last_hidden_state`), the word-embedding table as a plain
.npy beside it, the tokenizer exactly as sentence-transformers runs it, and the facts serving
needs (prompts, sequence length, special ids) as JSON. Nothing is pickled.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embeddings.model.backend.folders import ModelError
from embeddings.model.backend.sentence_transformer import stated
from embeddings.model.backend.unigram import save_unigram

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

ONNX_FILE = "model.onnx"
EMBEDDINGS_FILE = "word_embeddings.npy"
TOKENIZER_FILE = "tokenizer.json"
ENCODER_FILE = "encoder.json"
FORMAT_VERSION = 2


def position_ids(input_ids: np.ndarray, pad_id: int) -> np.ndarray:
    """XLM-R's positions from input ids: real tokens count from pad_id + 1, every `<pad>` id
    gets pad_id (`create_position_ids_from_input_ids`)."""
    real = (input_ids != pad_id).astype(np.int64)
    return np.cumsum(real, axis=1) * real + pad_id


def encoder_facts(model: SentenceTransformer) -> dict[str, Any]:
    """What serving must reproduce, refusing a module stack it would not reproduce exactly:
    Transformer, mean Pooling with the prompt included, Normalize; right padding."""
    modules = [type(module).__name__ for module in model]
    if modules != ["Transformer", "Pooling", "Normalize"]:
        raise ModelError(f"cannot export module stack {modules} to ONNX")
    pooling = model[1]
    if pooling.pooling_mode not in ("mean", ("mean",)) or not pooling.include_prompt:
        raise ModelError(f"cannot export pooling {pooling.pooling_mode!r} to ONNX")
    tokenizer = model.tokenizer
    if tokenizer.padding_side != "right":
        raise ModelError("cannot export a tokenizer that pads on the left")
    return {
        "format_version": FORMAT_VERSION,
        "prompts": dict(model.prompts),
        "max_seq_length": stated(model.max_seq_length, "maximum sequence length"),
        "dimension": stated(model.get_embedding_dimension(), "embedding dimension"),
        "bos_token_id": int(tokenizer.cls_token_id),
        "eos_token_id": int(tokenizer.sep_token_id),
        "pad_token_id": int(tokenizer.pad_token_id),
    }


def _save_tokenizer(model: SentenceTransformer, path: Path) -> None:
    """The tokenizer as sentence-transformers runs it, not the model folder's tokenizer.json:
    transformers 5 builds XLM-R's normalizer and pre-tokenizer itself (WhitespaceSplit before
    Metaspace, no ' {2,}' -> ' ' replace), which splits runs of spaces, tabs and newlines
    differently from the file. Truncation and padding are left to serving, per batch.

    tokenizer.json is the full tokenizer, the reference; serving reads the same vocabulary from
    the files `save_unigram` writes."""
    serialized = json.loads(model.tokenizer.backend_tokenizer.to_str())
    serialized["truncation"] = None
    serialized["padding"] = None
    path.write_text(json.dumps(serialized, ensure_ascii=False), encoding="utf-8")
    save_unigram(serialized, path.parent)


def _export_graph(model: SentenceTransformer, path: Path) -> np.ndarray:
    """Trace the transformer from `inputs_embeds`; returns the word-embedding table.

    Position ids are an input: from `input_ids` XLM-R skips every `<pad>` id when it numbers
    positions, also one written in the text, which it could not know from `inputs_embeds`
    (serving computes them the same way). Eager attention: onnxruntime runs the graph traced
    from it about 15% faster than the one traced from SDPA.
    """
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(
            self,
            inputs_embeds: torch.Tensor,
            attention_mask: torch.Tensor,
            position_ids: torch.Tensor,
        ) -> torch.Tensor:
            return self.encoder(
                inputs_embeds=inputs_embeds,
                attention_mask=attention_mask,
                position_ids=position_ids,
            )[0]

    transformer: Any = model[0]  # a transformers model inside: torch types stop here
    encoder = transformer.auto_model.eval()
    encoder.set_attn_implementation("eager")
    sample = model.tokenizer(
        ["query: hello", "passage: مرحبا بالعالم، هذا نص أطول قليلا"],
        padding=True,
        return_tensors="pt",
    )
    table = encoder.embeddings.word_embeddings.weight
    input_ids = sample["input_ids"].numpy()
    positions = torch.from_numpy(position_ids(input_ids, int(model.tokenizer.pad_token_id)))
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes on shape checks that do not apply
        torch.onnx.export(
            LastHiddenState(encoder),
            (table[sample["input_ids"]], sample["attention_mask"], positions),
            str(path),
            dynamo=False,
            input_names=["inputs_embeds", "attention_mask", "position_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                name: axes
                for name in ("inputs_embeds", "attention_mask", "position_ids", "last_hidden_state")
            },
            opset_version=17,
        )
    return np.ascontiguousarray(table.detach().cpu().numpy(), dtype=np.float32)


def export_onnx(model: SentenceTransformer, target: Path) -> None:
    """Write the ONNX folder of `model` into `target` (graph, table, tokenizer, encoder.json)."""
    facts = encoder_facts(model)
    _save_tokenizer(model, target / TOKENIZER_FILE)
    table = _export_graph(model, target / ONNX_FILE)
    np.save(target / EMBEDDINGS_FILE, table, allow_pickle=False)
    (target / ENCODER_FILE).write_text(json.dumps(facts, indent=2), encoding="utf-8")
