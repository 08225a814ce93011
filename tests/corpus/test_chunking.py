import re
import unicodedata
from itertools import pairwise

import pytest

from corpus import Article, Chunk, ChunkerSettings, chunk_article, split_sentences

SETTINGS = [ChunkerSettings(), ChunkerSettings(max_tokens=64, overlap_tokens=16)]


def article(text: str, article_id: str = "a") -> Article:
    return Article.create(id=article_id, title="Title", text=text, source="test")


def words(text: str) -> int:
    return len(text.split())


def assert_valid_chunks(item: Article, chunks: list[Chunk], count_tokens, settings) -> None:
    assert chunks
    for chunk in chunks:
        assert item.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
        assert chunk.id == f"{item.id}:{chunk.start}-{chunk.end}"
        assert (chunk.article_id, chunk.title) == (item.id, item.title)
        assert count_tokens(chunk.text) <= settings.max_tokens
    for previous, chunk in pairwise(chunks):
        assert previous.start < chunk.start and previous.end < chunk.end
        # No gap: the next chunk starts inside the previous one or right after it.
        assert not item.text[previous.end : chunk.start].strip()


def covered(chunks: list[Chunk], start: int, end: int) -> bool:
    return any(chunk.start <= start and end <= chunk.end for chunk in chunks)


@pytest.mark.parametrize("settings", SETTINGS, ids=["default", "small"])
def test_seed_chunks_are_exact_bounded_and_cover_every_sentence(
    seed_articles, count_tokens, settings
):
    for item in seed_articles:
        chunks = chunk_article(item, count_tokens, settings)
        assert_valid_chunks(item, chunks, count_tokens, settings)
        sentences = split_sentences(item.text)
        assert chunks[0].start == sentences[0].start
        assert chunks[-1].end == sentences[-1].end
        for sentence in sentences:
            if count_tokens(sentence.text) <= settings.max_tokens:
                assert covered(chunks, sentence.start, sentence.end), sentence.text


def test_seed_chunks_overlap_within_the_overlap_budget(seed_articles, count_tokens):
    settings = ChunkerSettings()
    for item in seed_articles:
        chunks = chunk_article(item, count_tokens, settings)
        assert len(chunks) > 1
        for previous, chunk in pairwise(chunks):
            assert chunk.start < previous.end, (item.id, chunk.id)
            assert count_tokens(item.text[chunk.start : previous.end]) <= settings.overlap_tokens


def test_overlap_gives_way_only_to_a_sentence_that_fills_the_budget(seed_articles, count_tokens):
    settings = ChunkerSettings(max_tokens=64, overlap_tokens=16)
    overlapping = 0
    for item in seed_articles:
        ends = sorted({sentence.end for sentence in split_sentences(item.text)})
        for previous, chunk in pairwise(chunk_article(item, count_tokens, settings)):
            if chunk.start < previous.end:
                overlapping += 1
                assert count_tokens(item.text[chunk.start : previous.end]) <= 16
                continue
            # No overlap: even one word of the previous chunk would not fit before the sentence.
            word_before = list(re.finditer(r"\S+", item.text[: chunk.start]))[-1].start()
            sentence_end = next(end for end in ends if end > chunk.start)
            assert count_tokens(item.text[word_before:sentence_end]) > settings.max_tokens
    assert overlapping > 20


def test_seed_chunks_end_at_sentence_ends(seed_articles, count_tokens):
    for item in seed_articles:
        ends = {sentence.end for sentence in split_sentences(item.text)}
        assert all(chunk.end in ends for chunk in chunk_article(item, count_tokens))


def test_without_overlap_chunks_are_disjoint(seed_articles, count_tokens):
    settings = ChunkerSettings(max_tokens=64, overlap_tokens=0)
    for item in seed_articles:
        chunks = chunk_article(item, count_tokens, settings)
        assert_valid_chunks(item, chunks, count_tokens, settings)
        assert all(previous.end < chunk.start for previous, chunk in pairwise(chunks))


def test_chunk_ids_are_stable_across_runs(seed_articles, count_tokens):
    for item in seed_articles:
        first = chunk_article(item, count_tokens)
        assert first == chunk_article(item, count_tokens)
        assert len({chunk.id for chunk in first}) == len(first)


def test_short_article_is_one_chunk(count_tokens):
    item = article("جملة أولى.\nجملة ثانية.")
    assert chunk_article(item, count_tokens) == [
        Chunk(id="a:0-22", article_id="a", title="Title", text=item.text, start=0, end=22)
    ]


def test_empty_article_has_no_chunks(count_tokens):
    assert chunk_article(article(""), count_tokens) == []


def test_tiny_budget_terminates(seed_articles, count_tokens):
    settings = ChunkerSettings(max_tokens=8, overlap_tokens=3)
    item = seed_articles[0]
    chunks = chunk_article(item, count_tokens, settings)
    assert_valid_chunks(item, chunks, count_tokens, settings)
    assert len(chunks) > 100


def test_giant_sentence_is_split_at_whitespace(count_tokens):
    settings = ChunkerSettings(max_tokens=50, overlap_tokens=10)
    item = article(" ".join(["كلمة"] * 3000))
    chunks = chunk_article(item, count_tokens, settings)
    assert_valid_chunks(item, chunks, count_tokens, settings)
    assert chunks[-1].end == len(item.text)


def test_giant_word_is_cut_into_chunks_within_the_budget(count_tokens):
    settings = ChunkerSettings(max_tokens=20, overlap_tokens=5)
    giant = "ب" * 500
    item = article(f"قبل الكلمة. {giant} بعد الكلمة.")
    chunks = chunk_article(item, count_tokens, settings)
    assert_valid_chunks(item, chunks, count_tokens, settings)
    start = item.text.index(giant)
    inside = [chunk for chunk in chunks if start <= chunk.start < start + len(giant)]
    assert len(inside) >= 500 // 20
    assert all(covered(chunks, i, i + 1) for i in range(start, start + len(giant)))


def test_a_cut_inside_a_word_keeps_letters_with_their_marks(count_tokens):
    settings = ChunkerSettings(max_tokens=20, overlap_tokens=5)
    item = article("كَتَبَ" * 200)
    chunks = chunk_article(item, count_tokens, settings)
    assert_valid_chunks(item, chunks, count_tokens, settings)
    assert len(chunks) > 1
    assert not any(unicodedata.category(chunk.text[0]).startswith("M") for chunk in chunks)


def test_works_with_any_token_counter():
    settings = ChunkerSettings(max_tokens=10, overlap_tokens=3)
    item = article(" ".join(f"Sentence number {i} is here." for i in range(30)))
    chunks = chunk_article(item, words, settings)
    assert_valid_chunks(item, chunks, words, settings)
    assert all(words(chunk.text) <= 10 for chunk in chunks)


def test_settings_validation_and_dict():
    assert ChunkerSettings().as_dict() == {"max_tokens": 200, "overlap_tokens": 40}
    for bad in [(0, 0), (10, 10), (10, -1)]:
        with pytest.raises(ValueError):
            ChunkerSettings(*bad)
