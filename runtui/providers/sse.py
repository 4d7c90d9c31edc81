"""Server-sent events read with a bound: no event (and no line of one) larger than `max_bytes`.

A stream is a server's answer that never ends: a `data:` line that never ends would
otherwise be gathered in memory for ever (the generic SSE readers keep a line until
its newline comes). Here the bytes held at any time (the line being read and the
event being built) are counted, and the stream is refused past the bound.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import msgspec

from runtui.errors import ProviderError

_LINE_END = re.compile(rb"\r\n|\r|\n")


class ServerEvent(msgspec.Struct, frozen=True):
    event: str
    data: str


class _Builder:
    """The fields of the event being read (the SSE rules: `data` lines joined by newlines,
    comments and unknown fields ignored, a blank line dispatches)."""

    def __init__(self) -> None:
        self.event = ""
        self.data: list[str] = []
        self.size = 0

    def feed(self, line: bytes) -> ServerEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(b":"):
            return None
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        text = value.decode("utf-8", errors="replace")
        if name == b"data":
            self.data.append(text)
            self.size += len(value) + 1
        elif name == b"event":
            self.event = text
        return None

    def _dispatch(self) -> ServerEvent | None:
        found = ServerEvent(self.event or "message", "\n".join(self.data)) if self.data else None
        self.event, self.data, self.size = "", [], 0
        return found


async def bounded_events(chunks: AsyncIterator[bytes], *, max_bytes: int,
                         provider: str) -> AsyncIterator[ServerEvent]:
    """The events of a byte stream; a ProviderError (kind "too-large") once the line being
    read and the event being built together hold more than `max_bytes`."""
    pending = bytearray()
    event = _Builder()
    async for chunk in chunks:
        # Only the new bytes are searched (and the CR before them, whose LF they may hold):
        # a line that never ends is not scanned again at every chunk.
        search_from = max(0, len(pending) - 1)
        pending += chunk
        start = 0
        for end in _LINE_END.finditer(pending, search_from):
            if end.group() == b"\r" and end.end() == len(pending):
                break  # a CR at the end: its LF may be in the next chunk
            found = event.feed(bytes(pending[start:end.start()]))
            start = end.end()
            if found is not None:
                yield found
        del pending[:start]
        if len(pending) + event.size > max_bytes:
            raise ProviderError(f"a stream event larger than {max_bytes / 1_048_576:g} MB "
                                "([defaults] max_answer_mb)", provider=provider, kind="too-large")
