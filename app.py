"""The chat UI: ask the Arabic news corpus in Arabic or English, read cited, verified answers.

`python app.py` (or `make run`) serves it on http://$HOST:$PORT (default 127.0.0.1:7860). Set
`APP_USERNAME` and `APP_PASSWORD` to require a login. Answers stream in; each answer keeps its
own sources, shown in the panel on the right (pick another answer with the dropdown or by
clicking its message). New articles can be uploaded and are indexed incrementally.

The UI itself lives in the `ui/` package; this file is its entry point.
"""

from ui import build_app, main, serve

__all__ = ["build_app", "main", "serve"]

if __name__ == "__main__":
    main()
