"""An HTTP/1.1 transport for httpx on asyncio streams and h11, for the polling hot path.

Watching costs a few list requests every refresh tick for as long as the app is
open. Through httpx's default transport (httpcore over anyio) a small GET costs
~0.9 ms of CPU on the benchmark machine; the same request framed by h11 on an
asyncio stream costs ~0.25 ms. This transport keeps httpx everywhere above it
(the client, its Request and Response, decoding, timeouts as httpx exceptions) and
replaces only the connection layer: keep-alive connections per origin, reused
while the server keeps them open and for at most `keepalive_expiry` seconds.

Not used behind a proxy (httpx's own transport honours the proxy variables), nor
by tests that pass their own transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import h11
import httpx

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
READ_CHUNK = 65536
# The reader's buffer limit: it stops reading the socket past twice this. At 64 KB a
# 250 KB list page came in over more turns of the loop, ~0.08 ms (10%) more CPU a page;
# at 1 MB a connection buffers 2 MB at most.
READ_BUFFER = 1 << 20


def proxy_configured(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """A proxy variable is set (any case): leave the connection layer to httpx."""
    return any(environ.get(name) or environ.get(name.upper()) for name in PROXY_VARIABLES)


class _Connection:
    __slots__ = ("h11", "idle_since", "reader", "received", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0
        self.received = 0  # bytes of the current answer so far

    def reusable(self, now: float, expiry: float) -> bool:
        """Still open at our end and theirs (a closed peer shows as EOF), and not too old."""
        return (now - self.idle_since < expiry and not self.reader.at_eof()
                and not self.writer.is_closing())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


Origin = tuple[str, str, int]


class H11Transport(httpx.AsyncBaseTransport):
    def __init__(self, *, ssl_context: Callable[[], ssl.SSLContext], keepalive_expiry: float = 30.0,
                 max_idle_per_origin: int = 8) -> None:
        # Asked for at the first https connection: building one loads the CA bundle
        # (~20 ms), which a profile on plain http (a local server, the demo) never needs.
        self._ssl = ssl_context
        self._expiry = keepalive_expiry
        self._max_idle = max_idle_per_origin
        self._idle: dict[Origin, list[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("transport closed", request=request)
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        conn = self._take_idle(origin)
        # A kept-alive connection the server had just closed: a read is sent once more
        # on a new connection; an action, or a new connection that fails alike, is not.
        retry = conn is not None and request.method in ("GET", "HEAD")
        while True:
            conn = conn or await self._connect(origin, timeouts.get("connect"), request)
            try:
                head = await self._exchange(conn, request, timeouts)
                break
            except _StaleConnection:
                conn.close()
                conn = None
                if not retry:
                    raise httpx.RemoteProtocolError("server closed the connection without answering",
                                                    request=request) from None
                retry = False
        return httpx.Response(
            head.status_code,
            headers=[(bytes(k), bytes(v)) for k, v in head.headers],
            stream=_Body(self, origin, conn, request, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)},
        )

    async def aclose(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    # ---- connections ----------------------------------------------------------------

    def _take_idle(self, origin: Origin) -> _Connection | None:
        conns = self._idle.get(origin)
        now = time.monotonic()
        while conns:
            conn = conns.pop()
            if conn.reusable(now, self._expiry):
                return conn
            conn.close()
        return None

    def _release(self, origin: Origin, conn: _Connection) -> None:
        """Back to the pool if the exchange ended cleanly and both sides keep the connection."""
        state = conn.h11
        if (self._closed or state.our_state is not h11.DONE or state.their_state is not h11.DONE):
            conn.close()
            return
        try:
            state.start_next_cycle()
        except h11.LocalProtocolError:
            conn.close()
            return
        conns = self._idle.setdefault(origin, [])
        if len(conns) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        conns.append(conn)

    async def _connect(self, origin: Origin, timeout: float | None,
                       request: httpx.Request) -> _Connection:
        scheme, host, port = origin
        tls = self._ssl() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None, limit=READ_BUFFER)
        except TimeoutError:
            raise httpx.ConnectTimeout("connect timed out", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from None
        return _Connection(reader, writer)

    # ---- one exchange ---------------------------------------------------------------

    async def _exchange(self, conn: _Connection, request: httpx.Request,
                        timeouts: dict[str, Any]) -> h11.Response:
        body = await request.aread()
        headers = [(k, v) for k, v in request.headers.raw]
        if body and not any(k.lower() in (b"content-length", b"transfer-encoding") for k, _ in headers):
            headers.append((b"content-length", str(len(body)).encode()))
        target = url_target(request.url)
        conn.received = 0
        try:
            data = conn.h11.send(h11.Request(method=request.method, target=target, headers=headers))
            if body:
                data += conn.h11.send(h11.Data(data=body))
            data += conn.h11.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            conn.close()
            raise httpx.LocalProtocolError(str(exc), request=request) from None
        try:
            async with asyncio.timeout(timeouts.get("write")):
                conn.writer.write(data or b"")
                await conn.writer.drain()
        except TimeoutError:
            conn.close()
            raise httpx.WriteTimeout("write timed out", request=request) from None
        except OSError:
            raise _StaleConnection from None
        while True:
            event = await _next_event(conn, timeouts.get("read"), request, first=True)
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                return event
            conn.close()
            raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}", request=request)


class _StaleConnection(Exception):
    """The connection failed before a byte of the answer: the request may not have been seen."""


async def _next_event(conn: _Connection, timeout: float | None, request: httpx.Request,
                      *, first: bool = False) -> Any:
    while True:
        try:
            event = conn.h11.next_event()
        except h11.RemoteProtocolError as exc:
            conn.close()
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
        if event is not h11.NEED_DATA:
            return event
        try:
            async with asyncio.timeout(timeout):
                data = await conn.reader.read(READ_CHUNK)
        except TimeoutError:
            conn.close()
            raise httpx.ReadTimeout("read timed out", request=request) from None
        except OSError as exc:
            conn.close()
            if first and conn.received == 0:
                raise _StaleConnection from None
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from None
        if not data and first and conn.received == 0:
            raise _StaleConnection  # closed before a byte of the answer
        conn.received += len(data)
        conn.h11.receive_data(data)


class _Body(httpx.AsyncByteStream):
    """The answer's body as it arrives; the connection goes back to the pool at its end."""

    def __init__(self, transport: H11Transport, origin: Origin, conn: _Connection,
                 request: httpx.Request, timeout: float | None) -> None:
        self._transport = transport
        self._origin = origin
        self._conn: _Connection | None = conn
        self._request = request
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        while True:
            event = await _next_event(conn, self._timeout, self._request)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._conn = None
                self._transport._release(self._origin, conn)
                return
            elif isinstance(event, h11.ConnectionClosed):
                self._conn = None
                conn.close()
                return
            else:
                self._conn = None
                conn.close()
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}", request=self._request)

    async def aclose(self) -> None:
        if self._conn is not None:  # not read to the end: the connection can't be reused
            self._conn.close()
            self._conn = None


