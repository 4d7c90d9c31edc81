"""`runs wait` on runs deep in a big profile's list: a bounded number of requests a tick.

Waiting on the 100 oldest active B3OS runs (the org list filters no status, so they
lie ~17 pages deep) paged the list up to once per waited run on every tick whenever
one of them had ended since its last read: ~50 pages a second, more than reading
every run on every tick (the naive poller the README compares with).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from runtui import config as config_mod
from runtui.engine.waiter import RunWaiter
from runtui.engine.watcher import FOCUS_ONLY_PAGES, MAX_FOCUS_READS
from runtui.model import ACTIVE
from runtui.providers import registry
from runtui.providers.base import ListQuery
from runtui.sim import SimConfig, SimServer, write_config

PROFILE = "b3os-sim"
WAITED = 100
TICKS = 8


def _routes(url: str) -> dict[str, int]:
    routes: dict[str, int] = httpx.get(url + "/_sim/stats").json()["routes"]
    return routes


async def test_waiting_on_deep_runs_that_end_costs_less_than_reading_each(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = SimConfig(seed=3, runs=40000, spawn_every=0, speed=0.001)
    with SimServer(cfg) as server:
        for name, value in write_config(tmp_path / "c.toml", server.url, cfg).items():
            monkeypatch.setenv(name, value)
        profile = config_mod.load(tmp_path / "c.toml").profiles[PROFILE]
        lister = registry.create(profile)
        try:
            everything = await lister.list_runs(ListQuery())
        finally:
            await lister.aclose()
        active = [r.id for r in everything if r.status in ACTIVE]
        ids = active[-WAITED:]
        depth = next(i for i, r in enumerate(everything) if r.id == ids[0]) // 100
        assert depth >= 10, f"the waited runs lie {depth} pages deep"

        provider = registry.create(profile)
        waiter = RunWaiter({PROFILE: provider}, [(PROFILE, i) for i in ids], interval=lambda _n: 0.1)
        task = asyncio.create_task(waiter.wait(timeout=None))
        try:
            async with asyncio.timeout(60):
                while not waiter.watchers:
                    await asyncio.sleep(0.02)
            watcher = waiter.watchers[0]
            before, polls_before = _routes(server.url), watcher.polls
            ending = iter(ids)
            async with asyncio.timeout(60):
                while watcher.polls < polls_before + TICKS:
                    polls = watcher.polls
                    # A waited run ends on the server: the store still thinks it active.
                    httpx.post(f"{server.url}/_sim/runs/b3os/{next(ending)}/status",
                               json={"status": "success"}).raise_for_status()
                    while watcher.polls == polls:
                        await asyncio.sleep(0.01)
            after, ticks = _routes(server.url), watcher.polls - polls_before
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await provider.aclose()
    spent = {route: n - before.get(route, 0) for route, n in after.items() if n != before.get(route)}
    lists = sum(n for route, n in spent.items() if route != "GET /b3os/v1/runs/{run_id}")
    total = sum(spent.values())
    assert lists <= FOCUS_ONLY_PAGES * ticks, spent
    assert total <= (FOCUS_ONLY_PAGES + MAX_FOCUS_READS) * ticks, spent
    assert total < WAITED * ticks * 0.7, f"{total / ticks:.0f} requests a tick for {WAITED} runs: {spent}"
