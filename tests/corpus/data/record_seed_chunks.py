"""Record the chunk ids of the seed corpus and of two shapes made from it, so a rewrite of the
chunker can be checked to cut exactly where the recorded version did.

    .venv/bin/python -m tests.corpus.data.record_seed_chunks

writes seed_chunks.json next to this file. Run it only on a chunker whose boundaries are the
reference; test_seed_chunk_ids.py compares the current chunker against the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from corpus import DEFAULT_CORPUS_DIR, Article, Chunk, ChunkerSettings, chunk_article, load_corpus
from tests.corpus.conftest import e5_token_counter

FIXTURE = Path(__file__).with_name("seed_chunks.json")
# The default budget, the small one the tests use, no overlap, and a tiny budget that cuts
# most sentences at commas and words.
SETTINGS = [(200, 40), (64, 16), (64, 0), (8, 3)]


def settings_key(settings: ChunkerSettings) -> str:
    return f"{settings.max_tokens}/{settings.overlap_tokens}"


def chunk_spans(chunks: list[Chunk]) -> str:
    """Each chunk as start-end, space separated: the chunk ids without the article id."""
    return " ".join(f"{chunk.start}-{chunk.end}" for chunk in chunks)


def reference_articles() -> list[Article]:
    """The seed articles, and the whole seed text as one sentence with only commas, and with no
    punctuation at all: the shapes where long sentences are cut at clauses and at words."""
    seed = load_corpus(DEFAULT_CORPUS_DIR).articles
    joined = " ".join(article.text for article in seed)
    shapes = {
        "seed-commas-only": re.sub(r"[.!?؟؛…\n]+", "،", joined),
        "seed-unpunctuated": " ".join(re.sub(r"[^\w\s]", " ", joined).split()),
    }
    synthetic = [Article.create(id=i, title=None, text=t, source=i) for i, t in shapes.items()]
    return seed + synthetic


def main() -> None:
    count_tokens = e5_token_counter()
    articles = reference_articles()
    recorded = {}
    for max_tokens, overlap_tokens in SETTINGS:
        settings = ChunkerSettings(max_tokens, overlap_tokens)
        recorded[settings_key(settings)] = {
            article.id: chunk_spans(chunk_article(article, count_tokens, settings))
            for article in articles
        }
    FIXTURE.write_text(json.dumps(recorded, indent=1) + "\n")


if __name__ == "__main__":
    main()
