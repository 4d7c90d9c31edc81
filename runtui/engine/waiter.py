"""Waiting for runs to end (`runtui runs wait`), on the watcher the TUI uses.

A script that waits on 100 runs must not cost 100 requests a tick, as a poller that
reads each run does: the waited runs are the watchers' focus, exactly as rows on
screen are, so they are read through a page of the active list and then one by one
(least recently read first), every refresh interval of their profile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from runtui.engine.health import Health, HealthState
from runtui.engine.reasons import read_failure_reasons
from runtui.engine.store import Delta, Key, RunStore
from runtui.engine.watcher import FOCUS_LIST_AFTER, ProfileWatcher
from runtui.errors import ProviderError
from runtui.model import ACTIVE, Kind, Run, Status
from runtui.providers.base import ListQuery, Provider
from runtui.providers.capabilities import ListsHumanRequests

LIST_PAGE = 100  # runs per page of the active list, when many waited runs are looked up at once
ASKED_EVERY = 10.0  # seconds at least between two reads of a profile's inbox while waiting
FIRST_READ_TRIES = 5  # a waited run's first read, over about 15 s, before the wait gives up
WHY_READS = 20  # failed runs whose detail a wait reads to say why, where their listing did not

T = TypeVar("T")


def passing_trouble(exc: ProviderError) -> bool:
    """A failure worth another try: the server erred or garbled, not a "no" (404, auth, input)."""
    if exc.kind in ("timeout", "network", "parse"):
        return True
    return exc.kind == "http" and exc.status is not None and (exc.status >= 500 or exc.status == 429)


async def patiently(read: Callable[[], Awaitable[T]],
                    on_trouble: Callable[[ProviderError], None] | None = None) -> T:
    """`read()`, tried again after a passing failure (1, 2, 4, 8 s apart).

    The first reads of a wait are one-shot: one 500 or truncated answer among them
    ended the wait with exit 1 ("a run failed") before it began, while the waiting
    itself rides such failures out.
    """
    for attempt in range(1, FIRST_READ_TRIES):
        try:
            return await read()
        except ProviderError as exc:
            if not passing_trouble(exc):
                raise
            if on_trouble is not None:
                on_trouble(exc)
            await asyncio.sleep(max(exc.retry_after or 0.0, float(2 ** (attempt - 1))))
    return await read()


class StatusChange(msgspec.Struct, frozen=True):
    """A waited run seen for the first time, or with a new status."""

    run: Run
    at: datetime

    def to_json(self) -> dict[str, str | None]:
        return {"id": self.run.id, "profile": self.run.profile, "status": self.run.status.value,
                "raw_status": self.run.raw_status, "time": self.at.isoformat(timespec="seconds")}


class WaitOutcome(msgspec.Struct):
    """Where every waited run ended (or stood when the time ran out)."""

    runs: dict[Key, Run] = msgspec.field(default_factory=dict)
    missing: list[Key] = msgspec.field(default_factory=list)
    timed_out: bool = False
    why_failed: dict[Key, str] = msgspec.field(default_factory=dict)  # by failed run, where known

    def with_status(self, *statuses: Status) -> list[Run]:
        return [r for r in self.runs.values() if r.status in statuses]

    @property
    def unfinished(self) -> list[Run]:
        return [r for r in self.runs.values() if not r.status.terminal]

    @property
    def all_succeeded(self) -> bool:
        return not self.missing and all(r.status is Status.SUCCEEDED for r in self.runs.values())


ChangeListener = Callable[[StatusChange], None]
HealthListener = Callable[[Health], None]


class RunWaiter:
    """Follows `targets` (profile, run id) until each has ended or the time runs out."""

    def __init__(self, providers: dict[str, Provider], targets: Iterable[Key], *,
                 interval: Callable[[str], float], kind: Kind = Kind.RUN,
                 on_change: ChangeListener | None = None,
                 on_health: HealthListener | None = None) -> None:
        self.providers = providers
        self.targets: list[Key] = list(dict.fromkeys(targets))
        self.interval = interval
        self.kind = kind
        self.on_change = on_change
        self.on_health = on_health
        self.store = RunStore()
        self._wanted = set(self.targets)
        self._last_seen: dict[Key, tuple[Status, str | None]] = {}
        self._gone: set[Key] = set()  # no server knows them (any more): nothing to wait for
        self._done = asyncio.Event()
        self.watchers: list[ProfileWatcher] = []
        self._inbox_reads: list[asyncio.Task[None]] = []
        self._list_depth: dict[str, int] = {}  # requests of the active list that held every waited run

    async def wait(self, timeout: float | None = None) -> WaitOutcome:
        """Until every target has ended, or `timeout` seconds (the first reads included:
        a server that keeps failing them must not stretch a script's `--timeout`)."""
        timed_out = False
        loop = asyncio.get_running_loop()
        started = loop.time()
        unsubscribe = self.store.subscribe(self._on_delta)
        try:
            try:
                async with asyncio.timeout(timeout):
                    await self._seed_and_watch()
            except TimeoutError:
                timed_out = True
        finally:
            for task in self._inbox_reads:
                task.cancel()
            for watcher in self.watchers:
                with contextlib.suppress(Exception):
                    await watcher.stop()
            unsubscribe()
        outcome = self.outcome_so_far()
        outcome.timed_out = timed_out
        left = None if timeout is None else timeout - (loop.time() - started)
        if left is None or left > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self._read_why_failed(outcome)
        return outcome

    async def _read_why_failed(self, outcome: WaitOutcome) -> None:
        """Why the failed runs failed, where their listing did not say (a B3OS list
        carries no node states), WHY_READS of them at most; within what is left of the
        wait's timeout."""
        outcome.why_failed.update(await read_failure_reasons(
            outcome.with_status(Status.FAILED), lambda name: self.providers[name], WHY_READS))

    async def _seed_and_watch(self) -> None:
        for name in dict.fromkeys(p for p, _ in self.targets):
            ids = [run_id for profile, run_id in self.targets if profile == name]
            await self._read_asked(name)  # before the first lines: a run asking a person says waiting
            self._gone.update(await self._seed(name, ids))
        self._check_done()
        if self._done.is_set():
            return
        for name in dict.fromkeys(p for p, _ in self.targets):
            if self._reads_inbox(name):
                self._inbox_reads.append(asyncio.get_running_loop().create_task(
                    self._follow_asked(name), name=f"inbox of {name}"))
        for name in dict.fromkeys(p for p, _ in self.targets):
            watcher = ProfileWatcher(name, self.providers[name], self.store,
                                     interval=self.interval(name), focus_only=True,
                                     on_health=self._health)
            watcher.set_focus(k for k in self._wanted if k[0] == name)
            watcher.focus_list_depth = self._list_depth.get(name)  # where the seed found them
            self.watchers.append(watcher)
            watcher.start()
        await self._done.wait()

    def _reads_inbox(self, name: str) -> bool:
        return self.kind is Kind.RUN and isinstance(self.providers[name], ListsHumanRequests)

    async def _read_asked(self, name: str) -> None:
        """Which waited runs of `name` its platform lists as asking a person (Wexa parks
        them as `paused`, as a plain pause): they read as waiting, as in `runs list`
        (runtui.engine.human_waits). One request for the profile, never one per run; a
        failed read leaves the runs as their server says them."""
        provider = self.providers[name]
        if not self._reads_inbox(name) or not isinstance(provider, ListsHumanRequests):
            return
        try:
            requests = await provider.human_requests()
        except ProviderError:
            return
        waited = {run_id for profile, run_id in self.targets if profile == name}
        self.store.set_asked(name, (r.run_id for r in requests if r.run_id in waited))

    async def _follow_asked(self, name: str) -> None:
        """The inbox read again while the wait lasts: an answered run goes back to its
        server's status, a run that comes to ask reads as waiting."""
        while True:
            await asyncio.sleep(max(ASKED_EVERY, self.interval(name)))
            await self._read_asked(name)

    def outcome_so_far(self) -> WaitOutcome:
        """Where the waited runs stood when last read (for a wait that was interrupted)."""
        runs = {k: r for k in self.targets if (r := self.store.get(k)) is not None}
        return WaitOutcome(runs=runs, missing=[k for k in self.targets if k in self._gone],
                           why_failed={k: r.last_error for k, r in runs.items()
                                       if r.status is Status.FAILED and r.last_error})

    async def _seed(self, name: str, ids: list[str]) -> list[Key]:
        """Read the waited runs of one profile once; returns the keys no server knows.

        Many of them: the first pages of the active list usually hold them (a request
        or two); whatever those did not bring is read one by one.
        """
        provider = self.providers[name]
        todo = set(ids)
        self._list_depth.pop(name, None)
        if len(todo) > FOCUS_LIST_AFTER and self.kind is Kind.RUN:
            # Pages of the active list while that is cheaper than a read per run.
            query = ListQuery(statuses=frozenset(ACTIVE), page_size=LIST_PAGE)
            pages_read, sent, hits, last_hit = 0, provider.http.requests, 0, 0
            pages = provider.iter_runs(query)
            try:
                async for page in pages:
                    pages_read += 1
                    found = [r for r in page if r.profile == name and r.id in todo]
                    self.store.upsert(found)
                    todo.difference_update(r.id for r in found)
                    if found:
                        hits, last_hit = hits + len(found), provider.http.requests - sent
                    if not todo or pages_read >= len(todo):
                        break
            except ProviderError as exc:
                if not passing_trouble(exc):
                    raise  # else: the runs the list did not bring are read one by one below
            finally:
                await pages.aclose()  # type: ignore[attr-defined]  # an async generator
            if hits > last_hit:  # the list paid down to there: the watcher pages as deep
                self._list_depth[name] = last_hit
        missing: list[Key] = []
        for run_id in ids:
            if run_id not in todo:
                continue
            try:
                run = await patiently(functools.partial(provider.get_summary, run_id, self.kind))
            except ProviderError as exc:
                if exc.status == 404:
                    missing.append((name, run_id))
                    continue
                raise
            # An action goes to the id the user named: so does a wait. A server that
            # answers with another run's id does not get to redirect it.
            if run.id != run_id:
                raise ProviderError(f"asked for run {run_id!r}, the server answered with {run.id!r}",
                                    provider=provider.name, kind="parse")
            self.store.upsert([run], partial=True)
        return missing

    def _on_delta(self, delta: Delta) -> None:
        now = datetime.now(UTC)
        for run in (*delta.added, *(new for _old, new in delta.changed)):
            if run.key not in self._wanted:
                continue
            state = (run.status, run.raw_status)
            if self._last_seen.get(run.key) == state:
                continue
            self._last_seen[run.key] = state
            if self.on_change is not None:
                self.on_change(StatusChange(run, now))
        for run in delta.removed:  # a waited run the server no longer knows
            if run.key in self._wanted:
                self._gone.add(run.key)
        self._check_done()

    def _check_done(self) -> None:
        """Every target ended or gone. A target not read yet is not done: the first reads
        go one by one, and a wait whose first-read runs had finished ended at once."""
        if all(self._ended(k) for k in self.targets):
            self._done.set()

    def _ended(self, key: Key) -> bool:
        if key in self._gone:
            return True
        run = self.store.get(key)
        return run is not None and run.status.terminal

    def _health(self, health: Health) -> None:
        if self.on_health is not None and health.state is not HealthState.LOADING:
            self.on_health(health)
