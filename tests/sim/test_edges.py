"""Edges routes: listing with server-side status filter, runs, actions, start."""

from __future__ import annotations

from typing import Any

from .conftest import Sim


def _start(sim: Sim, slug: str = "linkedin-profile-enrich") -> dict[str, Any]:
    r = sim.edges.post(
        f"/flows/{slug}/run/async", json={"inputs": [{"linkedin_profile_url": "x"}], "parameters": {}}
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_list_bare_array_default_limit_and_paging(sim: Sim) -> None:
    runs = sim.edges.get("/flows/runs").json()
    assert isinstance(runs, list) and len(runs) == 10
    created = [r["created_at"] for r in runs]
    assert created == sorted(created, reverse=True) and all(c.endswith("Z") for c in created)
    page = sim.edges.get("/flows/runs", params={"limit": 5, "offset": 5, "sort": "-created_at"}).json()
    assert [r["uid"] for r in page] == [r["uid"] for r in runs[5:10]]
    everything = sim.edges.get("/flows/runs", params={"limit": 500}).json()
    assert len(everything) == 20  # max 100, and there are 20 Edges runs
    oldest = sim.edges.get("/flows/runs", params={"sort": "created_at", "limit": 1}).json()[0]
    assert oldest["uid"] == everything[-1]["uid"]


def test_list_status_filter(sim: Sim) -> None:
    r = sim.edges.get("/flows/runs", params=[("status", "SUCCEEDED"), ("status", "FAILED"), ("limit", "100")])
    got = r.json()
    assert got and {x["status"] for x in got} <= {"SUCCEEDED", "FAILED"}
    assert sim.edges.get("/flows/runs", params={"status": "bogus"}).status_code == 400
    statuses = {x["status"] for x in sim.edges.get("/flows/runs", params={"limit": 100}).json()}
    assert None in statuses and "BLOCKED" in statuses


def test_uid_filter(sim: Sim) -> None:
    runs = sim.edges.get("/flows/runs", params={"limit": 3}).json()
    uids = [runs[0]["uid"], runs[2]["uid"]]
    got = sim.edges.get("/flows/runs", params=[("uid", u) for u in uids]).json()
    assert [x["uid"] for x in got] == uids


def test_run_shape_steps_status_outputs(sim: Sim) -> None:
    run = sim.edges.get("/flows/runs", params={"status": "SUCCEEDED", "limit": 1}).json()[0]
    for key in ("id", "uid", "user_uid", "workspace_uid", "status", "last_error", "workflow", "output_count"):
        assert key in run
    assert isinstance(run["id"], int) and run["workflow"]["slug"] and run["workflow"]["name"]
    got = sim.edges.get(f"/flows/runs/{run['uid']}", params={"include_steps": "true"}).json()
    assert got["steps"] and all(s["status"] == "SUCCEEDED" for s in got["steps"])
    assert "steps" not in sim.edges.get(f"/flows/runs/{run['uid']}").json()
    status = sim.edges.get(f"/flows/runs/{run['uid']}/status").json()
    assert set(status) == {"id", "uid", "status", "started_at", "finished_at", "created_at", "updated_at"}
    outputs = sim.edges.get(f"/flows/runs/{run['uid']}/outputs").json()
    assert len(outputs) == run["output_count"]
    step_uid = got["steps"][0]["uid"]
    only = sim.edges.get(
        f"/flows/runs/{run['uid']}/outputs", params={"step_uid": step_uid, "limit": 1}
    ).json()
    assert len(only) == 1 and only[0]["step_uid"] == step_uid
    assert sim.edges.get(f"/flows/runs/{run['uid']}/outputs", params={"limit": 5000}).status_code == 400


def test_failed_run_has_last_error(sim: Sim) -> None:
    run = sim.edges.get("/flows/runs", params={"status": "FAILED", "limit": 1}).json()[0]
    assert run["last_error"]["label"] and run["last_error"]["message"]


def test_unknown_run_is_404(sim: Sim) -> None:
    r = sim.edges.get("/flows/runs/nope")
    assert r.status_code == 404 and r.json()["label"] == "NOT_FOUND"


def test_start_and_lifecycle(sim: Sim) -> None:
    started = _start(sim)
    assert started["status"] == "CREATED" and started["uid"] == started["flow_run_uid"]
    assert isinstance(started["id"], int)
    uid = started["uid"]
    sim.tick(0.6)
    assert sim.edges.get(f"/flows/runs/{uid}/status").json()["status"] == "QUEUED"
    sim.tick(6)
    got = sim.edges.get(f"/flows/runs/{uid}").json()
    assert got["status"] == "RUNNING" and got["started_at"]
    sim.tick(10_000)
    got = sim.edges.get(f"/flows/runs/{uid}").json()
    assert got["status"] in ("SUCCEEDED", "PARTIAL_SUCCEEDED", "FAILED")
    assert got["finished_at"]


def test_start_errors(sim: Sim) -> None:
    r = sim.edges.post("/flows/no-such-flow/run/async", json={"inputs": [{}]})
    assert r.status_code == 404 and r.json()["label"] == "NOT_FOUND"
    r = sim.edges.post("/flows/email-finder-bulk/run/async", json={"inputs": []})
    assert r.status_code == 400 and r.json()["label"] == "BAD_INPUT"


def test_cancel_and_resume(sim: Sim) -> None:
    uid = _start(sim)["uid"]
    sim.tick(10)
    r = sim.edges.post(f"/flows/runs/{uid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "STOPPED"
    r = sim.edges.post(f"/flows/runs/{uid}/cancel")
    assert r.status_code == 409 and r.json()["label"] == "INVALID_STATE" and r.json()["message"]
    r = sim.edges.post(f"/flows/runs/{uid}/resume")
    assert r.status_code == 200 and r.json()["status"] == "RUNNING"
    r = sim.edges.post(f"/flows/runs/{uid}/resume")
    assert r.status_code == 409 and r.json()["label"] == "INVALID_STATE"


def test_cancel_from_each_allowed_state(sim: Sim) -> None:
    for status in ("CREATED", "QUEUED", "SCHEDULED", "RUNNING"):
        uid = _start(sim)["uid"]
        sim.force("edges", uid, status)
        r = sim.edges.post(f"/flows/runs/{uid}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "STOPPED", status
    for status in ("SUCCEEDED", "FAILED", "PARTIAL_SUCCEEDED", "INVALID", "BLOCKED"):
        uid = _start(sim)["uid"]
        sim.force("edges", uid, status)
        assert sim.edges.post(f"/flows/runs/{uid}/cancel").status_code == 409, status


def test_blocked_run_waits_until_resumed(sim: Sim) -> None:
    blocked = sim.edges.get("/flows/runs", params={"status": "BLOCKED"}).json()[0]
    sim.tick(10_000)
    assert sim.edges.get(f"/flows/runs/{blocked['uid']}").json()["status"] == "BLOCKED"
    r = sim.edges.post(f"/flows/runs/{blocked['uid']}/resume")
    assert r.status_code == 200 and r.json()["status"] == "RUNNING"
    sim.tick(10_000)
    assert sim.edges.get(f"/flows/runs/{blocked['uid']}").json()["status"] == "SUCCEEDED"
