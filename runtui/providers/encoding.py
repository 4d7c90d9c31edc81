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

import json
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


# Byte order marks, longest first (UTF-32 LE's starts with UTF-16 LE's).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_WIDE = ("utf-16", "utf-32", "ucs-2", "ucs-4")  # charset names said in Content-Type


def wide_charset(body: bytes, content_type: str) -> str | None:
    """The encoding a body is really in when it is not UTF-8 as bytes, yet a reader decodes
    it all the same: a byte order mark, the zero bytes `json.loads` takes for UTF-16 or
    UTF-32, or a UTF-16/32 charset in `content_type` (what `response.text` decodes by) for
    a body that is not UTF-8; None for the rest. A server that says UTF-16 and sends UTF-8
    is read as the JSON readers read it."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if len(body) >= 2 and 0 in body[:4]:
        detected = json.detect_encoding(body)
        if detected != "utf-8":
            return detected
    said = _charset(content_type)
    if said.startswith(_WIDE) and not _utf8_text(body):
        return said
    return None


def as_utf8(body: bytes, content_type: str) -> tuple[bytes, str] | None:
    """`body` and its Content-Type re-spelt in UTF-8 when it is in UTF-16/32 (or has a BOM),
    None when it needs nothing: the secrets are masked in UTF-8 bytes, and a JSON reader
    decodes UTF-16/32 by itself, after the mask, where the key's bytes were `k\\0e\\0y\\0`."""
    encoding = wide_charset(body, content_type)
    if encoding is None:
        return None
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:  # a charset Python does not know ("utf-16-weird"): as httpx reads it
        text = body.decode("utf-8", errors="replace")
    return text.encode("utf-8"), _with_utf8(content_type)


def _utf8_text(body: bytes) -> bool:
    """Valid UTF-8, and no NUL (valid, but no JSON or text holds one; UTF-16 of ASCII does)."""
    if b"\0" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


def _with_utf8(content_type: str) -> str:
    """`content_type` saying UTF-8 (an empty one stays empty)."""
    if not content_type.strip():
        return content_type
    parts = [part for part in content_type.split(";") if part.partition("=")[0].strip().lower() != "charset"]
    return ";".join([*parts, " charset=utf-8"])
