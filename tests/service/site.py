"""A news site on this machine for the fetching tests: real pages and feeds over real HTTP on a
loopback address, and the hostile ones (a redirect to 127.0.0.1, a page that never ends, a feed
that never ends, a server that trickles). Nothing leaves the machine."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "corpus" / "formats" / "pages"
# A loopback address of its own, so a test can allow it and still see 127.0.0.1 refused.
HOST = "127.0.0.2"
ENDLESS_SECONDS = 60  # a never-ending response stops by itself after this, whatever happens


def article_page(title: str, body: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n"))
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">{link}'
        f"<title>{title} - الموقع</title></head><body><nav><a href='/'>الرئيسية</a></nav>"
        f"<main><article><h1>{title}</h1>{paragraphs}</article></main>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    ).encode()


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        "<pubDate>Tue, 14 Oct 2025 10:00:00 GMT</pubDate></item>"
        for path, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>أخبار الموقع</title><link>{base}/</link>{entries}</channel></rss>"
    ).encode()


@dataclass
class Site:
    """Routes: path -> (content type, body). `hits` counts the requests per path."""

    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    base: str = ""

    def page(self, path: str, data: bytes) -> str:
        self.routes[path] = ("text/html; charset=utf-8", data)
        return self.base + path

    def feed(self, path: str, data: bytes) -> str:
        self.routes[path] = ("application/rss+xml", data)
        return self.base + path


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _endless(self, kind: str, chunk: bytes, pause: float = 0.0) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()
            stop = time.monotonic() + ENDLESS_SECONDS
            try:
                while time.monotonic() < stop:
                    self.wfile.write(chunk)
                    time.sleep(pause)
            except OSError:  # the client hung up: what the test wants
                pass

        def do_GET(self) -> None:
            path = self.path
            site.hits[path] = site.hits.get(path, 0) + 1
            if path.startswith("/to-loopback"):
                self.send_response(302)
                port = site.base.rsplit(":", 1)[1]
                self.send_header("Location", f"http://127.0.0.1:{port}/article")
                self.end_headers()
            elif path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.end_headers()
            elif path == "/endless-page":
                self._endless("text/html", b"<p>" + "كلمة ".encode() * 2000 + b"</p>")
            elif path == "/endless-feed":
                item = b"<item><title>x</title><link>http://127.0.0.2/x</link></item>" * 100
                self._endless("application/rss+xml", b"<rss><channel>" + item)
            elif path == "/trickle":
                self._endless("text/html", b"<p>x</p>", pause=0.5)
            elif path in site.routes:
                kind, data = site.routes[path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                self.send_error(404)

    return Handler


@contextmanager
def serve_site() -> Iterator[Site]:
    """The site, served on HOST until the block ends."""
    site = Site()
    server = http.server.ThreadingHTTPServer((HOST, 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