def url_target(url: httpx.URL) -> bytes:
    """The request target: path and query, as httpx encoded them."""
    target = url.raw_path
    return target or b"/"


# What a failed connect says, in the words of the socket, TLS or resolver (any case), and
# how runtui says it: the first that matches.
_CONNECT_REASONS = (
    ("refused", "connection refused"),
    ("certificate", "TLS certificate not accepted"),
    ("ssl", "TLS handshake failed"),
    ("name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("name resolution", "host name not found"),
    ("getaddrinfo", "host name not found"),
    ("no route", "no route to host"),
    ("network is unreachable", "network unreachable"),
    ("transport closed", "the client was closed"),
)


def never_connected(exc: httpx.TransportError) -> str | None:
    """Why no connection was made, in a few words, when `exc` says none was, so not a byte
    of the request left: httpx's ConnectError (this transport's and httpcore's connect and
    TLS handshake), ConnectTimeout, and PoolTimeout (no connection free to send on). None
    for anything after a connection was made (a read or write error, a read or write
    timeout, a protocol error): the request may have reached the server."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "no connection within the connect timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection in time"
    if not isinstance(exc, httpx.ConnectError):
        return None
    text = str(exc).lower()
    return next((said for words, said in _CONNECT_REASONS if words in text), "could not connect")
