"""An answer's body is inflated a piece at a time, and only in the coding runtui asked for."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from runtui.errors import ProviderError
from runtui.providers.encoding import PIECE, as_utf8, decoded_pieces


class Chunks(httpx.AsyncByteStream):
    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def answer(coding: str, *chunks: bytes) -> httpx.Response:
    return httpx.Response(200, headers={"content-encoding": coding}, stream=Chunks(*chunks))


async def pieces(response: httpx.Response) -> list[bytes]:
    return [piece async for piece in decoded_pieces(response, "edges")]


async def test_a_gzip_chunk_is_inflated_no_more_than_a_piece_at_a_time() -> None:
    packed = gzip.compress(bytes(10 * PIECE + 5), 9)
    assert len(packed) < PIECE, "one chunk from the socket"
    found = await pieces(answer("gzip", packed[:10], packed[10:]))
    assert max(map(len, found)) == PIECE
    assert b"".join(found) == bytes(10 * PIECE + 5)


async def test_a_plain_body_comes_as_read() -> None:
    assert await pieces(answer("identity", b'{"a":', b"1}")) == [b'{"a":', b"1}"]


@pytest.mark.parametrize("coding", ["br", "deflate", "zstd", "gzip, gzip"])
async def test_a_coding_not_asked_for_is_refused(coding: str) -> None:
    with pytest.raises(ProviderError) as caught:
        await pieces(answer(coding, b"\x1f\x8b"))
    assert caught.value.kind == "parse"
    assert f"content coding runtui does not read ({coding}); it asks for gzip or none" in str(caught.value)


async def test_damaged_gzip_is_an_unreadable_answer() -> None:
    with pytest.raises(ProviderError, match="its gzip data is damaged"):
        await pieces(answer("gzip", b"\x1f\x8bnot gzip at all"))


WIDE_BODIES = {
    "utf-16 with its mark": ("utf-16", "application/json"),
    "utf-32 with its mark": ("utf-32", "application/json"),
    "utf-16-le, said only in the header": ("utf-16-le", "application/json; charset=UTF-16LE"),
    "utf-32-be, said nowhere": ("utf-32-be", "application/json"),
    "utf-8 with a mark": ("utf-8-sig", "application/json"),
}


def test_a_text_in_utf16_without_mark_or_ascii_start_is_respelt_by_its_header() -> None:
    """No mark, no zero byte in its first four (`response.text` decodes it by the header)."""
    text = "\u4f60\u597d the-key-0123"
    respelt = as_utf8(text.encode("utf-16-le"), "text/plain; charset=UTF-16LE")
    assert respelt == (text.encode("utf-8"), "text/plain; charset=utf-8")


@pytest.mark.parametrize(("encoding", "content_type"), WIDE_BODIES.values(), ids=WIDE_BODIES.keys())
def test_a_body_json_reads_in_another_charset_is_respelt_in_utf8(encoding: str, content_type: str) -> None:
    """The secrets are masked in UTF-8 bytes; `json.loads` reads these bodies by itself."""
    text = '{"name": "sync for the-key-0123 \u00e9\U0001f600"}'
    body = text.encode(encoding)
    assert json.loads(body)["name"].startswith("sync for the-key"), "what a JSON reader sees"
    respelt = as_utf8(body, content_type)
    assert respelt is not None
    assert respelt[0] == text.encode("utf-8")
    assert respelt[1].startswith("application/json;") and respelt[1].endswith("charset=utf-8")


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "text/plain; charset=iso-8859-1",
                                          "application/json; charset=utf-16", ""])
def test_a_utf8_or_single_byte_body_is_left_as_it_is(content_type: str) -> None:
    """Whatever the header says: JSON readers read these bytes as UTF-8, as they were masked."""
    assert as_utf8('{"name": "caf\u00e9"}'.encode(), content_type) is None
    assert as_utf8(b"", content_type) is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le"])
async def test_an_error_body_in_utf16_or_utf32_has_its_key_masked(encoding: str) -> None:
    from runtui.providers.http import HttpClient

    key = "the-key-0123456789"
    body = json.dumps({"message": f"invalid key {key}", "requestId": f"req-{key.upper()}"}).encode(encoding)
    transport = httpx.MockTransport(lambda request: httpx.Response(
        401, content=body, headers={"content-type": f"application/json; charset={encoding}"}))
    http = HttpClient(provider="test", base_url="http://127.0.0.1:9", auth_headers={"x-api-key": key},
                      error_reader=lambda found: found.get("message"), transport=transport)
    with pytest.raises(ProviderError) as raised:
        await http.get("/runs")
    await http.aclose()
    assert raised.value.request_id == "req-***"
    assert "invalid key ***" in str(raised.value) and key not in str(raised.value).lower()
