"""The page: the Gradio chat (`layout`, `chat`, `wiring`, `articles`, `reading`, `sessions`), what a
session keeps of its conversation (`conversation`, `export`), its words (`texts`), its HTML
(`render/`, no Gradio) and serving it with the API and MCP beside it (`server`)."""
