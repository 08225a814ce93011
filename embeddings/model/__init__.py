"""The embedding model: `embedder.Embedder` (e5 prompts, unit vectors), a bounded vector cache
(`cache`), a LangChain `Embeddings` face (`langchain`), and `backend/`, what runs the weights."""
