"""Active-only polls ask the server to filter, so they cost far fewer requests than paging."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from runtui import config as config_mod
from runtui.model import ACTIVE
from runtui.providers import registry
from runtui.providers.base import ListQuery
from runtui.sim import SimConfig, SimServer, write_config


def _requests(url: str) -> int:
    return int(httpx.get(url + "/_sim/stats").json()["total"])


async def test_b3os_active_poll_goes_per_workflow_and_finds_the_same_runs(tmp_path: Path) -> None:
    cfg = SimConfig(seed=3, runs=6000, spawn_every=0, speed=0.001)
    with SimServer(cfg) as server:
        env = write_config(tmp_path / "c.toml", server.url, cfg)
        os.environ.update(env)
        profile = config_mod.load(tmp_path / "c.toml").profiles["b3os-sim"]
        provider = registry.create(profile)
        try:
            everything = await provider.list_runs(ListQuery())
            expected = {r.id for r in everything if r.status in ACTIVE}
            assert expected, "the seeded world has active B3OS runs"
            before = _requests(server.url)
            active = await provider.list_runs(ListQuery(statuses=frozenset(ACTIVE)))
            spent = _requests(server.url) - before
        finally:
            await provider.aclose()
    assert {r.id for r in active} == expected
    pages_of_everything = -(-len(everything) // 100)
    assert spent < pages_of_everything, (spent, pages_of_everything)


async def test_edges_active_poll_uses_the_server_status_filter(tmp_path: Path) -> None:
    cfg = SimConfig(seed=3, runs=3000, spawn_every=0, speed=0.001)
    with SimServer(cfg) as server:
        env = write_config(tmp_path / "c.toml", server.url, cfg)
        os.environ.update(env)
        profile = config_mod.load(tmp_path / "c.toml").profiles["edges-sim"]
        provider = registry.create(profile)
        try:
            before = _requests(server.url)
            active = await provider.list_runs(ListQuery(statuses=frozenset(ACTIVE)))
            spent = _requests(server.url) - before
        finally:
            await provider.aclose()
    assert active and all(r.status in ACTIVE for r in active)
    assert spent <= -(-len(active) // 100) + 1
