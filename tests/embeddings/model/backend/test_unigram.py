"""The Unigram tokenizer's pre-tokenizer in Python: the very words `tokenizers` makes."""

from __future__ import annotations

import json
import random

import pytest

from corpus import DEFAULT_CORPUS_DIR
from embeddings.model.backend import unigram
from embeddings.model.backend.onnx import onnx_model_dir
from embeddings.model.backend.unigram import PRETOKENIZER_FILE, UnigramTokenizer
from embeddings.model.backend.verification import VERIFICATION_TEXTS
from embeddings.model.embedder import Embedder

# Every whitespace of either definition, the Metaspace mark itself, marks and controls.
ODD = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\u2581\u0651\x00"


def _texts() -> list[str]:
    rng = random.Random(7)
    alphabet = ODD + "ab9٣سلام."
    texts = ["", " ", "\u2581", "\u2581\u2581a", "a\u2581\u2581b", " a  b ", "x\x1cy", "a\x85b"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    texts += list(VERIFICATION_TEXTS)
    texts += [path.read_text(encoding="utf-8") for path in sorted(DEFAULT_CORPUS_DIR.iterdir())]
    return texts


@pytest.mark.slow
def test_python_words_equal_the_rust_pre_tokenizer(embedder: Embedder) -> None:
    from tokenizers import Tokenizer

    folder = onnx_model_dir(embedder.cache_dir)
    config = json.loads((folder / PRETOKENIZER_FILE).read_text(encoding="utf-8"))
    assert config["pre_tokenizer"] == unigram._METASPACE_WORDS  # the Python path is the one used
    for key in ("unigram_unk_id", "unigram_special_tokens"):
        config.pop(key)
    rust = Tokenizer.from_str(json.dumps(config))
    for text in _texts():
        for given in (text, rust.normalizer.normalize_str(text)):
            expected = [word for word, _ in rust.pre_tokenizer.pre_tokenize_str(given)]
            assert unigram._metaspace_words(given) == expected, repr(given)


@pytest.mark.slow
def test_ids_of_odd_text_equal_the_full_tokenizer(embedder: Embedder) -> None:
    from tokenizers import Tokenizer

    folder = onnx_model_dir(embedder.cache_dir)
    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ours = UnigramTokenizer(folder)
    for text in _texts():
        assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids, repr(text)
