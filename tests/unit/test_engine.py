from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from runtui.engine import watcher as watcher_mod
from runtui.engine.control import Controller
from runtui.engine.detail import DetailFollower
from runtui.engine.health import HealthState
from runtui.engine.journal import Journal
from runtui.engine.store import Delta, RunStore
from runtui.engine.watcher import ProfileWatcher
from runtui.errors import NotAllowed, ProviderError
from runtui.model import ACTIVE, Action, Kind, Status
from tests.fakes import FakeProvider, make_run


def _count_pages(fake: FakeProvider) -> list[int]:
    pages_read: list[int] = []
    original = fake.iter_runs

    async def counting(query):  # type: ignore[no-untyped-def]
        async for page in original(query):
            pages_read.append(len(page))
            yield page

    fake.iter_runs = counting  # type: ignore[method-assign]
    return pages_read


async def test_complete_listing_streams_pages_then_ticks_read_the_head_and_sweeps_filter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher_mod, "HOLD_PAGES_FOR", 60.0)  # longer than the whole listing
    runs = [make_run(i, Status.SUCCEEDED) for i in range(250)] + [make_run(999)]
    fake = FakeProvider(runs)
    store = RunStore()
    deltas: list[Delta] = []
    store.subscribe(deltas.append)
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)
    assert len(store.runs) == 251
    # The first page is painted first, the later ones reach the store together.
    assert [len(d.added) for d in deltas[:2]] == [100, 151]
    pages = _count_pages(fake)
    await w.poll_once(2.0)
    assert fake.list_calls[-1].statuses is None and pages == [50]  # the newest page only
    await w.poll_once(31.0)
    assert fake.list_calls[-1].statuses == frozenset(ACTIVE)  # the sweep: server-side filter
    assert w.health.state is HealthState.OK


