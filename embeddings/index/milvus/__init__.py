"""The Milvus index backend: the index (`index`), its writer (`writer`), the rows and manifest
stored in the engine (`store`), the collections' schemas (`collections`) and the connection to
milvus-lite or a server (`connection`)."""
