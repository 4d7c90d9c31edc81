from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from runtui.engine.control import Controller
from runtui.engine.health import HealthState
from runtui.engine.journal import Journal
from runtui.engine.store import Delta, RunStore
from runtui.engine.watcher import ProfileWatcher
from runtui.errors import NotAllowed, ProviderError
from runtui.model import ACTIVE, Action, Status
from tests.fakes import FakeProvider, make_run


async def test_full_sync_streams_pages_then_active_polls_use_a_status_filter() -> None:
    runs = [make_run(i, Status.SUCCEEDED) for i in range(250)] + [make_run(999)]
    fake = FakeProvider(runs)
    store = RunStore()
    deltas: list[Delta] = []
    store.subscribe(deltas.append)
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)
    assert len(store.runs) == 251
    assert [len(d.added) for d in deltas[:3]] == [100, 100, 51]  # first page painted first
    await w.poll_once(2.0)
    assert fake.list_calls[-1].statuses == frozenset(ACTIVE)
    assert w.health.state is HealthState.OK


async def test_run_leaving_the_active_set_is_read_once_and_vanished_runs_dropped() -> None:
    fake = FakeProvider([make_run(1), make_run(2)])
    store = RunStore()
    w = ProfileWatcher("p", fake, store)
    await w.poll_once(0.0)
    fake.runs["run-1"] = make_run(1, Status.SUCCEEDED)
    del fake.runs["run-2"]
    await w.poll_once(2.0)
    assert store.runs[("p", "run-1")].status is Status.SUCCEEDED
    assert ("p", "run-2") not in store.runs


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


async def test_head_listing_stops_at_the_first_page_with_nothing_new() -> None:
    runs = [make_run(i, Status.SUCCEEDED) for i in range(500)]
    fake = FakeProvider(runs)
    pages_read: list[int] = []
    original = fake.iter_runs

    async def counting(query):  # type: ignore[no-untyped-def]
        async for page in original(query):
            pages_read.append(len(page))
            yield page

    fake.iter_runs = counting  # type: ignore[method-assign]
    store = RunStore()
    w = ProfileWatcher("p", fake, store, page_size=100, full_interval=30)
    await w.poll_once(0.0)  # complete listing: every page
    assert len(pages_read) == 5
    pages_read.clear()
    await w.poll_once(31.0)  # head listing: nothing new on the first page
    assert pages_read == [100]
    del fake.runs["run-499"]
    pages_read.clear()
    await w.poll_once(31.0 + 30 * 10)  # the complete listing notices the vanished run
    assert len(pages_read) == 5 and ("p", "run-499") not in store.runs
