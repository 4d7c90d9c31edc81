"""Follow runs' logs for any face: one reader per run, bounded, each line once.

* `LogBuffer` keeps one run's lines, at most `max_lines` of them (the oldest go
  first, and a gap marker says so), and drops a line it has seen before by its id,
  so overlapping reads and reconnects never show a line twice.
* `LogFollower` reads one run through its provider's event capability and knows
  the stream's state: live, reconnecting (the last read failed: a marker says so
  and the next read continues from the same cursor, so nothing is lost), ended;
  and when a run that reads as ended or paused keeps getting new lines, says so
  (its process may still be running: Prefect's suspend and cancel of a suspended
  run stop no code), rather than "live" without a word.
* `LogHub` shares one follower per run between every view that shows it and reads
  at most one run per profile per tick, round robin: ten open log views of one
  profile cost what one does, never ten requests at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from runtui.display import gone_words, relative
from runtui.engine.log_store import LogLines
from runtui.errors import ProviderError
from runtui.model import LogEvent, LogLevel, Marker, Run, Status
from runtui.providers.capabilities import ReadsEvents, reader_of
from runtui.providers.events import EventQuery
from runtui.safe_text import one_line

MAX_LINES = 1_000_000  # lines one run keeps (~100 MB at 75-character lines)
MAX_IDS = 20_000  # ids remembered for dedup: a server re-sends recent lines (a page's overlap)
# or a whole derived log (node transitions: hundreds of lines), never older ones
TICK = 1.0  # seconds between reads of a profile's followed runs
CATCH_UP_TICK = 0.05  # ... while a run has more lines waiting (one request at a time still)
MAX_BACKOFF = 30.0
QUIET_READS_TO_END = 2  # reads with nothing new after the run finished, then it has ended
STOPPED_GRACE = 10.0  # seconds a run reads as stopped before its new lines are news (late shipping)
GROWING_READS = 2  # reads that bring new lines after the grace, then "its log still grows" is said

Key = tuple[str, str]


class StreamState(enum.StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    ENDED = "ended"


class LogBuffer:
    """One run's lines in arrival order, bounded, without duplicates (see log_store.py)."""

    def __init__(self, max_lines: int = MAX_LINES, max_ids: int = MAX_IDS) -> None:
        self.lines = LogLines()
        self.max_lines = max(1, max_lines)
        self.max_ids = max(1, max_ids)
        self.dropped = 0  # lines let go from the front to stay within max_lines
        self._seen: dict[str, None] = {}

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, events: Iterable[LogEvent]) -> list[LogEvent]:
        """Append the lines not seen before; returns them (what a face must show)."""
        seen = self._seen
        fresh: list[LogEvent] = []
        for item in events:
            if item.id in seen:
                continue
            seen[item.id] = None
            fresh.append(item)
        if len(seen) > self.max_ids * 2:
            # Forget the oldest ids (a server re-sends recent lines only), rebuilding the
            # dict so its table shrinks too (deleting keys would keep the table's size).
            self._seen = dict.fromkeys(itertools.islice(seen, len(seen) - self.max_ids, None))
        self.lines.append(fresh)
        self._trim()
        return fresh

    def mark(self, marker: Marker, text: str, run_id: str = "") -> LogEvent:
        """Add a line runtui says itself (gap, stream lost, …) and return it."""
        line = LogEvent(id=f"runtui:{next(self._markers)}", time=datetime.now(UTC),
                        level=LogLevel.WARNING if marker in (Marker.GAP, Marker.LOST, Marker.GROWS)
                        else LogLevel.INFO,
                        message=text, source="runtui", run_id=run_id, marker=marker)
        self.lines.append((line,))
        self._trim()
        return line

    _markers = itertools.count(1)

    def _trim(self) -> None:
        excess = len(self.lines) - self.max_lines
        if excess <= 0:
            return
        cut = max(excess, self.max_lines // 10)  # in chunks: cutting the columns' head is O(n)
        self.lines.drop_front(cut)
        self.dropped += cut


Listener = Callable[["LogFollower", list[LogEvent]], None]


class LogFollower:
    """Reads one run's log from where it left off, one request per `read_once`."""

    def __init__(self, reader: ReadsEvents, run: Run, query: EventQuery | None = None,
                 buffer: LogBuffer | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.reader = reader
        self.run = run
        self.query = query or EventQuery()
        self.buffer = buffer or LogBuffer()
        self.state = StreamState.CONNECTING
        self.real_logs: bool | None = None  # unknown until the first read answers
        self.note = reader.events_note()
        self.error: str | None = None
        self.gone: datetime | None = None  # since when the platform says it has no such run (404)
        self.more = False
        self.reads = 0
        self.failures = 0
        self.listeners: list[Listener] = []
        self._cursor: Any = None
        self._quiet_after_end = 0
        self.clock = clock
        self.grows: str | None = None
        """Said once the run reads as ended or paused and its log still grows, else None."""
        self._stopped: tuple[Status, float] | None = None  # the stopped status, since when
        self._caught_up = False  # a read found nothing more waiting: later lines are new
        self._growing_reads = 0

    @property
    def key(self) -> Key:
        return self.run.key

    @property
    def ended(self) -> bool:
        return self.state is StreamState.ENDED

    async def read_once(self) -> list[LogEvent]:
        """One read. Errors become a "lost" marker (once) and a retry from the same cursor."""
        self.reads += 1
        try:
            page = await self.reader.read_events(self.run, self._cursor, self.query)
        except ProviderError as exc:
            self.failures += 1
            self.error = str(exc)
            self.more = False
            added: list[LogEvent] = []
            if exc.status == 404:
                # Not a lost stream: the run is gone (deleted, or a platform that lost it). After
                # an outage the reason said stayed the outage's "connection failed" for good.
                if self.gone is None:
                    self.gone = datetime.now(UTC)
                    added.append(self.buffer.mark(Marker.LOST, f"{gone_words(self.run.profile)} (404)",
                                                  self.run.id))
            elif self.state is not StreamState.RECONNECTING:
                added.append(self.buffer.mark(Marker.LOST, f"stream lost, reconnecting… ({exc.message})",
                                              self.run.id))
            self.state = StreamState.RECONNECTING
            self._tell(added)
            return added
        added = []
        if self.state is StreamState.RECONNECTING:
            added.append(self.buffer.mark(Marker.RESUMED, "stream resumed (no lines missed)", self.run.id))
        if page.gap:
            why = f" ({one_line(page.gap_reason)})" if page.gap_reason else ""
            added.append(self.buffer.mark(Marker.GAP, f"lines may be missing here{why}", self.run.id))
        self.failures = 0
        self.error = None
        self.gone = None
        self.real_logs = page.real_logs
        self._cursor = page.cursor
        self.more = page.more
        if page.run is not None:
            self.run = page.run
        fresh = self.buffer.add(page.events)
        added.extend(fresh)
        added.extend(self._watch_growth(bool(fresh), page.more))
        self.state = StreamState.LIVE
        if self.run.status.terminal and not page.more:
            self._quiet_after_end = 0 if fresh else self._quiet_after_end + 1
            if self._quiet_after_end >= QUIET_READS_TO_END or not page.real_logs:
                self.state = StreamState.ENDED
                added.append(self.buffer.mark(Marker.ENDED, f"run {self.run.status.value}: end of log",
                                              self.run.id))
        self._tell(added)
        return added

    def _watch_growth(self, grew: bool, more: bool) -> list[LogEvent]:
        """A run that reads as ended or paused whose log still gets new lines, read after
        read, once the lines that were on their way had time to arrive: said once (a
        marker line, and `grows` for a status line) for each stopped status it reads as."""
        status, now = self.run.status, self.clock()
        if not (status.terminal or status is Status.PAUSED):
            self._stopped, self.grows, self._growing_reads = None, None, 0
        elif self._stopped is None or self._stopped[0] is not status:
            self._stopped, self.grows, self._growing_reads = (status, now), None, 0
        elif grew and self._caught_up and now - self._stopped[1] >= STOPPED_GRACE:
            self._growing_reads += 1
        self._caught_up = self._caught_up or not more
        if self.grows is not None or self._growing_reads < GROWING_READS:
            return []
        self.grows = growing_words(self.run)
        return [self.buffer.mark(Marker.GROWS, self.grows, self.run.id)]

    async def read_all(self) -> list[LogEvent]:
        """Everything there is now, page after page (the CLI without --follow)."""
        found: list[LogEvent] = []
        while True:
            found.extend(e for e in await self.read_once() if e.marker is None)
            if not self.more or self.state is StreamState.RECONNECTING:
                return found

    def backoff(self, tick: float = TICK) -> float:
        """How long to wait after this follower failed `failures` times in a row."""
        return min(MAX_BACKOFF, tick * (2 ** min(self.failures, 6))) if self.failures else 0.0

    def _tell(self, added: list[LogEvent]) -> None:
        for listener in list(self.listeners):
            listener(self, added)


def growing_words(run: Run) -> str:
    """Why a stopped run's growing log matters, in words that name no platform."""
    status = run.status.value
    ago = relative(run.finished_at) if run.status.terminal else ""
    # not "now" nor "in 3s" (a server clock ahead of ours)
    said = f"the run ended {ago} ({status})" if ago.endswith(" ago") else f"the run reads as {status}"
    return f"{said} but its log still grows: its process may still be running"


@dataclass
class LogSubscription:
    """A face's hold on a followed run; `close()` when the view goes away."""

    hub: LogHub
    follower: LogFollower
    listener: Listener
    closed: bool = field(default=False)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.hub._release(self)


class LogHub:
    """One follower per run, one poll loop per profile reading one run per tick."""

    def __init__(self, provider_of: Callable[[str], object], *, tick: float = TICK,
                 catch_up_tick: float = CATCH_UP_TICK) -> None:
        self.provider_of = provider_of
        self.tick = tick
        self.catch_up_tick = catch_up_tick
        self.followers: dict[Key, LogFollower] = {}
        self.requests: dict[str, int] = {}  # reads sent per profile (for tests and the bench)
        self._loops: dict[str, asyncio.Task[None]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._turn: dict[str, int] = {}

    def can_follow(self, run: Run) -> bool:
        try:
            return reader_of(self.provider_of(run.profile)) is not None
        except Exception:  # a broken profile: no logs, and the face says why elsewhere
            return False

    def follow(self, run: Run, listener: Listener) -> LogSubscription:
        """Start (or share) following `run`; `listener(follower, new_lines)` after every read."""
        follower = self.followers.get(run.key)
        if follower is None:
            reader = reader_of(self.provider_of(run.profile))
            if reader is None:
                raise ProviderError("this provider has no logs or events to read",
                                    provider=run.provider, kind="input")
            follower = LogFollower(reader, run)
            self.followers[run.key] = follower
        follower.listeners.append(listener)
        self._ensure_loop(run.profile)
        return LogSubscription(self, follower, listener)

    def wake(self, profile: str) -> None:
        event = self._wake.get(profile)
        if event is not None:
            event.set()

    def _release(self, sub: LogSubscription) -> None:
        follower = sub.follower
        with contextlib.suppress(ValueError):
            follower.listeners.remove(sub.listener)
        if not follower.listeners:
            self.followers.pop(follower.key, None)
            self.wake(follower.key[0])  # its loop notices and stops when nothing is left

    def _ensure_loop(self, profile: str) -> None:
        task = self._loops.get(profile)
        if task is None or task.done():
            self._wake[profile] = asyncio.Event()
            self._loops[profile] = asyncio.get_running_loop().create_task(
                self._loop(profile), name=f"logs:{profile}")
        else:
            self.wake(profile)

    def _next(self, profile: str) -> LogFollower | None:
        """The profile's next run to read, round robin among those not ended."""
        mine = [f for f in self.followers.values() if f.key[0] == profile and not f.ended]
        if not mine:
            return None
        turn = self._turn.get(profile, 0) % len(mine)
        self._turn[profile] = turn + 1
        waiting = [f for f in mine[turn:] + mine[:turn] if f.more]  # catching up goes first
        return waiting[0] if waiting else mine[turn]

    async def _loop(self, profile: str) -> None:
        wake = self._wake[profile]
        while True:
            follower = self._next(profile)
            if follower is None:
                if not any(f.key[0] == profile for f in self.followers.values()):
                    return  # nothing followed any more: the loop ends, `follow` starts another
                wake.clear()
                await wake.wait()
                continue
            self.requests[profile] = self.requests.get(profile, 0) + 1
            await follower.read_once()
            delay = self.catch_up_tick if follower.more else max(self.tick, follower.backoff(self.tick))
            wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await wake.wait()

    async def aclose(self) -> None:
        for task in self._loops.values():
            task.cancel()
        for task in self._loops.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loops.clear()
        self.followers.clear()
