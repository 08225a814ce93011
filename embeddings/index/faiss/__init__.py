"""The FAISS index backend: the index (`index`), its writer (`writer`), versions and checksums on
disk (`store`) and the choice of FAISS index type by corpus size (`ann`)."""
