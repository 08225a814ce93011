"""Ingest: articles -> chunks -> vectors -> the index, incrementally (`incremental`), embedding in
this process or on Ray Data (`ray_embed`)."""
