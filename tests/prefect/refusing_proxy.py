"""A loopback forwarder in front of the real Prefect server that answers the first few
requests of one kind as Prefect does when its SQLite database is locked: 503
`{"exception_message": "Service Unavailable"}`, nothing committed.

The server gives that answer only under load, by chance; a test that must go through it
every time (the TUI's answer sent again from its form) puts this between runtui and the
server. Everything else is passed on as it came, so runtui still talks to Prefect.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

LOCKED_BODY = b'{"exception_message":"Service Unavailable"}'
"""Prefect's answer to a request that met "database is locked" (its retryable errors)."""

_HOP_BY_HOP = {"host", "connection", "content-length", "accept-encoding", "transfer-encoding"}


class RefusingProxy:
    """Forwards to `upstream` (scheme://host:port); the first `refusals` POSTs whose path
    ends with `suffix` get Prefect's 503 instead. `refused` and `passed` list their paths."""

    def __init__(self, upstream: str, suffix: str, refusals: int) -> None:
        self.upstream = upstream
        self.suffix = suffix
        self.left = refusals
        self.refused: list[str] = []
        self.passed: list[str] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port: int = self._server.server_address[1]

    def _refuse(self, method: str, path: str) -> bool:
        """Whether this request gets the 503 (and it is counted as one)."""
        if method != "POST" or not path.endswith(self.suffix):
            return False
        with self._lock:
            if self.left <= 0:
                self.passed.append(path)
                return False
            self.left -= 1
            self.refused.append(path)
            return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy._refuse(self.command, self.path):
                    self._answer(503, LOCKED_BODY, "application/json")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = proxy._client.request(self.command, proxy.upstream + self.path,
                                                 content=body, headers=headers)
                self._answer(upstream.status_code, upstream.content,
                             upstream.headers.get("content-type"))

            def _answer(self, status: int, body: bytes, content_type: str | None) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: pytest shows what the test says, not every request."""

        return Handler

    @contextmanager
    def running(self) -> Iterator[RefusingProxy]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._client.close()
            thread.join(timeout=10)
