"""The retrieval stage: dense, sentence and BM25 rankings of the index, fused."""

from rag.retrieval.fusion import reciprocal_rank_fusion
from rag.retrieval.hybrid import HybridSearch
from rag.retrieval.lexical import idf_overlap
from rag.retrieval.retriever import PassageRetriever, passage_to_document

__all__ = [
    "HybridSearch",
    "PassageRetriever",
    "idf_overlap",
    "passage_to_document",
    "reciprocal_rank_fusion",
]
