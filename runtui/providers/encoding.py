"""An answer's body decoded a piece at a time: never more than `PIECE` bytes inflated at once.

httpx inflates each chunk read from the socket whole before anyone can count it: 64 KB
of gzip from a hostile server became ~66 MB in memory before the answer-size check
(`max_answer_mb`) saw a byte. runtui asks for gzip alone (`ACCEPT_ENCODING`: every
server that compresses speaks it; `deflate` is spelt two ways, zlib or raw, and br or
zstd would need decoders of their own with their own limits) and inflates it here with
zlib's `max_length`, so a caller counting the pieces holds at most its limit plus one
piece. An answer in any other content coding is refused.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

import httpx

from runtui.errors import ProviderError
from runtui.safe_text import clipped

ACCEPT_ENCODING = "gzip"
PIECE = 64 * 1024  # bytes inflated at most per step
_GZIP = ("gzip", "x-gzip")  # x-gzip: the old name, to be read as gzip (RFC 9110 8.4.1.3)
_NONE = ("", "identity")


async def decoded_pieces(response: httpx.Response, provider: str) -> AsyncIterator[bytes]:
    """`response`'s body as its Content-Encoding decodes it, in pieces of at most `PIECE`
    bytes (a plain body: as the transport read it). Raises ProviderError (kind "parse")
    for a coding runtui does not read or gzip data that is damaged."""
    if response.is_stream_consumed:  # built whole in memory by its transport: nothing to bound
        yield response.content
        return
    coding = response.headers.get("content-encoding", "").strip().lower()
    if coding in _NONE:
        async for chunk in response.aiter_raw():
            yield chunk
        return
    if coding not in _GZIP:
        raise ProviderError(f"answer in a content coding runtui does not read ({clipped(coding, 40)}); "
                            f"it asks for {ACCEPT_ENCODING} or none", provider=provider, kind="parse")
    gzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        async for chunk in response.aiter_raw():
            if gzip.eof:  # bytes after the gzip data: read to the end (the connection is
                continue  # kept), but not kept in zlib's `unused_data`
            for piece in inflated(gzip, chunk):
                yield piece
    except zlib.error:
        raise ProviderError("unreadable answer: its gzip data is damaged", provider=provider,
                            kind="parse") from None


def inflated(inflater: zlib._Decompress, data: bytes) -> Iterator[bytes]:
    """What `data` inflates to, `PIECE` bytes at a time: zlib keeps the input it has not
    used yet (`unconsumed_tail`), and a full piece may leave more output to come."""
    while True:
        piece = inflater.decompress(data, PIECE)
        if piece:
            yield piece
        data = inflater.unconsumed_tail
        if not data and len(piece) < PIECE:
            return
