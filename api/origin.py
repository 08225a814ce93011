"""Which browser pages may call the app: its own origin, and the origins in RAG_ALLOWED_ORIGINS.

Gradio's CORS middleware allows any localhost origin with credentials, and its login cookie is
`SameSite=None`. Cookies do not tell ports apart, so without this a page on another localhost
port could read `/config` and drive a logged-in session. `OriginPolicy` runs inside Gradio's
middleware and answers 403, before any route, to a request a browser marks as another origin's:

- an `Origin` header whose host and port are not the app's own (its `Host`) nor allowed;
- `Sec-Fetch-Site: cross-site` or `same-site` (another port is same-site) on anything but a
  top-level navigation, which covers the no-cors loads that send no Origin.

Clients that are not browsers send neither header and are unaffected. The login cookie's
`SameSite=None` becomes `Lax`, so other sites' requests carry no session. When the server listens
on loopback, the `Host` must name loopback (or an allowed origin): a DNS-rebound name is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from api.limits import ASGIApp, Message, Receive, Scope, Send, respond

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
NAVIGATIONS = {"navigate", "nested-navigate"}
FORBIDDEN = "Requests from other sites are not allowed · الطلبات من مواقع أخرى غير مسموحة"


def _netloc(url: str) -> str:
    """`host:port` of an origin URL, with the scheme's default port left out."""
    parts = urlsplit(url.strip().lower())
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return host if port in (None, default) else f"{host}:{port}"


def _host_name(netloc: str) -> str:
    return netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc


def parse_origins(text: str) -> set[str]:
    return {_netloc(item) for item in text.split(",") if item.strip()}


class OriginPolicy:
    def __init__(self, app: ASGIApp, *, allowed: set[str], loopback_only: bool) -> None:
        self.app = app
        self.allowed = allowed
        self.loopback_only = loopback_only

    def _refused(self, scope: Scope) -> bool:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = _netloc(f"http://{headers.get('host', '')}")
        rebound = _host_name(host) not in LOOPBACK and host not in self.allowed
        if self.loopback_only and headers.get("host") and rebound:
            return True
        origin = headers.get("origin")
        if origin is not None and _netloc(origin) not in {host, *self.allowed}:
            return True
        site = headers.get("sec-fetch-site", "same-origin")
        mode = headers.get("sec-fetch-mode", "")
        return site in {"cross-site", "same-site"} and mode not in NAVIGATIONS and origin is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        if self._refused(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await respond(send, 403, FORBIDDEN, {})
            return
        await self.app(scope, receive, self._lax_cookies(send))

    @staticmethod
    def _lax_cookies(send: Send) -> Send:
        async def relayed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (key, _lax(value) if key.lower() == b"set-cookie" else value)
                    for key, value in message.get("headers", [])
                ]
            await send(message)

        return relayed


def _lax(cookie: bytes) -> bytes:
    parts = [part.strip() for part in cookie.split(b";")]
    return b"; ".join(
        b"SameSite=lax" if part.lower() == b"samesite=none" else part for part in parts
    )
