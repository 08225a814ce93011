"""The application: what the chat, the HTTP API, MCP and the CLI share, with no Gradio in it.

`live` (the served pipeline and its swap after a re-index), `indexing` (the one queue that checks
uploads and re-indexes), `uploads` (staging and saving uploaded files), `library` (what a reader is
told about an indexed article), `sources` (an answer's sources before any HTML), `feedback`
(readers' ratings), `notices` (what the app tells users about all of this, in both languages).
"""
