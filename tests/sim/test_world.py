"""Seeding, the clock, stats, scale."""

from __future__ import annotations

import httpx

from runtui.sim import SimConfig
from runtui.sim.world import World

from .conftest import FROZEN, Sim, open_sim


def _snapshot(world: World) -> list[tuple[str, str | None, int]]:
    return [(r.id, r.status, r.step) for p in ("wexa", "edges", "b3os") for r in world.store(p).runs]


def test_same_seed_same_runs() -> None:
    a = World(SimConfig(seed=3, runs=90, speed=FROZEN))
    b = World(SimConfig(seed=3, runs=90, speed=FROZEN))
    c = World(SimConfig(seed=4, runs=90, speed=FROZEN))
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a) != _snapshot(c)
    assert [len(a.store(p)) for p in ("wexa", "edges", "b3os")] == [30, 30, 30]
    assert a.catalog.project_id == b.catalog.project_id != c.catalog.project_id


def test_same_seed_same_json(sim: Sim) -> None:
    first = sim.edges.get("/flows/runs", params={"limit": 100}).json()
    for other in open_sim(SimConfig(seed=7, runs=60, speed=FROZEN, spawn_every=0)):
        again = other.edges.get("/flows/runs", params={"limit": 100}).json()
        key = [(r["uid"], r["status"], r["id"]) for r in first]
        assert [(r["uid"], r["status"], r["id"]) for r in again] == key


def test_spawn_after_tick() -> None:
    for sim in open_sim(SimConfig(seed=7, runs=30, speed=FROZEN, spawn_every=20)):
        before = sim.ctl.get("/_sim/stats").json()["runs"]
        sim.tick(61)
        after = sim.ctl.get("/_sim/stats").json()["runs"]
        assert sum(after.values()) == sum(before.values()) + 3
        assert all(after[p] == before[p] + 1 for p in after)


def test_stats_count_routes(sim: Sim) -> None:
    sim.ctl.post("/_sim/reset-stats")
    sim.edges.get("/flows/runs")
    sim.edges.get("/flows/runs")
    sim.wexa.get("/execute_flow/abc")
    httpx.get(f"{sim.url}/b3os/v1/runs")  # unauthorised requests count too
    stats = sim.ctl.get("/_sim/stats").json()
    assert stats["total"] == 4
    assert stats["providers"] == {"edges": 2, "wexa": 1, "b3os": 1}
    assert stats["routes"]["GET /edges/v1/flows/runs"] == 2
    assert stats["routes"]["GET /wexa/execute_flow/{execution_id}"] == 1


def test_forcing_a_status(sim: Sim) -> None:
    run_id = sim.find("wexa", "completed", 1)[0]["id"]
    sim.force("wexa", run_id, "weird_status")
    assert sim.wexa.get(f"/execute_flow/{run_id}").json()["status"] == "weird_status"
    assert sim.ctl.post(f"/_sim/runs/wexa/{run_id}/status", json={}).status_code == 400
    assert sim.ctl.post("/_sim/runs/wexa/nope/status", json={"status": "x"}).status_code == 404


def test_fifty_thousand_runs() -> None:
    for sim in open_sim(SimConfig(seed=1, runs=50_000, speed=FROZEN)):
        assert sum(sim.ctl.get("/_sim/stats").json()["runs"].values()) == 50_000
        page = sim.edges.get("/flows/runs", params={"limit": 100, "offset": 10_000}).json()
        assert len(page) == 100
        deep = sim.b3os.get("/v1/runs", params={"limit": 100, "offset": 16_600}).json()["data"]
        assert len(deep["items"]) == 66 and deep["hasMore"] is False
        wexa = sim.wexa.get(
            f"/{sim.project}/execution_flows", params={"limit": 100, "status": "failed"}
        ).json()
        assert len(wexa) == 100 and {r["status"] for r in wexa} == {"failed"}
        sim.tick(300)
        running = sim.edges.get("/flows/runs", params={"status": "RUNNING", "limit": 100}).json()
        assert all(r["status"] == "RUNNING" for r in running)
