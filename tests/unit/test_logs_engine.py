"""Following a log: each line once, a visible mark when the stream is lost, one reader per run,
one request per profile per tick."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from runtui.engine.logs import LogBuffer, LogFollower, LogHub, StreamState
from runtui.errors import ProviderError
from runtui.model import LogEvent, LogLevel, Marker, Run, Status
from runtui.providers.capabilities import ReadsEvents
from runtui.providers.events import EventPage, EventQuery, in_time_order
from runtui.providers.events import event as line

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def event(n: int) -> LogEvent:
    return LogEvent(id=f"e{n}", time=T0 + timedelta(seconds=n), level=LogLevel.INFO, message=f"line {n}")


def run(run_id: str = "r1", status: Status = Status.RUNNING) -> Run:
    return Run(profile="p", provider="fake", id=run_id, status=status)


class FlakyReader:
    """A log that grows by two lines a read; reads listed in `fail_on` fail; the overlap
    of each page with the one before (a server re-sending lines) must not show twice."""

    def __init__(self, fail_on: set[int] | None = None, end_after: int | None = None) -> None:
        self.reads = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.fail_on = fail_on or set()
        self.end_after = end_after

    def events_note(self) -> str | None:
        return None

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        self.reads += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)
            if self.reads in self.fail_on:
                raise ProviderError("connection reset", provider="fake", kind="network")
            start = cursor or 0
            ended = self.end_after is not None and self.reads >= self.end_after
            status = Status.SUCCEEDED if ended else Status.RUNNING
            grown = 0 if ended and self.reads > self.end_after else 2  # an ended run stops growing
            events = tuple(event(n) for n in range(max(0, start - 1), start + grown))  # one again
            return EventPage(events=events, cursor=start + grown, real_logs=True,
                             run=Run(profile=run.profile, provider="fake", id=run.id, status=status))
        finally:
            self.in_flight -= 1


def test_the_reader_is_a_capability() -> None:
    assert isinstance(FlakyReader(), ReadsEvents)


def test_buffer_drops_lines_seen_before_and_stays_bounded() -> None:
    buffer = LogBuffer(max_lines=10)
    assert [e.id for e in buffer.add([event(0), event(1), event(0)])] == ["e0", "e1"]
    assert buffer.add([event(1)]) == []
    buffer.add(event(n) for n in range(2, 30))
    assert len(buffer) <= 10 and buffer.dropped == 30 - len(buffer)
    assert buffer.lines.message(len(buffer) - 1) == "line 29"
    assert buffer.lines.message(0) == f"line {buffer.dropped}"


async def test_a_lost_stream_is_marked_once_and_resumes_without_gaps_or_repeats() -> None:
    reader = FlakyReader(fail_on={2, 3})
    follower = LogFollower(reader, run())
    for _ in range(5):
        await follower.read_once()
        if reader.reads == 2:
            assert follower.state is StreamState.RECONNECTING
    messages = [(line.marker, line.message) for line in follower.buffer.lines]
    lost = [m for m, _ in messages if m is Marker.LOST]
    resumed = [m for m, _ in messages if m is Marker.RESUMED]
    assert len(lost) == 1 and len(resumed) == 1  # two failed reads, one marker
    lines = [line.message for line in follower.buffer.lines if line.marker is None]
    assert lines == [f"line {n}" for n in range(6)]  # every line once, in order
    assert follower.state is StreamState.LIVE


async def test_the_log_ends_when_the_run_has_ended_and_nothing_more_came() -> None:
    reader = FlakyReader(end_after=2)
    follower = LogFollower(reader, run())
    while not follower.ended and reader.reads < 10:
        await follower.read_once()
    assert follower.ended and reader.reads == 4  # ended at read 2; two quiet reads after it
    last = follower.buffer.lines.line(len(follower.buffer) - 1)
    assert last.marker is Marker.ENDED and "succeeded" in last.message


async def test_the_hub_reads_one_run_per_profile_per_tick_however_many_views() -> None:
    reader = FlakyReader()
    hub = LogHub(lambda _profile: reader, tick=0.01, catch_up_tick=0.01)
    seen: dict[str, int] = {}

    def listener(follower: LogFollower, added: list[LogEvent]) -> None:
        seen[follower.run.id] = seen.get(follower.run.id, 0) + 1

    subs = [hub.follow(run(f"r{i % 3}"), listener) for i in range(6)]  # 6 views of 3 runs
    assert len(hub.followers) == 3  # one reader per run
    async with asyncio.timeout(10):
        while reader.reads < 12:
            await asyncio.sleep(0.005)
    assert reader.most_in_flight == 1  # never two requests of one profile at once
    assert set(seen) == {"r0", "r1", "r2"}  # round robin: every run is read
    for sub in subs:
        sub.close()
    assert hub.followers == {}
    await hub.aclose()


def test_untimed_lines_keep_their_place_among_the_timed_ones() -> None:
    """Nodes a retry skipped (listed first, no time) lead; a node skipped after a failure
    follows the failed node, before the run's end, never after it."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    listed = [line("a:skipped", None, LogLevel.INFO, "skipped", "a"),
              line("b:started", at + timedelta(seconds=2), LogLevel.INFO, "started", "b"),
              line("b:failed", at + timedelta(seconds=5), LogLevel.ERROR, "failed", "b"),
              line("c:skipped", None, LogLevel.INFO, "skipped", "c"),
              line("run:started", at + timedelta(seconds=1), LogLevel.INFO, "started", "run"),
              line("run:end", at + timedelta(seconds=5), LogLevel.ERROR, "failed", "run")]
    assert [e.id for e in in_time_order(listed)] == [
        "a:skipped", "run:started", "b:started", "b:failed", "c:skipped", "run:end"]


