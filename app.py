"""The chat UI: ask the Arabic news corpus in Arabic or English, read cited, verified answers.

`python app.py` (or `make run`) serves it on http://$HOST:$PORT (default 127.0.0.1:7860), with
the OpenAI-compatible API and the MCP tools on the same port. Set `APP_USERNAME` and
`APP_PASSWORD` to require a login. The page lives in `ui/`; this file is its entry point.
"""

from ui.server import main

if __name__ == "__main__":
    main()
