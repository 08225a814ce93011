"""The chunker cuts the seed corpus exactly where the recorded reference chunker did.

seed_chunks.json was written by tests/corpus/data/record_seed_chunks.py running the chunker of
commit 29e6da0, before chunking was made linear; regenerate it only on purpose.
"""

import json

import pytest

from corpus import ChunkerSettings, chunk_article
from tests.corpus.data.record_seed_chunks import (
    FIXTURE,
    SETTINGS,
    chunk_spans,
    reference_articles,
    settings_key,
)

RECORDED = json.loads(FIXTURE.read_text())


@pytest.mark.parametrize(("max_tokens", "overlap_tokens"), SETTINGS)
def test_chunks_match_the_recorded_reference(count_tokens, max_tokens, overlap_tokens):
    settings = ChunkerSettings(max_tokens, overlap_tokens)
    recorded = RECORDED[settings_key(settings)]
    articles = reference_articles()
    assert sorted(recorded) == sorted(article.id for article in articles)
    for article in articles:
        chunks = chunk_article(article, count_tokens, settings)
        assert chunk_spans(chunks) == recorded[article.id], article.id
