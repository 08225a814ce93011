"""Article loading, cleaning, normalization and chunking for the Arabic news corpus.

Loading here runs in the calling process; corpus.isolated loads in a worker process with a
time limit per file (it is not imported here, because the worker runs as `-m corpus.isolated`).
"""

from pathlib import Path

from corpus.article import Article
from corpus.chunking import Chunk, ChunkerSettings, chunk_article
from corpus.cleaning import CleanedText, clean_text, is_heading
from corpus.loader import LoadError, LoadResult, load_corpus, load_file
from corpus.normalize import normalize_text, search_tokens
from corpus.sentences import Span, answer_spans, split_sentences

DEFAULT_CORPUS_DIR = Path(__file__).parent / "articles"

__all__ = [
    "DEFAULT_CORPUS_DIR",
    "Article",
    "Chunk",
    "ChunkerSettings",
    "CleanedText",
    "LoadError",
    "LoadResult",
    "Span",
    "answer_spans",
    "chunk_article",
    "clean_text",
    "is_heading",
    "load_corpus",
    "load_file",
    "normalize_text",
    "search_tokens",
    "split_sentences",
]
