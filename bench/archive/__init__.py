"""The archive benchmark (bench/README.md, section 9): real news from SaudiNewsNet, ingested as
files and served, against a plain LangChain pipeline in the same run."""
