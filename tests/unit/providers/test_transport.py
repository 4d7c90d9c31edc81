"""The h11 transport against a real socket: a scripted HTTP/1.1 server on 127.0.0.1.

Each test scripts what the server does with each request it reads (answer and keep
the connection, answer and close, close without answering, stall), and checks
what the client saw and what reached the server.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from runtui.errors import ProviderError
from runtui.providers import http as http_mod
from runtui.providers.http import HttpClient, shared_ssl_context
from runtui.providers.transport import H11Transport, proxy_configured

Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]  # -> keep the connection open


@dataclass
class Server:
    url: str
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    script: list[Reply] = field(default_factory=list)


def answer(body: bytes = b'{"ok": true}', *, status: str = "200 OK", close: bool = False,
           headers: tuple[str, ...] = ()) -> Reply:
    async def reply(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        head = [f"HTTP/1.1 {status}", f"content-length: {len(body)}", "content-type: application/json",
                *headers, *(["connection: close"] if close else [])]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        return not close
    return reply


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (the empty one ends it)."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def hang_up() -> Reply:
    async def reply(_request: bytes, _writer: asyncio.StreamWriter) -> bool:
        return False
    return reply


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server(url="")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        try:
            while True:
                try:
                    request = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                    return  # the client went away, or the test is over
                length = next((int(line.split(b":")[1]) for line in request.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                request += await reader.readexactly(length)
                state.requests.append(request)
                reply = state.script.pop(0) if state.script else answer()
                if not await reply(request, writer):
                    return
        finally:
            writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
    async with srv:
        yield state


def client(server: Server) -> HttpClient:
    return HttpClient(provider="test", base_url=server.url, auth_headers={"x-api-key": "k" * 8},
                      error_reader=lambda body: None,
                      transport=H11Transport(ssl_context=shared_ssl_context))


async def test_requests_share_one_kept_alive_connection(server: Server) -> None:
    http = client(server)
    for n in range(5):
        response = await http.get("/v1/runs", params={"limit": 5, "offset": n})
        assert response.json() == {"ok": True}
    await http.aclose()
    assert server.connections == 1
    assert server.requests[3].startswith(b"GET /v1/runs?limit=5&offset=3 HTTP/1.1\r\n")
    assert b"x-api-key: kkkkkkkk" in server.requests[0].lower()


async def test_a_connection_the_server_closes_is_not_reused(server: Server) -> None:
    server.script = [answer(close=True), answer()]
    http = client(server)
    assert (await http.get("/a")).status_code == 200
    assert (await http.get("/b")).status_code == 200
    await http.aclose()
    assert server.connections == 2


async def test_a_read_on_a_connection_dropped_unanswered_is_sent_again_once(server: Server) -> None:
    server.script = [answer(), hang_up(), answer(b'{"again": 1}')]
    http = client(server)
    backoffs: list[float] = []
    http._sleep = lambda s: backoffs.append(s) or asyncio.sleep(0)
    await http.get("/first")
    assert (await http.get("/second")).json() == {"again": 1}
    await http.aclose()
    assert [r.split(b" ")[1] for r in server.requests] == [b"/first", b"/second", b"/second"]
    assert backoffs == []  # sent again at once on a new connection, not after the read retry's pause


async def test_a_read_dropped_again_on_the_new_connection_is_a_network_error(server: Server) -> None:
    server.script = [answer(), *[hang_up()] * 6]
    http = client(server)
    backoffs: list[float] = []
    http._sleep = lambda s: backoffs.append(s) or asyncio.sleep(0)
    await http.get("/first")
    with pytest.raises(ProviderError) as err:
        await http.get("/second")
    await http.aclose()
    assert err.value.kind == "network"
    assert len(backoffs) == 2  # the read retries' pauses: each try failed as a network error


async def test_an_action_dropped_unanswered_is_never_sent_again(server: Server) -> None:
    server.script = [answer(), hang_up()]
    http = client(server)
    await http.get("/first")
    with pytest.raises(ProviderError) as err:
        await http.post_action("/runs/r1/cancel", json={"why": "test"})
    await http.aclose()
    assert err.value.kind == "network"
    assert len(server.requests) == 2 and server.requests[1].startswith(b"POST /runs/r1/cancel ")
    assert server.requests[1].endswith(b'{"why":"test"}')


async def test_gzip_and_chunked_bodies_are_decoded(server: Server) -> None:
    body = gzip.compress(b'{"items": [1, 2, 3]}')

    async def chunked(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-encoding: gzip\r\n\r\n")
        writer.write(chunk(body[:7]) + chunk(body[7:]) + chunk(b""))
        await writer.drain()
        return True

    server.script = [chunked, answer()]
    http = client(server)
    assert (await http.get("/z")).json() == {"items": [1, 2, 3]}
    assert (await http.get("/after")).status_code == 200  # the connection survived the chunked body
    await http.aclose()
    assert server.connections == 1


async def test_a_stalled_answer_is_a_timeout(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    release = asyncio.Event()

    async def stall(_request: bytes, _writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        return False

    server.script = [stall, stall, stall]
    monkeypatch.setattr(http_mod, "READ_TIMEOUT", httpx.Timeout(0.2, connect=1.0))
    http = HttpClient(provider="test", base_url=server.url, auth_headers={}, error_reader=lambda b: None,
                      transport=H11Transport(ssl_context=shared_ssl_context),
                      sleep=lambda _s: asyncio.sleep(0))
    with pytest.raises(ProviderError) as err:
        await http.get("/slow")
    release.set()
    await http.aclose()
    assert err.value.kind == "timeout"
    assert len(server.requests) == 3  # a read is retried, up to MAX_READ_TRIES


async def test_a_server_error_body_reaches_the_message(server: Server) -> None:
    server.script = [answer(b'{"message": "project not found"}', status="404 Not Found")]
    http = HttpClient(provider="test", base_url=server.url, auth_headers={},
                      error_reader=lambda body: body.get("message"),
                      transport=H11Transport(ssl_context=shared_ssl_context))
    with pytest.raises(ProviderError) as err:
        await http.get("/nope")
    await http.aclose()
    assert (err.value.status, str(err.value.message)) == (404, "project not found")


async def test_a_streamed_answer_arrives_piece_by_piece(server: Server) -> None:
    second = asyncio.Event()

    async def sse(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                     b"transfer-encoding: chunked\r\n\r\n")
        writer.write(chunk(b"data: first\n\n"))
        await writer.drain()
        await second.wait()
        writer.write(chunk(b"data: second\n\n") + chunk(b""))
        await writer.drain()
        return True

    server.script = [sse]
    http = client(server)
    seen: list[str] = []
    async with http.stream("/v1/runs/r1/stream") as response:
        async for line in response.aiter_lines():
            if line:
                seen.append(line)
                second.set()  # the first event came before the server sent the second
    await http.aclose()
    assert seen == ["data: first", "data: second"]


def test_a_proxy_variable_hands_the_connection_layer_back_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert not proxy_configured() and isinstance(http_mod.default_transport(), H11Transport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert proxy_configured() and http_mod.default_transport() is None


async def test_a_plain_http_profile_never_builds_a_tls_context(
        server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the CA bundle costs ~20 ms before the first rows: only https pays it."""
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    built: list[ssl.SSLContext] = []

    def create_ssl_context() -> ssl.SSLContext:
        built.append(ssl.create_default_context())
        return built[-1]

    monkeypatch.setattr(http_mod, "_SSL_CONTEXT", None)
    monkeypatch.setattr(http_mod.httpx, "create_ssl_context", create_ssl_context)
    http = HttpClient(provider="test", base_url=server.url, auth_headers={}, error_reader=lambda body: None)
    response = await http.get("/v1/runs")
    await http.aclose()
    assert response.json() == {"ok": True} and isinstance(http._direct, H11Transport)
    assert built == []
    http_mod.shared_ssl_context()  # what an https connection asks for: built then, once
    assert len(built) == 1


@pytest.mark.parametrize("params", [
    {"limit": 100, "skip": 300, "projectID": "p"},
    [("status", "RUNNING"), ("status", "QUEUED"), ("limit", 100), ("offset", 0), ("sort", "-created_at")],
    {"q": "a b&c=d/é", "empty": ""},
    {"flag": True, "n": 1.5},
])
def test_a_url_with_params_is_what_merging_them_gave(params: Any) -> None:
    http = HttpClient(provider="test", base_url="https://api.example.com/v1", auth_headers={},
                      error_reader=lambda b: None,
                      transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    base = "https://api.example.com/v1/runs"
    assert http.url("/runs", params) == httpx.URL(base).copy_merge_params(params)
    # A path that carries its own query keeps it, the params merged in.
    assert http.url("/runs?x=1", params) == httpx.URL(base + "?x=1").copy_merge_params(params)
