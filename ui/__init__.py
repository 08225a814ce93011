"""The chat UI: ask the Arabic news corpus in Arabic or English, read cited, verified answers.

`render` (HTML, no Gradio), `uploads` (checks and copies uploaded articles), `service` (the live
pipeline), `chat` (event handlers), `layout` (the page), `server` (launch and `main`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ui.layout import build_app
    from ui.server import main, serve

__all__ = ["build_app", "main", "serve"]
_HOMES = {"build_app": "ui.layout", "main": "ui.server", "serve": "ui.server"}


def __getattr__(name: str) -> Any:
    # Gradio is imported only when the app is built or served, so `ui.render` and `ui.uploads`
    # (and their tests) load without it.
    if name not in _HOMES:
        raise AttributeError(f"module 'ui' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
