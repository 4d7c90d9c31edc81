"""Keep one open run's detail fresh: the provider's stream when it offers one, else polling.

Only the open detail is read in full, so watching many runs stays cheap; a
finished run is read once more and then left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from runtui.errors import ProviderError, another_run
from runtui.model import Run, RunDetail
from runtui.providers.base import Provider
from runtui.providers.capabilities import StreamsRuns

MAX_BACKOFF = 30.0


class DetailFollower:
    """`paused`: asked before each timed read; while it says so only `refresh_now` reads
    (the operator paused auto-refresh, and the detail kept polling behind that word).
    `shown`: each read run as the list shows it (`RunStore.shown`: a run its platform
    lists as asking a person reads as waiting, not as its server's `paused`)."""

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
        self.streamed = False
        self._wake = asyncio.Event()

    def refresh_now(self) -> None:
        self._wake.set()

    def on_update(self, detail: RunDetail) -> None:
        run = self.shown(detail.run)
        self._on_update(detail if run is detail.run else detail.model_copy(update={"run": run}))

    async def follow(self) -> None:
        """Runs until cancelled (the detail closes) or the run is finished and read once more."""
        if not self.run_ref.status.terminal and await self._try_stream():
            pass
        delay = self.interval
        asked = True  # the first read, and each one the operator asks for
        while True:
            if asked or not self.paused():
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
                        await self._wake.wait()  # nothing will change: wait for a manual refresh
            self._wake.clear()
            asked = False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):  # not wait_for: it can swallow a cancel
                    await self._wake.wait()
                    asked = True

    def _asked_for(self, detail: RunDetail) -> RunDetail:
        """`detail`, when it is the run asked for. Another run's answer was dropped where it
        was shown (not this run's), and the detail said "loading…" for good, with no word
        of why; it is a failed read, said as any other, and never followed instead."""
        if detail.run.id != self.run_ref.id:
            raise another_run(self.provider.name, self.run_ref.id, detail.run.id)
        return detail

    async def _try_stream(self) -> bool:
        if not isinstance(self.provider, StreamsRuns):
            return False
        stream = self.provider.stream_run(self.run_ref.id, self.run_ref.kind)
        if stream is None:
            return False
        try:
            async for streamed in stream:
                detail = self._asked_for(streamed)
                self.streamed = True
                self.on_update(detail)
                self.run_ref = detail.run
                if detail.run.status.terminal:
                    break
        except ProviderError:
            return False  # fall back to polling
        return True
