"""Keep one open run's detail fresh: the provider's stream when it offers one, else polling.

Only the open detail is read in full, so watching many runs stays cheap; a
finished run is read once more and then left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from runtui.errors import ProviderError, same_run
from runtui.model import Run, RunDetail
from runtui.providers.base import Provider
from runtui.providers.capabilities import StreamsRuns

MAX_BACKOFF = 30.0


class DetailFollower:
    """`paused`: asked before each timed read; while it says so only `refresh_now` reads
    (the operator paused auto-refresh, and the detail kept polling behind that word).
    `shown`: each read run as the list shows it (`RunStore.shown`: a run its platform
    lists as asking a person reads as waiting, not as its server's `paused`).

    A provider's stream only speeds things up: it is read alongside the polls, and a
    timed poll is skipped only while the stream pushed something within `interval`.
    A stream that goes quiet (or pushes what runtui cannot read) therefore costs one
    interval at most, and `refresh_now` always reads the run."""

    def __init__(self, provider: Provider, run: Run, *, interval: float,
                 on_update: Callable[[RunDetail], None],
                 on_error: Callable[[ProviderError], None],
                 paused: Callable[[], bool] = lambda: False,
                 shown: Callable[[Run], Run] = lambda run: run) -> None:
        self.provider = provider
        self.run_ref = run
        self.interval = interval
        self._on_update = on_update
        self.on_error = on_error
        self.paused = paused
        self.shown = shown
        self._wake = asyncio.Event()
        self._stream_task: asyncio.Task[None] | None = None
        self._pushed_at: float | None = None  # loop time of the stream's last update

    @property
    def streamed(self) -> bool:
        """The stream brought the latest news: it is open and pushed within an interval."""
        return self._stream_fresh()

    def refresh_now(self) -> None:
        self._wake.set()

    def on_update(self, detail: RunDetail) -> None:
        run = self.shown(detail.run)
        self._on_update(detail if run is detail.run else detail.model_copy(update={"run": run}))

    async def follow(self) -> None:
        """Runs until cancelled (the detail closes) or the run is finished and read once more."""
        if not self.run_ref.status.terminal:
            self._open_stream()
        try:
            await self._poll()
        finally:
            self._close_stream()

    async def _poll(self) -> None:
        delay = self.interval
        asked = True  # the first read, and each one the operator asks for
        while True:
            if asked or not (self.paused() or self._stream_fresh()):
                self._wake.clear()  # a refresh asked during this read reads again after it
                try:
                    detail = self._asked_for(
                        await self.provider.get_run(self.run_ref.id, self.run_ref.kind))
                except ProviderError as exc:
                    self.on_error(exc)
                    delay = min(MAX_BACKOFF, max(delay * 2, exc.retry_after or 0.0))
                else:
                    self.on_update(detail)
                    self.run_ref = detail.run
                    delay = self.interval
                    if detail.run.status.terminal:
                        self._close_stream()
                        await self._wake.wait()  # nothing will change: wait for a manual refresh
            asked = False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):  # not wait_for: it can swallow a cancel
                    await self._wake.wait()
                    asked = True

    def _asked_for(self, detail: RunDetail) -> RunDetail:
        """`detail`, when it is the run asked for. Another run's answer was dropped where it
        was shown (not this run's), and the detail said "loading…" for good, with no word
        of why; it is a failed read, said as any other, and never followed instead."""
        same_run(self.provider.name, self.run_ref.id, detail.run.id)
        return detail

    def _stream_fresh(self) -> bool:
        if self._stream_task is None or self._stream_task.done() or self._pushed_at is None:
            return False
        return asyncio.get_running_loop().time() - self._pushed_at < self.interval

    def _open_stream(self) -> None:
        if not isinstance(self.provider, StreamsRuns):
            return
        stream = self.provider.stream_run(self.run_ref.id, self.run_ref.kind)
        if stream is not None:
            self._stream_task = asyncio.get_running_loop().create_task(
                self._read_stream(stream), name="detail stream")

    def _close_stream(self) -> None:
        if self._stream_task is not None:
            self._stream_task.cancel()

    async def _read_stream(self, stream: AsyncIterator[RunDetail]) -> None:
        """Push the stream's updates until the run ends (then one poll reads it whole) or
        the stream fails (the polls go on at their interval, as they would without it)."""
        loop = asyncio.get_running_loop()
        try:
            async for streamed in stream:
                detail = self._asked_for(streamed)
                self._pushed_at = loop.time()
                self.on_update(detail)
                self.run_ref = detail.run
                if detail.run.status.terminal:
                    self._wake.set()
                    break
        except ProviderError:
            pass
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()  # type: ignore[attr-defined]
