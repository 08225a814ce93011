"""The chat UI: ask the Arabic news corpus in Arabic or English, read cited, verified answers.

`render` (HTML, no Gradio) and `uploads` (checks and copies uploaded articles).
"""
