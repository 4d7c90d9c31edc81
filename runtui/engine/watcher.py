"""One poll loop per profile: the cost follows what is on screen, not the account's size.

Every tick (`interval`, default 2 s, on the loop clock's beats that every profile
shares, so their answers reach the screen together) reads the newest page (new runs
appear, and in the default order that is what is on screen) and, one by one, the active runs
the user is looking at that the page did not bring (the focus: visible rows,
watched and marked runs). The whole active set is swept with a server-side
status filter more slowly (every `full_interval`, longer for big accounts); its
running and queued runs, which end on their own, are swept more often than the
paused and waiting ones, which wait on a person. Runs that left a swept set are
read once each (those that left the running ones are first looked for in the list of
the other active statuses, when that costs fewer requests), and a complete listing
that notices vanished runs comes rarely.
A profile with nothing active probes only its newest run, less often while
nothing changes. Errors back off (honouring Retry-After) and show in the
profile's health; one profile's trouble never blocks another's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import UTC, datetime, timedelta

from msgspec.structs import replace

from runtui.engine.health import Health, HealthState
from runtui.engine.store import Key, RunStore
from runtui.errors import ConfigError, ProviderError
from runtui.model import ACTIVE, Kind, Run, Status, id_is_unaddressable
from runtui.providers.base import ListQuery, Provider

MAX_BACKOFF = 60.0
# Errors (not rate limits, which honour Retry-After) back off at most this long, so a
# recovered server shows as ok within one refresh plus at most this wait.
MAX_ERROR_BACKOFF = 15.0
FIRST_PAINT_PAUSE = 0.02  # after the first page of the first listing (a frame is ~16 ms)
HOLD_PAGES_FOR = 0.25  # a complete listing's later pages reach the store at most this often
IDLE_MAX = 8.0  # a profile with nothing active looks for new runs at least this often
HEAD_SIZE = 50  # newest runs read every tick, at most: more than a 200x50 screen shows
MIN_HEAD = 10  # ... and at least: what finds new runs when none of them is on screen
HEAD_MARGIN = 5  # runs read past the deepest on-screen one, for the runs that start meanwhile
MAX_FOCUS_READS = 40  # on-screen active runs read one by one per tick, least recently read first
MAX_UNKNOWN_READS = 2  # ... and on-screen runs in a status we do not know
UNKNOWN_EVERY = 5  # ticks between two reads of one such run (a status that may never change)
# Marked runs off screen (what a bulk action will touch) are read again at most every this many
# ticks: 500 marks across a big active set paged the whole active list on every tick (32
# requests a tick for three profiles against 6 without marks; 11.5 this way), and one is
# at most ~10 s old.
MARKS_EVERY = 5
FOCUS_LIST_AFTER = 3  # more stale on-screen runs than this: try the active list's first pages
FOCUS_LIST_REQUESTS = 2  # ... for at most this many requests
# `runs wait` (focus only): requests of the active list per tick, at most; within that,
# as deep as the waited runs were last found, while that is fewer requests than reading
# them one by one. A tick whose pages brought none rests the list for this many ticks.
FOCUS_ONLY_PAGES = 20
FOCUS_LIST_REST_TICKS = 5
MAX_SETTLE_READS = 25  # runs that left the active set, read back per tick
SWEEP_SPREAD = 8.0  # ticks per sweep request, on average (a changed page costs ~3 ms to parse)
# Running and queued runs end on their own: swept apart from the paused and waiting ones,
# which wait on a person, and more often (at 100,000 runs the whole active set is 40 pages,
# swept every 640 s: the run table showed 2-4x the running runs the server had).
MOVING = frozenset({Status.QUEUED, Status.RUNNING})
MOVING_SPREAD = 3.0  # ticks per request of their sweep, on average
MOVING_MIN_TICKS = 5  # ... and at most one such sweep every this many ticks
COMPLETE_EVERY = 10  # full_intervals per complete listing, at least
COMPLETE_RUNS_PER_SECOND = 20  # and no faster than this many runs re-listed per second

HealthListener = Callable[[Health], None]


class ProfileWatcher:
    def __init__(self, name: str, provider: Provider, store: RunStore, *,
                 interval: float = 2.0, full_interval: float = 30.0, page_size: int = 100,
                 max_runs: int | None = None, on_health: HealthListener | None = None,
                 head_size: int = HEAD_SIZE, focus_only: bool = False) -> None:
        self.name = name
        self.provider = provider
        self.store = store
        self.interval = interval
        self.full_interval = full_interval
        self.page_size = page_size
        self.head_size = head_size
        # Only the focus runs are kept fresh (`runs wait`): no listing of the account, no
        # head, no sweep; the focus reads (one page of the active list, then one by one)
        # are the very requests the table makes for the same runs on screen.
        self.focus_only = focus_only
        self.max_runs = max_runs
        self.on_health = on_health
        self.health = Health(profile=name, since=_now())
        self.paused = False
        self._asked = False  # refresh_now since the last poll: one poll even while paused
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_sweep: float | None = None
        self._last_moving_sweep: float | None = None
        self._last_complete: float | None = None
        self._loaded = False  # a complete listing has ended (see `_complete`)
        self._focus: set[Key] = set()
        self._marked: set[Key] = set()  # marked and not in the focus: fresh within MARKS_EVERY ticks
        self._focus_read_at: dict[Key, float] = {}
        self._focus_list_rest = 0  # ticks left before `runs wait` tries the active list again
        # Requests of the active list that last brought every waited run (`runs wait`).
        self.focus_list_depth: int | None = None
        self._head_keys: list[Key] = []  # what the last head read held, newest first
        self._sweep_requests = 0  # what the last sweep cost
        self._moving_requests = 0  # what the last sweep of the running and queued runs cost
        self._quiet = False  # the last poll found nothing active and nothing new
        self._quiet_polls = 0
        self._moving_every: tuple[float, float] | None = None  # (the sweep it follows, seconds)
        self._settle: dict[Key, None] = {}  # left the active set, to be read once (ordered)
        self._failures = 0
        self.polls = 0
        self.polling = False  # a poll is in flight
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
        """Ask for a poll now that also sweeps every active run (`full`: a complete listing).

        A poll already in flight is not doubled (it is simply awaited). While paused, this
        is one poll: refresh paused means no polls unasked, and ctrl+r asks."""
        self._asked = True
        self.provider.http.retry_key()  # asked for: a failed key command runs again
        self._last_sweep = self._last_moving_sweep = None
        self._quiet_polls = 0
        if full:
            self._last_complete = None
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._wake.set()

    def set_focus(self, keys: Iterable[Key], marked: Iterable[Key] = ()) -> None:
        """The runs the user is looking at: kept as fresh as the newest ones; and the marked
        ones, which a bulk action will touch: read again every MARKS_EVERY ticks."""
        self._focus = {k for k in keys if k[0] == self.name}
        self._marked = {k for k in marked if k[0] == self.name} - self._focus
        self._focus_read_at = {k: t for k, t in self._focus_read_at.items()
                               if k in self._focus or k in self._marked}

    # ---- loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self.next_poll_at = None
            delay: float | None = None
            if not self.paused or self._asked:
                self.polling = True
                try:
                    delay = await self.poll_once(loop.time())
                finally:
                    self.polling = False
            if self.paused:
                delay = None  # a poll asked for while paused is not followed by others
            self._wake.clear()
            self._asked = False  # an ask during the poll is answered by it (not doubled)
            if delay is not None and self._failures == 0:
                now = loop.time()
                delay = self.next_beat(now, delay) - now
            self.next_poll_at = None if delay is None else loop.time() + delay
            # asyncio.timeout, not wait_for: wait_for can swallow a cancel that
            # races with the wake-up, and then stop() never returns.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    def next_beat(self, now: float, delay: float) -> float:
        """When to poll next: `delay` from now, moved to the nearest beat of the loop clock.

        Beats are the multiples of `interval` on the event loop's clock, the same for
        every profile: their polls run side by side and their changes reach the
        screen in one frame, not one frame per profile at scattered moments. Never
        sooner than half an interval, so a slow poll is not followed at once by the next.
        """
        beat = round((now + delay) / self.interval) * self.interval
        while beat - now < self.interval / 2:
            beat += self.interval
        return beat

    def sweep_every(self) -> float:
        """Seconds between sweeps of the whole active set.

        A sweep's requests are spread so that on average it adds at most one request
        every SWEEP_SPREAD ticks: the per-tick cost stays flat however big the account.
        """
        return max(self.full_interval, self._sweep_cost() * self.interval * SWEEP_SPREAD)

    def moving_sweep_due(self, now: float) -> bool:
        """Whether the running and queued runs are due for their own sweep.

        At most one request every MOVING_SPREAD ticks on average, and one sweep every
        MOVING_MIN_TICKS ticks: with a page or two of them (the usual case, even at
        100,000 runs) a run that ended shows so within ~10 s.
        """
        last = self._last_moving_sweep
        if last is None:
            return True
        elapsed = now - last
        if elapsed < MOVING_MIN_TICKS * self.interval:
            return False  # the usual case: skip counting the moving runs
        # Counted once per sweep, not every tick until it is due (a walk of the whole
        # active set, ~1 ms a tick at 10,000 runs while the next sweep was a minute off).
        if self._moving_every is None or self._moving_every[0] != last:
            self._moving_every = (last, self.moving_sweep_every())
        return elapsed >= self._moving_every[1]

    def moving_sweep_every(self) -> float:
        """Seconds between two sweeps of the running and queued runs."""
        runs = self.store.runs
        moving = sum(1 for k in self.store.active_keys(self.name)
                     if (run := runs.get(k)) is not None and run.status in MOVING)
        pages = max(1, -(-moving // max(1, self.page_size)), self._moving_requests)
        return max(MOVING_MIN_TICKS * self.interval, pages * self.interval * MOVING_SPREAD)

    def _sweep_cost(self) -> int:
        """Requests a sweep of the active set takes (the last one's, or its pages)."""
        pages = -(-self.store.active_count(self.name) // max(1, self.page_size))
        return max(1, pages, self._sweep_requests)

    async def poll_once(self, now: float | None = None) -> float:
        """One poll; returns seconds until the next. Never raises for provider trouble."""
        now = asyncio.get_running_loop().time() if now is None else now
        self.polls += 1
        self._quiet = False
        try:
            await self._key()
            # Finished runs do not change: the complete listing that notices vanished
            # runs comes rarely, and more rarely the bigger the account.
            complete_every = max(self.full_interval * COMPLETE_EVERY,
                                 self.store.count(self.name) / COMPLETE_RUNS_PER_SECOND)
            if self.focus_only:
                await self._read_focus(set(), now)
                await self._read_settled()
            elif self._last_complete is None or now - self._last_complete >= complete_every:
                await self._complete()
                self._last_complete = self._last_sweep = self._last_moving_sweep = now
            else:
                seen = await self._head()
                if self._last_sweep is None or now - self._last_sweep >= self.sweep_every():
                    seen |= (await self._sweep(ACTIVE))[0]
                    self._last_sweep = self._last_moving_sweep = now
                elif self.moving_sweep_due(now):
                    moved, whole = await self._sweep(MOVING)
                    seen |= moved
                    self._last_moving_sweep = now
                    if whole:  # the other active runs were listed too: the whole set's sweep
                        self._last_sweep = now
                await self._read_focus(seen, now)
                await self._read_settled()
        except ProviderError as exc:
            return self._failed(exc)
        except Exception as exc:  # a parser bug must not kill the loop
            return self._failed(ProviderError(f"{type(exc).__name__}: {exc}"[:300],
                                              provider=self.provider.name, kind="parse"))
        self._failures = 0
        self._set_health(HealthState.OK, None)
        if self._quiet:
            # Nothing active and nothing new: wait longer each time (up to IDLE_MAX),
            # so an idle account costs almost nothing; any change resets it.
            self._quiet_polls += 1
            return max(self.interval, min(IDLE_MAX, self.interval * 2.0 ** self._quiet_polls))
        self._quiet_polls = 0
        return self.interval

    def _pages(self, query: ListQuery) -> contextlib.aclosing[AsyncGenerator[list[Run]]]:
        """This profile's pages of `query`, closed (connection released) on break too."""
        return contextlib.aclosing(self._own_pages(query))

    async def _own_pages(self, query: ListQuery) -> AsyncGenerator[list[Run]]:
        pages = self.provider.iter_runs(query)
        try:
            async for page in pages:
                yield [r for r in page if r.profile == self.name]
        finally:
            await pages.aclose()  # type: ignore[attr-defined]

    async def _complete(self) -> None:
        """Every run: the first page paints at once, the rest a few times a second; drops
        vanished runs."""
        before = self.store.active_keys(self.name)
        seen: set[Key] = set()
        first = self._last_complete is None
        loop = asyncio.get_running_loop()
        held: dict[Key, Run] = {}  # read, not yet handed to the store
        held_since = 0.0
        try:
            # The first load remembers nothing: each item is read once there, and the parse
            # memo's fingerprints of them (0.3 s of a 100,000-run load) only pay off at the
            # next complete listing, an hour later at that size. A full refresh remembers.
            query = ListQuery(page_size=self.page_size, limit=self.max_runs, read_ahead=True,
                              remember=self._loaded)
            async with self._pages(query) as pages:
                async for page in pages:
                    seen.update(r.key for r in page)
                    if first:
                        self.store.upsert(page)
                        # Let the screen paint the first rows before parsing the rest:
                        # without it the loop stays busy with pages until all are in.
                        first = False
                        await asyncio.sleep(FIRST_PAINT_PAUSE)
                        held_since = loop.time()
                        continue
                    # Later pages go to the store a few times a second, not one by one: each
                    # delta costs every listener (table, alerts, stats) a fixed price, and a
                    # 50,000-run account is 500 pages. A run read twice keeps its last read.
                    held.update((r.key, r) for r in page)
                    if loop.time() - held_since >= HOLD_PAGES_FOR:
                        self.store.upsert(held.values())
                        held = {}
                        held_since = loop.time()
        finally:  # what was read is not lost to a failed page
            if held:
                self.store.upsert(held.values())
        self._loaded = True
        if self.max_runs is None or len(seen) < self.max_runs:
            self.store.drop_missing(self.name, seen)
        self._settle.update(dict.fromkeys(before & self.store.active_keys(self.name) - seen))

    async def _head(self) -> set[Key]:
        """The newest runs; further pages only while everything on a page is new.

        A profile with nothing active first reads only its newest run: when that is
        the run we know, as we know it, nothing else can have changed (finished
        runs stay finished) and an idle profile costs one tiny request per tick.
        """
        new: set[Key] = set()  # runs this tick found first
        if self.store.active_count(self.name) == 0 and self.store.count(self.name) > 0:
            seen, changed = await self._read_head(1, new, probe=True)
            if not changed:
                self._quiet = True
                return seen
        seen, _ = await self._read_head(self.next_head_size(), new)
        return seen

    def next_head_size(self) -> int:
        """Enough of the newest runs to hold the on-screen ones among them, and a margin.

        In the default order the screen shows the newest runs, so this is about
        this profile's share of a screen. Scrolled away or sorted otherwise, the
        head only has to find new runs; the focus reads keep the screen fresh.
        """
        keys = self._head_keys
        if not keys:
            return self.head_size
        deepest = max((i for i, k in enumerate(keys) if k in self._focus), default=-1)
        if deepest == len(keys) - 1:  # the screen may go on past the last head: grow
            return min(self.head_size, 2 * len(keys))
        return max(min(MIN_HEAD, self.head_size), min(self.head_size, deepest + 1 + HEAD_MARGIN))

    async def _read_head(self, size: int, new: set[Key], *, probe: bool = False
                         ) -> tuple[set[Key], bool]:
        seen: set[Key] = set()
        order: list[Key] = []
        changed = False
        query = ListQuery(page_size=size, limit=size if probe else self.max_runs)
        async with self._pages(query) as pages:
            async for page in pages:
                order.extend(r.key for r in page)
                seen.update(r.key for r in page)
                known = any(r.key in self.store.runs and r.key not in new for r in page)
                delta = self.store.upsert(page)
                new.update(r.key for r in delta.added)
                changed = changed or bool(delta)
                if probe or known or not page:
                    break  # older runs are known: the sweep and the focus keep them fresh
        if not probe:
            self._head_keys = order
        return seen, changed

    async def _sweep(self, statuses: frozenset[Status]) -> tuple[set[Key], bool]:
        """Every active run in `statuses`, server-side filtered; those we held in one of
        them that the answer left out are read once (ended, or now in another status).

        Returns the runs listed, and whether the whole active set was: a sweep of the
        running and queued runs lists the other active ones too when many left them."""
        runs = self.store.runs
        before = {k for k in self.store.active_keys(self.name)
                  if (run := runs.get(k)) is not None and run.status in statuses}
        sent = self.provider.http.requests
        found = await self.provider.list_runs(ListQuery(statuses=statuses, page_size=self.page_size))
        found = [r for r in found if r.profile == self.name]
        self.store.upsert(found)
        seen = {r.key for r in found}
        left = before - seen
        whole = statuses == ACTIVE
        if not whole:
            left, whole = await self._found_still_active(left, ACTIVE - statuses)
            self._moving_requests = self.provider.http.requests - sent
        if whole:
            self._sweep_requests = self.provider.http.requests - sent
        self._settle.update(dict.fromkeys(left))
        return seen, whole

    async def _found_still_active(self, left: set[Key], statuses: frozenset[Status]
                                  ) -> tuple[set[Key], bool]:
        """Of the runs that left the running and queued ones, those the list of the other
        active `statuses` does not hold (ended, or gone): listed when that list costs
        fewer requests than reading them one by one.

        Most of them did not end but moved on (running to paused or waiting, and back):
        read one by one, 25 a tick per profile, a storm of 100 changes a tick at 10,000
        runs kept ~50 ms of CPU a tick busy reading them back, where a page or two of the
        paused and waiting runs brings them all.

        Returns the runs to read back, and whether the other statuses were listed: then
        the two lists together swept the whole active set (the runs held in one of those
        statuses that it left out are read back too), and its own sweep can wait."""
        if not left:
            return left, False
        runs = self.store.runs
        others = {k for k in self.store.active_keys(self.name)
                  if (run := runs.get(k)) is not None and run.status in statuses}
        pages = -(-(len(others) + len(left)) // max(1, self.page_size))
        if len(left) <= pages:
            return left, False
        found = await self.provider.list_runs(ListQuery(statuses=statuses, page_size=self.page_size))
        found = [r for r in found if r.profile == self.name]
        self.store.upsert(found)
        return (left | others) - {r.key for r in found}, True

    async def _read_focus(self, fresh: set[Key], now: float) -> None:
        """On-screen active runs the lists of this tick did not bring.

        Many of them (a table sorted by start time shows runs created a while ago):
        the first pages of the active list usually hold them all, for a request or
        two. The rest, one by one, least recently read first.
        """
        if not self._focus and not self._marked:
            return
        active = self.store.active_keys(self.name)
        stale = {k for k in self._focus if k in active and k not in fresh} | self._marks_due(fresh, now)
        unknown = self._unknown_to_read(fresh, now)
        if len(stale) > FOCUS_LIST_AFTER and self.focus_only:
            await self._list_focus_while_it_pays(stale)
        elif len(stale) > FOCUS_LIST_AFTER:
            # Pages of the active list until they hold every stale run, as long as
            # that is cheaper than reading the runs one by one.
            budget = max(FOCUS_LIST_REQUESTS, min(len(stale), self._sweep_cost()))
            sent = self.provider.http.requests
            query = ListQuery(statuses=frozenset(ACTIVE), page_size=self.page_size)
            async with self._pages(query) as pages:
                async for page in pages:
                    self.store.upsert(page)
                    stale.difference_update(r.key for r in page)
                    self._note_marks_read((r.key for r in page), now)
                    if not stale or self.provider.http.requests - sent >= budget:
                        break
        # the rows on screen first (least recently read first), then the marks off screen:
        # 500 marks that ended meanwhile must not keep the screen's rows waiting
        ordered = sorted(stale, key=lambda k: (k in self._marked, self._focus_read_at.get(k, 0.0)))
        for key in [*ordered[:MAX_FOCUS_READS], *unknown]:
            self._focus_read_at[key] = now
            await self._read_one(key)

    async def _list_focus_while_it_pays(self, stale: set[Key]) -> None:
        """`runs wait`: pages of the active list, removing from `stale` the waited runs
        they bring, as deep as those were last found (`focus_list_depth`) when that costs
        fewer requests than reading them one by one, and at most `FOCUS_ONLY_PAGES`.

        The store holds only the waited runs, so it cannot tell how deep they lie. Paging
        on until they were all found (up to a request per waited run, every tick) listed
        ~50 pages a second for 100 runs deep in a big profile, or ended since (in no
        active page at all): more than reading each run. What the pages did not bring is
        read one by one, and a tick whose pages brought none rests the list for
        `FOCUS_LIST_REST_TICKS` ticks.
        """
        if self._focus_list_rest > 0:
            self._focus_list_rest -= 1
            return
        depth = self.focus_list_depth
        if depth is None:
            allowed = FOCUS_LIST_REQUESTS
        elif depth + 1 < len(stale) and depth + 1 <= FOCUS_ONLY_PAGES:
            allowed = depth + 1
        else:
            return  # as deep as they lie, the list costs more than reading them
        sent, found, last_hit = self.provider.http.requests, 0, 0
        query = ListQuery(statuses=frozenset(ACTIVE), page_size=self.page_size)
        async with self._pages(query) as pages:
            async for page in pages:
                self.store.upsert(page)
                before = len(stale)
                stale.difference_update(r.key for r in page)
                spent = self.provider.http.requests - sent
                if len(stale) < before:
                    found, last_hit = found + before - len(stale), spent
                if not stale or spent >= allowed:
                    break
        if not found:
            self._focus_list_rest = FOCUS_LIST_REST_TICKS
        elif found > last_hit:  # it paid: as deep again next tick
            self.focus_list_depth = last_hit


    def _marks_due(self, fresh: set[Key], now: float) -> set[Key]:
        """Marked active runs off screen not read for MARKS_EVERY ticks (those this tick's
        lists brought count as read now)."""
        if not self._marked:
            return set()
        self._note_marks_read(fresh, now)
        active = self.store.active_keys(self.name)
        due = now - MARKS_EVERY * self.interval
        return {k for k in self._marked
                if k in active and self._focus_read_at.get(k, -math.inf) <= due}

    def _note_marks_read(self, keys: Iterable[Key], now: float) -> None:
        marked, read_at = self._marked, self._focus_read_at
        for key in keys:
            if key in marked:
                read_at[key] = now

    def _unknown_to_read(self, fresh: set[Key], now: float) -> list[Key]:
        """On-screen runs last read in a status we do not know, a few per tick.

        Unknown is not an end (a status new on the platform, or a garbled answer): left
        out of the focus reads such a run was never read again, and `runs wait` hung
        after it had succeeded. A few per tick, least recently read first, so a screen
        of runs in a status that never changes costs little: each is read at most every
        UNKNOWN_EVERY ticks (10 s at the default interval), not on every tick.
        """
        runs = self.store.runs
        due = now - UNKNOWN_EVERY * self.interval
        unknown = [k for k in self._focus - fresh
                   if (run := runs.get(k)) is not None and run.status is Status.UNKNOWN
                   and self._focus_read_at.get(k, -math.inf) <= due]
        unknown.sort(key=lambda k: self._focus_read_at.get(k, 0.0))
        return unknown[:MAX_UNKNOWN_READS]

    async def _key(self) -> None:
        """Wait for the profile's key command, if it has not given the key yet, saying so:
        only this profile waits (the others read on), and its row says why it is empty."""
        if self.provider.http.waits_for_key:
            self._set_health(HealthState.LOADING, "waiting for api_key_cmd")
            await self.provider.http.authorise()

    async def _read_settled(self) -> None:
        active = self.store.active_keys(self.name)
        for key in list(self._settle)[:MAX_SETTLE_READS]:
            del self._settle[key]
            if key in active:  # the head or the focus may have read it since
                await self._read_one(key)

    async def _read_one(self, key: Key) -> None:
        known = self.store.get(key)
        if id_is_unaddressable(key[1]):
            # No request can name it (providers leave such runs out of lists): the read
            # would fail on our own refusal, and that is not the profile's health.
            if known is not None:
                self.store.remove([known])
            return
        try:
            run = await self.provider.read_summary(key[1], known.kind if known else Kind.RUN)
        except ProviderError as exc:
            if exc.status == 404:
                if known is not None:
                    self.store.remove([known])
                return
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
        if isinstance(exc, ConfigError):  # no key: the profile's config, not the server
            self._set_health(HealthState.CONFIG, exc.detail)
            return backoff
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
