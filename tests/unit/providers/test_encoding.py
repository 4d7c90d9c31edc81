"""An answer's body is inflated a piece at a time, and only in the coding runtui asked for."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from runtui.errors import ProviderError
from runtui.providers.encoding import PIECE, decoded_pieces


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
