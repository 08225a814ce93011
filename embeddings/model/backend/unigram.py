"""The model's Unigram tokenizer in about 60 MB instead of about 280 MB, with the same ids.

`tokenizers` holds a Unigram vocabulary as a trie of hash maps: multilingual-e5's 250,002 pieces
cost about 280 MB of resident memory and 2-3 s to load, more than the ONNX model and its runtime
together. Here `tokenizers` still normalizes and pre-tokenizes (its own Precompiled normalizer
and Metaspace pre-tokenizer, from the model's JSON with the vocabulary left out), and only the
segmentation is done in Python: the Viterbi search of tokenizers' `Unigram::encode_optimized`.
Pieces are tried from each start in increasing length, a path is replaced only by a strictly
better score, an unknown character scores min_score - 10, and consecutive unknowns fuse into one
`<unk>`. Special tokens written in the text are split out first, as the added vocabulary does.

The pre-tokenizer (WhitespaceSplit, then Metaspace with "always" and split) is done in Python
as well when the model's JSON names exactly that pair (`_METASPACE_WORDS`): split at the
characters Rust's `char::is_whitespace` knows, put "▁" before each word that lacks it, and split
again before every other "▁". Calling `tokenizers` for it was three quarters of the time of
counting tokens, which chunking does many times per article.

The vocabulary is two .npy files (pieces joined by NUL as UTF-8 bytes, and their f64 scores), so
loading unpickles nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

PIECES_FILE = "unigram_pieces.npy"
SCORES_FILE = "unigram_scores.npy"
PRETOKENIZER_FILE = "pretokenizer.json"
METASPACE = "\u2581"
# Rust's `char::is_whitespace` (Unicode White_Space); Python's `str.split()` would also split
# at U+001C-U+001F, which Rust does not.
_WHITESPACE = re.compile(
    "[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
_BEFORE_METASPACE = re.compile(f"(?={METASPACE})")
# The pre-tokenizer `_metaspace_words` reproduces.
_METASPACE_WORDS = {
    "type": "Sequence",
    "pretokenizers": [
        {"type": "WhitespaceSplit"},
        {"type": "Metaspace", "replacement": METASPACE, "prepend_scheme": "always", "split": True},
    ],
}
# tokenizers' kUnkPenalty: an unknown character scores this far below the rarest piece.
UNK_PENALTY = 10.0
CACHE_WORDS = 100_000


def save_unigram(tokenizer: dict[str, Any], folder: Path) -> None:
    """Split a serialized Unigram tokenizer into the vocabulary files and the rest."""
    model = tokenizer["model"]
    if model["type"] != "Unigram" or model.get("byte_fallback"):
        raise ValueError(f"not a plain Unigram tokenizer: {model['type']}")
    pieces = [piece for piece, _ in model["vocab"]]
    if any("\x00" in piece for piece in pieces):
        raise ValueError("a piece contains NUL")
    blob = "\x00".join(pieces).encode("utf-8")
    np.save(folder / PIECES_FILE, np.frombuffer(blob, dtype=np.uint8), allow_pickle=False)
    scores = np.array([score for _, score in model["vocab"]], dtype=np.float64)
    np.save(folder / SCORES_FILE, scores, allow_pickle=False)
    rest = {**tokenizer, "model": {**model, "vocab": [[pieces[model["unk_id"]], 0.0]]}}
    rest["model"]["unk_id"] = 0
    rest["unigram_unk_id"] = model["unk_id"]
    rest["unigram_special_tokens"] = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    rest["added_tokens"] = []
    (folder / PRETOKENIZER_FILE).write_text(json.dumps(rest, ensure_ascii=False), "utf-8")


class UnigramTokenizer:
    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        config = json.loads((folder / PRETOKENIZER_FILE).read_text(encoding="utf-8"))
        blob = np.load(folder / PIECES_FILE, allow_pickle=False)
        pieces = blob.tobytes().decode("utf-8").split("\x00")
        self._ids = dict(zip(pieces, range(len(pieces)), strict=True))
        self._max_len = max(map(len, pieces))
        self._scores: list[float] = np.load(folder / SCORES_FILE, allow_pickle=False).tolist()
        self._unk_id = int(config.pop("unigram_unk_id"))
        self._unk_score = min(self._scores) - UNK_PENALTY
        self._specials: dict[str, int] = config.pop("unigram_special_tokens")
        alternatives = sorted(self._specials, key=len, reverse=True)
        self._special_split = re.compile("(" + "|".join(map(re.escape, alternatives)) + ")")
        pre = Tokenizer.from_str(json.dumps(config))
        self._normalize = pre.normalizer.normalize_str if pre.normalizer else str
        if config.get("pre_tokenizer") == _METASPACE_WORDS:
            self._words = _metaspace_words
        else:
            rust = pre.pre_tokenizer.pre_tokenize_str
            self._words = lambda text: [word for word, _ in rust(text)]
        self._cache: dict[str, tuple[int, ...]] = {}

    def encode(self, text: str) -> list[int]:
        """Ids without special tokens added (as `add_special_tokens=False`)."""
        ids: list[int] = []
        for part in self._special_split.split(text):
            special = self._specials.get(part)
            if special is not None:
                ids.append(special)
                continue
            if not part:
                continue
            for word in self._words(self._normalize(part)):
                cached = self._cache.get(word)
                if cached is None:
                    cached = self._segment(word)
                    if len(self._cache) < CACHE_WORDS:
                        self._cache[word] = cached
                ids.extend(cached)
        return ids

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(text) for text in texts]

    def _segment(self, word: str) -> tuple[int, ...]:
        """The best-scoring segmentation of one pre-tokenized word (Viterbi)."""
        n, ids, scores = len(word), self._ids, self._scores
        best = [0.0] * (n + 1)
        start_at = [-1] * (n + 1)
        best_id = [0] * (n + 1)
        for start in range(n):
            here, single = best[start], False
            for end in range(start + 1, min(n, start + self._max_len) + 1):
                piece_id = ids.get(word[start:end])
                if piece_id is None:
                    continue
                score = scores[piece_id] + here
                if start_at[end] < 0 or score > best[end]:
                    best[end], start_at[end], best_id[end] = score, start, piece_id
                single = single or end == start + 1
            if not single:
                score = self._unk_score + here
                if start_at[start + 1] < 0 or score > best[start + 1]:
                    best[start + 1], start_at[start + 1] = score, start
                    best_id[start + 1] = self._unk_id
        out: list[int] = []
        end = n
        while end > 0:
            piece_id = best_id[end]
            if not (piece_id == self._unk_id and out and out[-1] == self._unk_id):
                out.append(piece_id)
            end = start_at[end]
        out.reverse()
        return tuple(out)


def _metaspace_words(text: str) -> list[str]:
    """WhitespaceSplit then Metaspace(prepend_scheme="always", split=True), as `tokenizers`."""
    if METASPACE not in text:  # (normalized text never has one: its normalizer makes it a space)
        return [METASPACE + word for word in _WHITESPACE.split(text) if word]
    words = []
    for word in _WHITESPACE.split(text):
        if not word:
            continue
        if not word.startswith(METASPACE):
            word = METASPACE + word
        if METASPACE in word[1:]:
            words += [piece for piece in _BEFORE_METASPACE.split(word) if piece]
        else:
            words.append(word)
    return words
