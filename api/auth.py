"""The API key on the app's API (`/v1`), on Gradio's MCP server (`/gradio_api/mcp`) and on the
API's description (`/openapi.json`)."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import openai_error
from rag.config import Settings

GUARDED_PATHS = ("/v1", "/gradio_api/mcp", "/openapi.json")


class ApiGuard:
    """Asks for `Authorization: Bearer <api_key>` on the API and MCP paths whenever a key is set
    or the chat needs a login; with a login and no key they stay closed."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.key = settings.server.api_key
        self.needed = bool(settings.server.api_key) or settings.server.auth is not None

    def _allowed(self, scope: Scope) -> bool:
        if not self.needed:
            return True
        if not self.key:
            return False
        headers = dict(scope.get("headers") or [])
        # Compared as bytes: a header may hold any byte, and a key any character.
        scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(
            token.strip(), self.key.encode("utf-8")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(GUARDED_PATHS) and not self._allowed(scope):
            message = (
                "Send the app's API key as `Authorization: Bearer <key>`."
                if self.key
                else "This app needs a login; set RAG_API_KEY to use its API and MCP server."
            )
            await openai_error(401, message, "invalid_api_key", "authentication_error")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)
