"""The vector index: the protocol `rag/` searches through (`protocol`), the one place a backend
is chosen (`backends`), the manifest both backends record (`manifest`), BM25 (`lexical`), and the
backends themselves, laid out alike: `faiss/` (files in this process) and `milvus/` (an engine)."""
