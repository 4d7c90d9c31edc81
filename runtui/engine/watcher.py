"""One poll loop per profile: no overlapping polls, active runs fast, finished runs slow.

A full listing (paged, each page pushed to the store as it arrives so the first
rows paint at once) runs at start and every `full_seconds`; in between only the
active runs are listed with a server-side status filter, and runs that left the
active set are read once each. Errors back off (honouring Retry-After) and show
in the profile's health; one profile's trouble never blocks another's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from runtui.engine.health import Health, HealthState
from runtui.engine.store import RunStore
from runtui.errors import ProviderError
from runtui.model import ACTIVE, Run
from runtui.providers.base import ListQuery, Provider

MAX_BACKOFF = 60.0
# Errors (not rate limits, which honour Retry-After) back off at most this long, so a
# recovered server shows as ok within one refresh plus at most this wait.
MAX_ERROR_BACKOFF = 15.0
MAX_SETTLE_READS = 25  # runs that left the active set, read back per tick
COMPLETE_EVERY = 10  # head listings per complete listing

HealthListener = Callable[[Health], None]


class ProfileWatcher:
    def __init__(self, name: str, provider: Provider, store: RunStore, *,
                 interval: float = 2.0, full_interval: float = 30.0, page_size: int = 100,
                 max_runs: int | None = None, on_health: HealthListener | None = None) -> None:
        self.name = name
        self.provider = provider
        self.store = store
        self.interval = interval
        self.full_interval = full_interval
        self.page_size = page_size
        self.max_runs = max_runs
        self.on_health = on_health
        self.health = Health(profile=name, since=_now())
        self.paused = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_full: float | None = None
        self._last_complete: float | None = None
        self._failures = 0
        self.polls = 0
        self.next_poll_at: float | None = None  # loop time of the next poll while waiting

    # ---- control ----------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"watch:{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def refresh_now(self, *, full: bool = False) -> None:
        """Ask for a poll now; a poll already in flight is not doubled (it is simply awaited)."""
        if full:
            self._last_full = None
            self._last_complete = None
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._wake.set()

    # ---- loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self.next_poll_at = None
            if not self.paused:
                delay = await self.poll_once(loop.time())
            else:
                delay = None
            self._wake.clear()
            self.next_poll_at = None if delay is None else loop.time() + delay
            # asyncio.timeout, not wait_for: wait_for can swallow a cancel that
            # races with the wake-up, and then stop() never returns.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def poll_once(self, now: float | None = None) -> float:
        """One poll; returns seconds until the next. Never raises for provider trouble."""
        now = asyncio.get_running_loop().time() if now is None else now
        self.polls += 1
        try:
            if self._last_full is None or now - self._last_full >= self.full_interval:
                # Finished runs do not change: a head listing stops at the first page
                # that brings nothing new; the complete listing that notices vanished
                # runs comes rarely, and more rarely the bigger the account.
                complete_every = max(self.full_interval * COMPLETE_EVERY,
                                     self.store.count(self.name) / 100)
                complete = self._last_complete is None or now - self._last_complete >= complete_every
                await self._full_sync(complete=complete)
                self._last_full = now
                if complete:
                    self._last_complete = now
            else:
                await self._active_sync()
        except ProviderError as exc:
            return self._failed(exc)
        except Exception as exc:  # a parser bug must not kill the loop
            return self._failed(ProviderError(f"{type(exc).__name__}: {exc}"[:300],
                                              provider=self.provider.name, kind="parse"))
        self._failures = 0
        self._set_health(HealthState.OK, None)
        return self.interval

    async def _full_sync(self, *, complete: bool = True) -> None:
        seen: list[Run] = []
        pages = self.provider.iter_runs(ListQuery(page_size=self.page_size, limit=self.max_runs))
        try:
            async for page in pages:
                page = [r for r in page if r.profile == self.name]
                seen.extend(page)
                news = self.store.upsert(page)  # first page paints before the rest arrives
                if not complete and page and not news:
                    return  # everything older is already known and finished
        finally:
            await pages.aclose()  # type: ignore[attr-defined]
        if complete and (self.max_runs is None or len(seen) < self.max_runs):
            self.store.drop_missing(self.name, {r.key for r in seen})

    async def _active_sync(self) -> None:
        before = self.store.active_keys(self.name)
        active = await self.provider.list_runs(ListQuery(statuses=frozenset(ACTIVE),
                                                         page_size=self.page_size))
        self.store.upsert(active)
        left = list(before - {r.key for r in active})[:MAX_SETTLE_READS]
        for key in left:
            try:
                run = await self.provider.get_summary(key[1])
            except ProviderError as exc:
                if exc.status == 404:
                    gone = self.store.get(key)
                    if gone is not None:
                        self.store.remove([gone])
                    continue
                raise
            self.store.upsert([run], partial=True)

    def _failed(self, exc: ProviderError) -> float:
        self._failures += 1
        backoff = min(MAX_ERROR_BACKOFF, MAX_BACKOFF, self.interval * float(2 ** min(self._failures, 6)))
        backoff = max(backoff, self.interval)  # never poll a failing server faster than a healthy one
        if exc.rate_limited:
            wait: float = max(backoff, exc.retry_after or 0.0)
            self._set_health(HealthState.RATE_LIMITED, exc.message,
                             retry_at=_now() + timedelta(seconds=wait))
            return wait
        self._set_health(HealthState.ERROR, str(exc))
        return backoff

    def _set_health(self, state: HealthState, message: str | None,
                    retry_at: datetime | None = None) -> None:
        old = self.health
        now = _now()
        runs = self.store.count(self.name) if state is HealthState.OK else old.runs
        new = replace(old, state=state, message=message, retry_at=retry_at,
                      since=old.since if old.state is state else now,
                      last_ok=now if state is HealthState.OK else old.last_ok,
                      runs=runs, requests=self.provider.http.requests)
        if state is HealthState.OK and old.state is HealthState.OK and old.runs == runs:
            self.health = new
            return  # nothing a user would see changed
        self.health = new
        if self.on_health is not None:
            self.on_health(new)


def _now() -> datetime:
    return datetime.now(UTC)
