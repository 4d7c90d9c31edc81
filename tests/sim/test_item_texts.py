"""List items the simulator keeps between answers are what it would write afresh.

A list answer reuses each run's item text while the run is unchanged; a single-run
answer builds it every time. Through ticks (runs move on, new ones spawn), forced
statuses and each platform's actions, every item of every list stays equal to the
run's own answer.
"""

from __future__ import annotations

from typing import Any

from runtui.sim import SimConfig
from runtui.sim.runs import ItemTexts
from runtui.sim.world import World

from .conftest import FROZEN, Sim, open_sim


def _lists(sim: Sim) -> dict[str, list[dict[str, Any]]]:
    wexa = sim.wexa.get(f"/{sim.project}/execution_flows", params={"limit": 100, "projectID": sim.project})
    edges = sim.edges.get("/flows/runs", params={"limit": 100})
    b3os = sim.b3os.get("/v1/runs", params={"limit": 100})
    return {"wexa": wexa.json(), "edges": edges.json(), "b3os": b3os.json()["data"]["items"]}


def _check_items_fresh(sim: Sim) -> dict[str, list[dict[str, Any]]]:
    lists = _lists(sim)
    for item in lists["wexa"]:
        alone = sim.wexa.get(f"/execute_flow/{item['execution_id']}", params={"projectID": sim.project})
        assert item == alone.json()
    for item in lists["edges"]:
        assert item == sim.edges.get(f"/flows/runs/{item['uid']}").json()
    for item in lists["b3os"]:
        alone = sim.b3os.get(f"/v1/runs/{item['id']}").json()["data"]
        assert item == {key: alone[key] for key in item}  # the run's answer holds more
    return lists


def _first(items: list[dict[str, Any]], status_key: str, *statuses: str) -> dict[str, Any] | None:
    return next((i for i in items if i[status_key] in statuses), None)


def test_kept_items_follow_every_change() -> None:
    for sim in open_sim(SimConfig(seed=11, runs=90, speed=FROZEN, spawn_every=13, active_fraction=0.6)):
        lists = _check_items_fresh(sim)
        statuses = {p: [i.get("status") for i in items] for p, items in lists.items()}
        for round_ in range(6):
            sim.tick(9)
            lists = _check_items_fresh(sim)
            wexa_run = _first(lists["wexa"], "status", "running", "paused")
            if wexa_run is not None:
                verb = "pause" if wexa_run["status"] == "running" else "resume"
                sim.wexa.post(f"/execute_flow/{wexa_run['execution_id']}/{verb}",
                              params={"projectID": sim.project}, json={}).raise_for_status()
            edges_run = _first(lists["edges"], "status", "RUNNING", "BLOCKED", "QUEUED")
            if edges_run is not None:
                sim.edges.post(f"/flows/runs/{edges_run['uid']}/cancel").raise_for_status()
            b3os_run = _first(lists["b3os"], "status", "failure", "running", "waiting")
            if b3os_run is not None:
                verb = "retry" if b3os_run["status"] == "failure" else "cancel"
                sim.b3os.post(f"/v1/runs/{b3os_run['id']}/{verb}").raise_for_status()
            finished = _first(lists["edges"], "status", "SUCCEEDED", "FAILED")
            if finished is not None and round_ % 2:
                sim.force("edges", finished["uid"], "RUNNING")
            lists = _check_items_fresh(sim)
        moved = {p: [i.get("status") for i in items] for p, items in lists.items()}
        assert all(moved[p] != statuses[p] for p in moved), "every platform's list changed"


def test_a_moved_epoch_rewrites_every_text() -> None:
    world = World(SimConfig(seed=3, runs=30, speed=FROZEN))
    platform = world.platform("edges")
    texts = ItemTexts(platform.run_json, world.clock)
    run = platform.store.runs[0]
    before = texts.text(run)
    world.clock.base_epoch -= 3600
    after = texts.text(run)
    assert after != before
    assert after == texts.text(run)