async def test_held_pages_reach_the_store_when_due_and_are_not_lost_to_a_failed_page(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeProvider([make_run(i, Status.SUCCEEDED) for i in range(450)])
    store = RunStore()
    deltas: list[Delta] = []
    store.subscribe(deltas.append)
    monkeypatch.setattr(watcher_mod, "HOLD_PAGES_FOR", 0.0)  # due at every page
    await ProfileWatcher("p", fake, store, page_size=100).poll_once(0.0)
    assert [len(d.added) for d in deltas] == [100, 100, 100, 100, 50]

    monkeypatch.setattr(watcher_mod, "HOLD_PAGES_FOR", 60.0)
    original = fake.iter_runs

    async def breaks_after_three(query):  # type: ignore[no-untyped-def]
        read = 0
        async for page in original(query):
            if read == 3:
                raise ProviderError("connection reset", provider="edges", kind="network")
            read += 1
            yield page

    fake.iter_runs = breaks_after_three  # type: ignore[method-assign]
    store2 = RunStore()
    w = ProfileWatcher("p", fake, store2, page_size=100)
    await w.poll_once(0.0)
    # Pages 2 and 3 were still held when page 4 failed: they are in the store all the same.
    assert len(store2.runs) == 300
    assert w.health.state is HealthState.ERROR


async def test_run_leaving_the_active_set_is_read_once_and_vanished_runs_dropped() -> None:
    fake = FakeProvider([make_run(1), make_run(2)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store)
    await w.poll_once(0.0)
    fake.runs["run-1"] = make_run(1, Status.SUCCEEDED)
    del fake.runs["run-2"]
    await w.poll_once(2.0)
    assert store.runs[("p", "run-1")].status is Status.SUCCEEDED  # on the newest page
    assert ("p", "run-2") in store.runs  # not on it: waits for the sweep
    await w.poll_once(31.0)
    assert ("p", "run-2") not in store.runs  # the sweep missed it, the read-back said 404


async def test_focused_runs_off_the_newest_page_are_read_every_tick() -> None:
    fake = FakeProvider([make_run(i) for i in range(300)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)
    w.set_focus([("p", "run-250"), ("other", "run-251")])
    fake.runs["run-250"] = make_run(250, Status.SUCCEEDED)
    fake.runs["run-260"] = make_run(260, Status.SUCCEEDED)
    reads = len(fake.list_calls)
    await w.poll_once(2.0)
    assert len(fake.list_calls) == reads + 1  # one listing (the head), then one read
    assert store.runs[("p", "run-250")].status is Status.SUCCEEDED  # on screen: fresh
    assert store.runs[("p", "run-260")].status is Status.RUNNING  # off screen: next sweep
    await w.poll_once(w.sweep_every() + 1.0)
    assert store.runs[("p", "run-260")].status is Status.SUCCEEDED


async def test_the_head_reads_further_pages_only_while_everything_is_new() -> None:
    fake = FakeProvider([make_run(i, Status.SUCCEEDED) for i in range(100)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)
    fake.runs = {r.id: r for r in [make_run(i) for i in range(1000, 1120)]} | fake.runs
    pages = _count_pages(fake)
    await w.poll_once(2.0)
    # nothing was active: a probe of the newest run, which was new, so the whole head
    assert pages == [1, 50, 50, 50] and len(store.runs) == 220  # the last page held known runs


async def test_sweeps_of_big_active_sets_come_less_often() -> None:
    fake = FakeProvider([make_run(i) for i in range(4000)])
    w = ProfileWatcher("p", fake, RunStore(), page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    assert w.sweep_every() == 640  # 40 pages of active runs: one page per 8 ticks


async def test_running_runs_off_screen_are_swept_often_paused_ones_at_the_slow_pace() -> None:
    """40 pages of active runs, one of them running: the whole set is swept every 640 s, and
    a run that ended off screen showed as running that long (2-4x the server's count)."""
    runs = [make_run(i, Status.PAUSED) for i in range(3950)] + [make_run(i) for i in range(3950, 4000)]
    fake = FakeProvider(runs)
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    assert w.sweep_every() == 640 and w.moving_sweep_every() == 10  # one page: every 5 ticks
    fake.runs["run-3990"] = make_run(3990, Status.SUCCEEDED)  # neither on screen nor in the head
    fake.runs["run-3000"] = make_run(3000, Status.SUCCEEDED)  # a paused run someone resumed
    calls = len(fake.list_calls)
    ticks = 60
    for tick in range(1, ticks + 1):
        await w.poll_once(2.0 * tick)
        if tick == 5:
            assert store.runs[("p", "run-3990")].status is Status.SUCCEEDED  # within 10 s
    sweeps = [q.statuses for q in fake.list_calls[calls:] if q.statuses is not None]
    # The budget: one page of running runs every 5 ticks, never the paused ones' 40 pages.
    assert sweeps == [frozenset({Status.QUEUED, Status.RUNNING})] * (ticks // 5)
    assert len(fake.list_calls) - calls == ticks + ticks // 5  # the head every tick, and those
    assert store.runs[("p", "run-3000")].status is Status.PAUSED  # waits for the slow sweep
    await w.poll_once(640.0 + 2.0)
    assert store.runs[("p", "run-3000")].status is Status.SUCCEEDED


async def test_many_running_runs_are_swept_at_most_one_request_per_three_ticks() -> None:
    fake = FakeProvider([make_run(i) for i in range(1000)])  # 10 pages, all running
    w = ProfileWatcher("p", fake, RunStore(), page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    assert w.moving_sweep_every() == 60  # 10 pages x 3 ticks x 2 s


async def test_marked_runs_off_screen_are_read_every_few_ticks_not_every_tick() -> None:
    """500 marks deep in a 4,000-run active list were focus runs: the active list was paged
    on every tick while they were marked. Now within MARKS_EVERY ticks (10 s), at that cost."""
    fake = FakeProvider([make_run(i, Status.PAUSED) for i in range(4000)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    w.set_focus([("p", "run-0")], [("p", f"run-{i}") for i in range(3500, 4000)])
    fake.runs["run-3999"] = make_run(3999, Status.SUCCEEDED)
    calls = len(fake.list_calls)
    await w.poll_once(2.0)
    assert store.runs[("p", "run-3999")].status is Status.SUCCEEDED  # marked: read at once
    fake.runs["run-3600"] = make_run(3600, Status.WAITING)
    for tick in range(2, 11):
        await w.poll_once(2.0 * tick)
        waiting = store.runs[("p", "run-3600")].status is Status.WAITING
        assert waiting is (tick >= watcher_mod.MARKS_EVERY + 1), tick  # within 10 s
    active_lists = [q for q in fake.list_calls[calls:] if q.statuses == frozenset(ACTIVE)]
    assert len(active_lists) == 2  # ticks 1 and 6, not every tick


async def test_marks_that_ended_never_keep_the_rows_on_screen_waiting() -> None:
    fake = FakeProvider([make_run(i) for i in range(300)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    w.set_focus([("p", "run-250")])
    await w.poll_once(2.0)  # read at 2.0: the marks below were never read, and go before it
    w.set_focus([("p", "run-250")], [("p", f"run-{i}") for i in range(100, 200)])
    for i in [250, *range(100, 200)]:  # every one ended: the active list brings none of them
        fake.runs[f"run-{i}"] = make_run(i, Status.SUCCEEDED)
    await w.poll_once(4.0)
    assert store.runs[("p", "run-250")].status is Status.SUCCEEDED  # on screen: read first


async def test_the_head_follows_the_screen_share_of_the_profile() -> None:
    fake = FakeProvider([make_run(i) for i in range(300)])  # served in this order: newest first
    w = ProfileWatcher("p", fake, RunStore(), page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    pages = _count_pages(fake)
    await w.poll_once(2.0)
    assert pages == [50]  # nothing known about the screen yet: the most
    w.set_focus([("p", f"run-{i}") for i in range(12)])  # the 12 newest are on screen
    assert w.next_head_size() == 17  # ... and a margin for runs that start meanwhile
    w.set_focus([("p", "run-200")])  # scrolled far down: the focus reads keep that fresh
    assert w.next_head_size() == 10
    w.set_focus([("p", f"run-{i}") for i in range(50)])  # all on screen: never past the most
    assert w.next_head_size() == 50
    await w.poll_once(4.0)
    w.set_focus([("p", f"run-{i}") for i in range(5)])
    pages.clear()
    await w.poll_once(6.0)
    assert pages == [10]  # an 80x24 screen's share: the minimum
    w.set_focus([("p", f"run-{i}") for i in range(10)])
    assert w.next_head_size() == 20  # the whole last head is on screen: twice as much next time


async def test_errors_back_off_and_429_honours_retry_after() -> None:
    fake = FakeProvider([make_run(1)])
    w = ProfileWatcher("p", fake, RunStore(), interval=2.0)
    fake.fail = [ProviderError("down", provider="edges", status=503)]
    d1 = await w.poll_once(0.0)
    assert w.health.state is HealthState.ERROR and "down" in (w.health.message or "")
    assert d1 > 2.0
    fake.fail = [ProviderError("slow down", provider="edges", status=429, retry_after=40)]
    d2 = await w.poll_once(1.0)
    assert w.health.state is HealthState.RATE_LIMITED and d2 >= 40
    await w.poll_once(50.0)
    assert w.health.state is HealthState.OK  # recovers on the next good poll


async def test_refresh_now_never_overlaps_polls() -> None:
    fake = FakeProvider([make_run(i) for i in range(5)])
    w = ProfileWatcher("p", fake, RunStore(), interval=0.2)
    w.start()
    for _ in range(20):
        w.refresh_now()
        await asyncio.sleep(0)
    for _ in range(200):
        if w.polls >= 3:
            break
        await asyncio.sleep(0.01)
    await w.stop()
    assert w.polls >= 3 and fake.max_in_list == 1


async def test_controller_refuses_before_sending_and_journals(tmp_path: Path) -> None:
    done = make_run(1, Status.SUCCEEDED)
    fake = FakeProvider([done, make_run(2)])
    ctl = Controller(Journal(tmp_path / "j.jsonl"))
    with pytest.raises(NotAllowed):
        await ctl.act(fake, done, Action.CANCEL)
    assert fake.sent == []
    result = await ctl.act(fake, make_run(2), Action.CANCEL)
    assert result.ok and fake.sent == [("run-2", Action.CANCEL)]
    assert [e.outcome for e in Journal(tmp_path / "j.jsonl").entries()] == ["ok"]


async def test_a_lost_answer_is_sent_once_and_read_back(tmp_path: Path) -> None:
    fake = FakeProvider([make_run(1)])
    ctl = Controller(Journal(tmp_path / "j.jsonl"))
    fake.fail = [ProviderError("no answer in time", provider="edges", kind="timeout")]
    result = await ctl.act(fake, make_run(1), Action.CANCEL)
    assert fake.sent == [("run-1", Action.CANCEL)]
    assert result.uncertain and result.run is not None
    assert "outcome unknown" in (result.message or "")
    assert [e.outcome for e in Journal(tmp_path / "j.jsonl").entries()] == ["uncertain"]


async def test_complete_listing_comes_rarely_and_notices_vanished_runs() -> None:
    fake = FakeProvider([make_run(i, Status.SUCCEEDED) for i in range(500)])
    pages = _count_pages(fake)
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)  # complete listing: every page
    assert len(pages) == 5
    del fake.runs["run-499"]
    pages.clear()
    await w.poll_once(2.0)  # nothing active: the newest run only, and it is unchanged
    assert pages == [1] and ("p", "run-499") in store.runs
    pages.clear()
    await w.poll_once(31.0 + 30 * 10)  # the complete listing notices the vanished run
    assert len(pages) == 5 and ("p", "run-499") not in store.runs


async def test_the_first_load_reads_ahead_and_remembers_nothing_later_listings_remember() -> None:
    """A first load reads every item once: fingerprinting them for the parse memo only pays
    off at the next complete listing. That one, and a full refresh, remember."""
    fake = FakeProvider([make_run(i, Status.SUCCEEDED) for i in range(300)] + [make_run(300)])
    w = ProfileWatcher("p", fake, RunStore(), page_size=100, full_interval=30)
    await w.poll_once(0.0)
    first = fake.list_calls[0]
    assert first.read_ahead and not first.remember and first.statuses is None
    fake.list_calls.clear()
    await w.poll_once(2.0)  # the head and the sweep: one page each, neither read ahead
    assert fake.list_calls and all(q.remember and not q.read_ahead for q in fake.list_calls)
    fake.list_calls.clear()
    w.refresh_now(full=True)
    await w.poll_once(4.0)
    assert [(q.read_ahead, q.remember) for q in fake.list_calls] == [(True, True)]


async def test_many_focused_runs_off_the_head_come_from_the_active_list_not_one_by_one() -> None:
    fake = FakeProvider([make_run(i, Status.SUCCEEDED) for i in range(100)]
                        + [make_run(i) for i in range(100, 130)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)
    w.set_focus([("p", f"run-{i}") for i in range(100, 110)])  # active, not on the newest page
    for i in range(100, 110):
        fake.runs[f"run-{i}"] = make_run(i, Status.PAUSED)
    reads: list[str] = []
    original = fake.get_summary

    async def counting(run_id, kind=Kind.RUN):  # type: ignore[no-untyped-def]
        reads.append(run_id)
        return await original(run_id, kind)

    fake.get_summary = counting  # type: ignore[method-assign]
    await w.poll_once(2.0)
    assert reads == []
    assert fake.list_calls[-1].statuses == frozenset(ACTIVE)
    assert all(store.runs[("p", f"run-{i}")].status is Status.PAUSED for i in range(100, 110))


async def test_an_idle_profile_is_probed_less_often_until_something_changes() -> None:
    fake = FakeProvider([make_run(i, Status.SUCCEEDED) for i in range(10)])
    w = ProfileWatcher("p", fake, RunStore(), interval=2.0)
    assert await w.poll_once(0.0) == 2.0  # the complete listing
    delays = [await w.poll_once(t) for t in (2.0, 6.0, 14.0, 22.0)]
    assert delays == [4.0, 8.0, 8.0, 8.0]
    fake.runs = {"run-99": make_run(99)} | fake.runs  # a new (active) run
    assert await w.poll_once(30.0) == 2.0


def test_first_listings_in_once_no_profile_is_still_loading(tmp_path: Path) -> None:
    from runtui.config import Config
    from runtui.engine.health import Health, HealthState
    from runtui.engine.workspace import Workspace

    ws = Workspace(Config(path=tmp_path / "config.toml"))
    assert not ws.first_listings_in  # nothing watched yet: nothing has loaded
    ws._set_health(Health(profile="a", state=HealthState.LOADING))
    ws._set_health(Health(profile="b", state=HealthState.OK))
    assert not ws.first_listings_in
    ws._set_health(Health(profile="a", state=HealthState.ERROR, message="down"))
    assert ws.first_listings_in  # a failed first listing counts as in


def test_the_next_poll_is_on_a_beat_of_the_loop_clock_and_never_right_after_the_last() -> None:
    w = ProfileWatcher("p", FakeProvider([]), RunStore(), interval=2.0)
    assert w.next_beat(10.3, 2.0) == 12.0  # a poll that ended 0.3 s past a beat: the next beat
    assert w.next_beat(11.3, 2.0) == 14.0  # between beats: the one nearest `delay` from now
    assert w.next_beat(13.1, 4.0) == 18.0  # an idle profile's longer wait, on a beat too
    assert w.next_beat(13.9, 0.0) == 16.0  # never sooner than half an interval from now


async def test_profiles_started_apart_poll_on_the_same_beats() -> None:
    """Their answers land together, so the screen draws their changes in one frame.

    What is compared is the beat each watcher chose to poll at, not when the loop woke it:
    on a loaded machine a wake-up comes late, the beat it was for does not."""
    beats: dict[str, list[float]] = {"a": [], "b": []}
    watchers = []
    for name in beats:
        w = ProfileWatcher(name, FakeProvider([make_run(1, profile=name)]), RunStore(), interval=0.2)
        original = w.next_beat

        def noting(now: float, delay: float, *, name: str = name, original: Any = original) -> float:
            beat = float(original(now, delay))
            beats[name].append(beat)
            return beat

        w.next_beat = noting  # type: ignore[method-assign]
        watchers.append(w)
    watchers[0].start()
    await asyncio.sleep(0.1)  # not a wait for anything: half a beat between the two starts
    watchers[1].start()
    for _ in range(300):
        if min(len(chosen) for chosen in beats.values()) >= 3:
            break
        await asyncio.sleep(0.01)
    for w in watchers:
        await w.stop()
    assert all(abs(beat / 0.2 - round(beat / 0.2)) < 1e-6 for chosen in beats.values() for beat in chosen), \
        beats  # on the beats of the loop clock, every profile's the same
    assert set(beats["a"]) & set(beats["b"]), beats  # started 0.1 s apart, polling together since


async def test_an_on_screen_run_in_an_unknown_status_is_read_again_but_not_every_tick() -> None:
    """Unknown is no end (the run may still finish), and may never change: every 5 ticks."""
    fake = FakeProvider([make_run(i) for i in range(300)])
    fake.runs["run-250"] = make_run(250, Status.UNKNOWN)
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30, interval=2.0)
    await w.poll_once(0.0)
    w.set_focus([("p", "run-250")])
    reads = fake.reads
    reads.clear()
    for tick in range(1, 12):
        await w.poll_once(tick * 2.0)
    assert reads == ["run-250"] * 3  # at 2, 12 and 22 s, not on each of the 11 ticks
    fake.runs["run-250"] = make_run(250, Status.SUCCEEDED)
    for tick in range(12, 17):
        await w.poll_once(tick * 2.0)
    assert store.runs[("p", "run-250")].status is Status.SUCCEEDED


async def test_refresh_now_while_paused_polls_once_and_stays_paused() -> None:
    """ctrl+r with refresh paused said "refreshing" and nothing was read."""
    fake = FakeProvider([make_run(1)])
    w = ProfileWatcher("p", fake, RunStore(), interval=0.05)
    w.set_paused(True)
    w.start()
    for _ in range(5):
        await asyncio.sleep(0)
    assert w.polls == 0
    fake.runs["run-1"] = make_run(1, Status.SUCCEEDED)
    w.refresh_now()
    for _ in range(200):
        if w.polls == 1 and not w.polling:
            break
        await asyncio.sleep(0.01)
    assert w.polls == 1 and w.store.runs[("p", "run-1")].status is Status.SUCCEEDED
    await asyncio.sleep(0.2)  # not a wait for anything: four intervals in which no poll may come
    await w.stop()
    assert w.polls == 1 and w.next_poll_at is None


class Paused:
    """The operator's `f`, as the follower asks it."""

    def __init__(self) -> None:
        self.on = True

    def __call__(self) -> bool:
        return self.on


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in 3 s")


@contextlib.asynccontextmanager
async def following(fake: FakeProvider, paused: Paused) -> AsyncIterator[tuple[DetailFollower, list[Status]]]:
    """A follower of run-1 reading every 50 ms (unless paused), and the statuses it read."""
    updates: list[Status] = []
    follower = DetailFollower(fake, make_run(1), interval=0.05, paused=paused, on_error=lambda exc: None,
                              on_update=lambda detail: updates.append(detail.run.status))
    task = asyncio.get_running_loop().create_task(follower.follow())
    try:
        await until(lambda: bool(updates))  # the first read: the detail shows something when it opens
        yield follower, updates
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_open_detail_is_not_read_while_refresh_is_paused_but_ctrl_r_reads_it() -> None:
    """`f` paused the table's polls while the open detail went on reading every interval."""
    fake = FakeProvider([make_run(1)])
    async with following(fake, Paused()) as (follower, updates):
        await asyncio.sleep(0.3)  # not a wait for anything: six intervals in which no read may come
        assert updates == [Status.RUNNING]
        fake.runs["run-1"] = make_run(1, Status.SUCCEEDED)
        follower.refresh_now()  # ctrl+r
        await until(lambda: len(updates) == 2)
        assert updates == [Status.RUNNING, Status.SUCCEEDED]


async def test_reads_of_the_open_detail_come_back_when_refresh_resumes() -> None:
    paused = Paused()
    async with following(FakeProvider([make_run(1)]), paused) as (_follower, updates):
        paused.on = False
        await until(lambda: len(updates) >= 3)


async def test_the_open_detail_answered_with_another_run_is_a_failed_read_not_followed() -> None:
    fake = FakeProvider([make_run(1)])
    fake.runs["run-1"] = make_run(2)  # the read of run-1 answers run-2
    errors: list[ProviderError] = []
    shown: list[str] = []
    follower = DetailFollower(fake, make_run(1), interval=0.05, on_error=errors.append,
                              on_update=lambda detail: shown.append(detail.run.id))
    task = asyncio.get_running_loop().create_task(follower.follow())
    try:
        await until(lambda: len(errors) >= 2)  # read again, still of run-1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert shown == [] and follower.run_ref.id == "run-1"
    assert errors[0].kind == "mismatch" and "with another run, 'run-2'" in str(errors[0])


async def test_a_start_with_an_input_a_closed_schema_lacks_is_refused_unsent(tmp_path: Path) -> None:
    """Any provider that publishes a closed input schema: an unknown key is refused before
    anything is sent (nothing journaled); an open or unreadable schema leaves it to the server."""
    from runtui.errors import BadInput
    from runtui.model import StartRequest
    from runtui.providers.capabilities import WorkflowInfo

    class Described(FakeProvider):
        info: WorkflowInfo | None = WorkflowInfo(id="wf", inputs=({"key": "n", "type": "integer"},),
                                                 closed=True)
        starts = 0

        async def get_workflow(self, workflow_id: str) -> WorkflowInfo | None:
            if self.info is None:
                raise ProviderError("gone", provider="edges", status=500)
            return self.info

        async def _start(self, request: StartRequest) -> str:
            self.starts += 1
            return "new-run"

    fake = Described()
    ctl = Controller(Journal(tmp_path / "j.jsonl"))
    with pytest.raises(BadInput, match=r"^unknown input 'bogus' \(known: n\)$"):
        await ctl.execute(fake, StartRequest(workflow_id="wf", inputs={"n": 1, "bogus": 1}))
    assert fake.starts == 0 and list(Journal(tmp_path / "j.jsonl").entries()) == []
    await ctl.execute(fake, StartRequest(workflow_id="wf", inputs={"n": 1}))
    fake.info = WorkflowInfo(id="wf", inputs=fake.info.inputs if fake.info else ())  # open
    await ctl.execute(fake, StartRequest(workflow_id="wf", inputs={"bogus": 1}))
    fake.info = None  # unreadable: the platform decides
    await ctl.execute(fake, StartRequest(workflow_id="wf", inputs={"bogus": 1}))
    assert fake.starts == 3


async def test_running_runs_that_moved_to_paused_are_listed_not_read_one_by_one() -> None:
    """A storm (runs flipping between running and paused): the sweep of the running runs
    left the ones that paused to be read back one by one, 25 a tick, ~50 ms of CPU a tick
    at 10,000 runs. The paused list brings them in a page or two, and what it does not
    hold (ended) is still read."""
    runs = [make_run(i) for i in range(500)] + [make_run(i, Status.PAUSED) for i in range(500, 1000)]
    fake = FakeProvider(runs)
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    reads = fake.reads
    reads.clear()
    for i in range(200):  # 200 of the running ones paused; one ended
        fake.runs[f"run-{i}"] = make_run(i, Status.PAUSED)
    fake.runs["run-499"] = make_run(499, Status.SUCCEEDED)
    tick = 1
    while w._last_moving_sweep == 0.0:  # until the running runs' sweep comes round
        await w.poll_once(2.0 * tick)
        tick += 1
    assert all(store.runs[("p", f"run-{i}")].status is Status.PAUSED for i in range(200))
    assert store.runs[("p", "run-499")].status is Status.SUCCEEDED
    assert reads == ["run-499"]  # the ended one alone, not the 200 that paused


async def test_a_sweep_of_running_runs_that_listed_the_others_is_the_whole_sets_sweep() -> None:
    """In a storm the running runs' sweep lists the paused and waiting ones too (those that
    left "running" are there): together the whole active set, so its own sweep, a request
    per page of every active run, need not follow. A run held as paused that neither list
    holds (it ended) is read back, as that sweep would have."""
    runs = [make_run(i) for i in range(500)] + [make_run(i, Status.PAUSED) for i in range(500, 1000)]
    fake = FakeProvider(runs)
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30, interval=2)
    await w.poll_once(0.0)
    assert w.sweep_every() == 160  # 10 pages of active runs, one per 8 ticks
    fake.reads.clear()
    for i in range(200):  # 200 of the running ones paused
        fake.runs[f"run-{i}"] = make_run(i, Status.PAUSED)
    fake.runs["run-900"] = make_run(900, Status.SUCCEEDED)  # a paused one ended, off screen
    calls = len(fake.list_calls)
    tick = 1
    while w._last_moving_sweep == 0.0:  # until the running runs' sweep comes round
        await w.poll_once(2.0 * tick)
        tick += 1
    assert store.runs[("p", "run-900")].status is Status.SUCCEEDED
    assert fake.reads == ["run-900"]
    assert w._last_sweep == w._last_moving_sweep
    for later in range(tick, 90):  # to 178 s: the whole set's own sweep was due at 160 s
        await w.poll_once(2.0 * later)
    sweeps = [q.statuses for q in fake.list_calls[calls:] if q.statuses is not None]
    assert frozenset(ACTIVE) not in sweeps
