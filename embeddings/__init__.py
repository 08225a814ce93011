"""Unit vectors of chunks and answer sentences, and the index that holds them, in three roles:

- `model/`: the embedding model (`Embedder`), its query cache and LangChain face, and
  `model/backend/`, where the weights come from and what runs them (ONNX, sentence-transformers);
- `index/`: the `VectorIndex` protocol, the one place a backend is chosen (`backends.py`), the
  manifest every index records, BM25, and the two backends laid out alike (`faiss/`, `milvus/`);
- `ingest/`: articles -> chunks -> vectors -> an index, incrementally, in process or on Ray.

`files.py` (durable writes and checksums) serves model folders and index versions alike.
"""
