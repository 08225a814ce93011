from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from corpus import DEFAULT_CORPUS_DIR, Article, load_corpus


def e5_token_counter() -> Callable[[str], int]:
    """The multilingual-e5-small tokenizer, as the embedding model counts tokens."""
    spec = find_spec("semantra_multilingual")
    assert spec is not None and spec.submodule_search_locations
    package = Path(next(iter(spec.submodule_search_locations)))
    tokenizer = Tokenizer.from_file(str(package / "assets/multilingual-e5-small/tokenizer.json"))
    return lambda text: len(tokenizer.encode(text).ids)


@pytest.fixture(scope="session")
def count_tokens() -> Callable[[str], int]:
    return e5_token_counter()


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(DEFAULT_CORPUS_DIR.glob("*.txt"))
    assert len(paths) == 5
    return paths


@pytest.fixture(scope="session")
def seed_articles() -> list[Article]:
    result = load_corpus(DEFAULT_CORPUS_DIR)
    assert result.errors == []
    return result.articles
