"""Polls and reads ask the server for what they use, so they cost few requests: active-only
polls filter on the server rather than paging everything, and where a run waits is read
without what only the detail view shows."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from runtui import config as config_mod
from runtui.model import ACTIVE
from runtui.providers import registry
from runtui.providers.base import ListQuery, Provider
from runtui.sim import SimConfig, SimServer, write_config


class Counted:
    """The requests the simulator has answered, counted on its side."""

    def __init__(self, url: str) -> None:
        self.url = url

    def total(self) -> int:
        return int(httpx.get(self.url + "/_sim/stats").json()["total"])


@asynccontextmanager
async def simulated(tmp_path: Path, runs: int, profile: str) -> AsyncIterator[tuple[Provider, Counted]]:
    """`profile`'s adapter against a still simulator of `runs` seeded runs."""
    cfg = SimConfig(seed=3, runs=runs, spawn_every=0, speed=0.001)
    with SimServer(cfg) as server:
        env = write_config(tmp_path / "c.toml", server.url, cfg)
        os.environ.update(env)
        provider = registry.create(config_mod.load(tmp_path / "c.toml").profiles[profile])
        try:
            yield provider, Counted(server.url)
        finally:
            await provider.aclose()


async def test_b3os_active_poll_goes_per_workflow_and_finds_the_same_runs(tmp_path: Path) -> None:
    async with simulated(tmp_path, 6000, "b3os-sim") as (provider, requests):
        everything = await provider.list_runs(ListQuery())
        expected = {r.id for r in everything if r.status in ACTIVE}
        assert expected, "the seeded world has active B3OS runs"
        before = requests.total()
        active = await provider.list_runs(ListQuery(statuses=frozenset(ACTIVE)))
        spent = requests.total() - before
    assert {r.id for r in active} == expected
    pages_of_everything = -(-len(everything) // 100)
    assert spent < pages_of_everything, (spent, pages_of_everything)


async def test_edges_active_poll_uses_the_server_status_filter(tmp_path: Path) -> None:
    async with simulated(tmp_path, 3000, "edges-sim") as (provider, requests):
        before = requests.total()
        active = await provider.list_runs(ListQuery(statuses=frozenset(ACTIVE)))
        spent = requests.total() - before
    assert active and all(r.status in ACTIVE for r in active)
    assert spent <= -(-len(active) // 100) + 1


async def test_where_an_edges_run_waits_is_one_request_not_two(tmp_path: Path) -> None:
    """The attention queue reads each waiting run's steps to say where it waits; the run's
    outputs, a second request, are the detail view's. Edges runs flip RUNNING/BLOCKED, so
    that read came often: it cost two requests a run."""
    async with simulated(tmp_path, 300, "edges-sim") as (provider, requests):
        runs = await provider.list_runs(ListQuery())
        blocked = next(r for r in runs if r.raw_status == "BLOCKED")
        before = requests.total()
        steps = await provider.read_steps(blocked.id)
        spent = requests.total() - before
        whole = await provider.read_run(blocked.id)
    assert spent == 1
    assert steps.run == whole.run and steps.steps == whole.steps and steps.steps
