"""The Milvus side of the Milvus index backend (`embeddings/milvus_index.py`): the connection to
milvus-lite or a server, the collections' schemas, and the rows and manifest stored in them."""