class GrowingReader:
    """One new line a read, whatever the run reads as (`status`): a process that runs on."""

    def __init__(self, status: Status, finished_at: datetime | None = None) -> None:
        self.status = status
        self.finished_at = finished_at
        self.reads = 0

    def events_note(self) -> str | None:
        return None

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        self.reads += 1
        fresh = Run(profile=run.profile, provider="fake", id=run.id, status=self.status,
                    finished_at=self.finished_at)
        return EventPage(events=(event(self.reads),), cursor=self.reads, real_logs=True, run=fresh)


async def test_a_stopped_run_whose_log_still_grows_is_said_once_not_live() -> None:
    """Lines that arrive within the grace after the run stopped are late shipping; lines read
    after read past it mean its process may still run: said once, and the log never ends."""
    now = [0.0]
    ended = datetime.now(UTC) - timedelta(minutes=13, seconds=13)
    reader = GrowingReader(Status.CANCELLED, finished_at=ended)
    follower = LogFollower(reader, run(status=Status.CANCELLED), clock=lambda: now[0])
    for _ in range(4):  # within the grace: nothing said
        await follower.read_once()
        now[0] += 2.0
    assert follower.grows is None
    now[0] = 11.0
    said = [e for _ in range(3) for e in await follower.read_once() if e.marker is Marker.GROWS]
    assert follower.grows is not None and follower.grows.startswith("the run ended 13m1")
    assert follower.grows.endswith("(cancelled) but its log still grows: its process may still be running")
    assert len(said) == 1 and said[0].level is LogLevel.WARNING
    assert follower.state is StreamState.LIVE and not follower.ended


async def test_a_paused_run_that_logs_on_is_said_and_a_running_one_never() -> None:
    now = [100.0]
    reader = GrowingReader(Status.PAUSED)
    follower = LogFollower(reader, run(status=Status.PAUSED), clock=lambda: now[0])
    for _ in range(4):
        await follower.read_once()
        now[0] += 5.0
    assert follower.grows == ("the run reads as paused but its log still grows: "
                              "its process may still be running")
    reader.status = Status.RUNNING  # resumed: its lines are no news
    await follower.read_once()
    assert follower.grows is None
    for _ in range(6):
        await follower.read_once()
        now[0] += 5.0
    assert follower.grows is None
