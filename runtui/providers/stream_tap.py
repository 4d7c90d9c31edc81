"""A live stream read in the background, of which only the newest item matters.

The log follower asks a provider for a run's events once a tick. A platform that
pushes a run's changes (B3OS's SSE) should not be asked again and again: a tap
keeps the stream open between reads, remembers the newest state it pushed, and
lets the next read take it without a request. It ends with the stream (the run
ended), on a failure (the reader polls again, and says so), or when nobody has
asked for `idle` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

from runtui.errors import ProviderError

T = TypeVar("T")
IDLE = 30.0  # seconds without a read after which the stream is let go


class StreamTap(Generic[T]):
    """The newest item of `source`, read by a background task."""

    def __init__(self, source: AsyncIterator[T], *, idle: float = IDLE) -> None:
        self._loop = asyncio.get_running_loop()
        self.latest: T | None = None
        self._new = False  # an item came since the last take_new
        self.failed: ProviderError | None = None
        self.ended = False
        self.idle = idle
        self._asked = self._loop.time()
        self._task = self._loop.create_task(self._run(source), name="stream tap")

    async def _run(self, source: AsyncIterator[T]) -> None:
        try:
            async for item in source:
                self.latest = item
                self._new = True
                if self._loop.time() - self._asked > self.idle:
                    break  # nobody reads this run any more
        except ProviderError as exc:
            self.failed = exc
        finally:
            self.ended = True
            with contextlib.suppress(Exception):
                await source.aclose()  # type: ignore[attr-defined]

    def take(self) -> T | None:
        """The newest item (the read is remembered: the tap is not idle)."""
        self._asked = self._loop.time()
        return self.latest

    def take_new(self) -> T | None:
        """The newest item if it came since the last call, else None (the stream said
        nothing new: the reader decides how long it believes that)."""
        self._asked = self._loop.time()
        item, self._new = (self.latest if self._new else None), False
        return item

    @property
    def usable(self) -> bool:
        return self.failed is None and not self._task.done()

    async def aclose(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
