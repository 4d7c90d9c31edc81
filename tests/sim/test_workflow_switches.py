"""Workflow pause in the simulator: the routes' shapes, refusals, and that a pause stops
the automatic runs it should (and only those)."""

from __future__ import annotations

from runtui.sim import SimConfig

from .conftest import FROZEN, open_sim


def test_b3os_pause_stops_its_spawns_only() -> None:
    for sim in open_sim(SimConfig(seed=7, runs=30, speed=FROZEN, spawn_every=5)):
        items = sim.b3os.get("/v1/workflows", params={"limit": 100}).json()["data"]["items"]
        assert {w["status"] for w in items} == {"active", "archived"}
        for w in items:
            if w["status"] == "active":
                answer = sim.b3os.post(f"/v1/workflows/{w['id']}/pause")
                assert answer.status_code == 200 and answer.json()["data"]["status"] == "paused"
        refused = sim.b3os.post(f"/v1/workflows/{items[0]['id']}/pause")
        assert refused.status_code == 409
        before = sim.ctl.get("/_sim/stats").json()["runs"]
        sim.tick(300)
        after = sim.ctl.get("/_sim/stats").json()["runs"]
        assert after["b3os"] == before["b3os"]  # every trigger paused: no new B3OS run
        assert after["edges"] > before["edges"] and after["wexa"] > before["wexa"]


def test_edges_schedules_list_filter_and_transitions() -> None:
    for sim in open_sim(SimConfig(seed=7, runs=30, speed=FROZEN, spawn_every=0)):
        schedules = sim.edges.get("/flows/schedules", params={"limit": 100}).json()
        assert len(schedules) == 3 and {s["status"] for s in schedules} == {"ACTIVE", "PAUSED"}
        paused = [s for s in schedules if s["status"] == "PAUSED"]
        assert paused[0]["next_execution_at"] is None
        only = sim.edges.get("/flows/schedules", params={"status": "PAUSED"}).json()
        assert [s["uid"] for s in only] == [paused[0]["uid"]]
        uid = paused[0]["uid"]
        assert sim.edges.post(f"/flows/schedules/{uid}/pause").status_code == 409
        resumed = sim.edges.post(f"/flows/schedules/{uid}/resume").json()
        assert resumed["status"] == "ACTIVE" and resumed["next_execution_at"]
        assert sim.edges.post(f"/flows/schedules/{uid}/cancel").json()["status"] == "CANCELLED"
        assert sim.edges.post(f"/flows/schedules/{uid}/resume").status_code == 409
        assert sim.edges.post(f"/flows/schedules/{uid}/explode").status_code == 404
        assert sim.edges.post("/flows/schedules/not-a-uid/pause").status_code == 404
