"""runtui's bounded SSE reader reads what the SSE rules say, whatever the chunking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from runtui.errors import ProviderError
from runtui.providers.sse import ServerEvent, bounded_events

STREAM = (b": hello\r\n\r\nevent: run\r\ndata: {\"a\":\r\ndata:  1}\r\n\r\n"
          b"data: two\rid: 7\rretry: 10\r\rdata: \xff\n\nevent: end\ndata: {}\n\ndata: unfinished")
EVENTS = [ServerEvent("run", '{"a":\n 1}'), ServerEvent("message", "two"),
          ServerEvent("message", "\ufffd"), ServerEvent("end", "{}")]


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def read(chunks: AsyncIterator[bytes], max_bytes: int = 1_000) -> list[ServerEvent]:
    return [event async for event in bounded_events(chunks, max_bytes=max_bytes, provider="b3os")]


@pytest.mark.parametrize("size", [1, 2, 3, 7, len(STREAM)])
async def test_events_are_the_same_however_the_bytes_are_cut(size: int) -> None:
    """A CR LF cut between two chunks is one line end, not a blank line."""
    assert await read(chunked(STREAM, size)) == EVENTS


async def test_a_line_past_the_bound_fails_the_stream_before_it_ends() -> None:
    async def endless() -> AsyncIterator[bytes]:
        yield b"data: "
        while True:
            yield b"A" * 100

    with pytest.raises(ProviderError, match="larger than") as caught:
        await read(endless(), max_bytes=1_000)
    assert caught.value.kind == "too-large"


async def test_an_event_of_many_short_lines_past_the_bound_fails_the_stream() -> None:
    lines: Iterable[bytes] = (b"data: " + b"x" * 50 + b"\n" for _ in range(100))
    with pytest.raises(ProviderError, match="larger than"):
        await read(chunked(b"".join(lines), 64), max_bytes=1_000)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
async def test_a_stream_in_utf16_or_utf32_gives_no_event_its_data_unmasked(encoding: str) -> None:
    """An event's data is masked as decoded text; a stream is UTF-8 (the SSE standard), and
    one in UTF-16/32 has no field runtui reads: its data, an echoed key in it, never comes."""
    stream = 'event: run\ndata: {"name": "sync for the-key-0123"}\n\n'.encode(encoding)
    assert await read(chunked(stream, 7)) == []
