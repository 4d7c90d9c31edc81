"""Wexa routes: listing, lifecycle, actions and tasks."""

from __future__ import annotations

from typing import Any

from .conftest import Sim


def _create(sim: Sim, **extra: Any) -> dict[str, Any]:
    flow = sim.catalog["wexa"]["agentflows"][0]["agentflow_id"]
    body = {
        "agentflow_id": flow,
        "executed_by": sim.catalog["wexa"]["user_id"],
        "goal": "qualify leads",
        "input_variables": {"company": "ACME"},
        "projectID": sim.project,
        **extra,
    }
    r = sim.wexa.post("/execute_flow", params={"projectID": sim.project}, json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_list_is_bare_array_newest_first_with_paging(sim: Sim) -> None:
    r = sim.wexa.get(f"/{sim.project}/execution_flows", params={"projectID": sim.project})
    assert r.status_code == 200
    runs = r.json()
    assert isinstance(runs, list) and len(runs) == 20
    created = [x["created_at"] for x in runs]
    assert created == sorted(created, reverse=True)
    assert all(isinstance(c, float) for c in created)
    first = sim.wexa.get(f"/{sim.project}/execution_flows", params={"limit": 5}).json()
    second = sim.wexa.get(f"/{sim.project}/execution_flows", params={"limit": 5, "skip": 5}).json()
    ids = [x["execution_id"] for x in runs]
    assert [x["execution_id"] for x in first + second] == ids[:10]


def test_list_status_filter_and_spellings(sim: Sim) -> None:
    done = sim.wexa.get(f"/{sim.project}/execution_flows", params={"status": "completed"}).json()
    assert done and {x["status"] for x in done} == {"completed"}
    statuses = {x["status"] for x in sim.wexa.get(f"/{sim.project}/execution_flows").json()}
    assert {"cancelled", "canceled"} <= statuses


def test_wrong_project_is_404(sim: Sim) -> None:
    r = sim.wexa.get("/0123456789abcdef01234567/execution_flows")
    assert r.status_code == 404 and r.json() == {"detail": "Project not found"}


def test_execution_shape(sim: Sim) -> None:
    params: dict[str, str | int] = {"status": "completed", "limit": 1}
    run = sim.wexa.get(f"/{sim.project}/execution_flows", params=params).json()[0]
    got = sim.wexa.get(f"/execute_flow/{run['execution_id']}").json()
    for key in ("_id", "execution_id", "projectID", "agentflow_id", "task_id", "parent_execution_id", "goal"):
        assert key in got
    assert len(got["_id"]) == 24 and got["projectID"] == sim.project
    assert got["agentflow"]["agents"] and got["agentflow"]["name"]
    assert len(got["agents_output"]) == len(got["agentflow"]["agents"])
    assert isinstance(got["end_time"], float) and got["conclusion"]["conclusion"]


def test_unknown_execution_is_404(sim: Sim) -> None:
    r = sim.wexa.get("/execute_flow/nope")
    assert r.status_code == 404 and r.json() == {"detail": "Execution not found"}
    assert sim.wexa.post("/execute_flow/nope/pause").status_code == 404


def test_create_starts_and_progresses_after_tick(sim: Sim) -> None:
    created = _create(sim)
    assert created["status"] == "ready" and created["end_time"] is None and created["task_id"]
    run_id = created["execution_id"]
    sim.tick(5)
    got = sim.wexa.get(f"/execute_flow/{run_id}").json()
    assert got["status"] == "running"
    sim.tick(1000)
    got = sim.wexa.get(f"/execute_flow/{run_id}").json()
    assert got["status"] in ("completed", "failed", "paused")
    assert got["agents_output"]


def test_unknown_agentflow_is_404(sim: Sim) -> None:
    r = sim.wexa.post("/execute_flow", params={"projectID": sim.project}, json={"agentflow_id": "f" * 24})
    assert r.status_code == 404 and r.json()["detail"] == "AgentFlow not found"


def test_execute_only_for_held_ready(sim: Sim) -> None:
    held = _create(sim, schedule={"cron": "0 9 * * *"})
    run_id = held["execution_id"]
    sim.tick(60)
    assert sim.wexa.get(f"/execute_flow/{run_id}").json()["status"] == "ready"  # does not start alone
    r = sim.wexa.post(
        f"/execute_flow/{run_id}/execute",
        params={"projectID": sim.project},
        json={"execution_id": run_id, "projectID": sim.project},
    )
    assert r.status_code == 200 and r.json() == {"execution_id": run_id, "status": "ready"}
    sim.tick(5)
    assert sim.wexa.get(f"/execute_flow/{run_id}").json()["status"] == "running"
    again = sim.wexa.post(f"/execute_flow/{run_id}/execute", params={"projectID": sim.project})
    assert again.status_code == 400 and "detail" in again.json()


def test_pause_resume_cancel_transitions(sim: Sim) -> None:
    run_id = _create(sim, auto_start=False)["execution_id"]
    sim.force("wexa", run_id, "running")
    # pause without query or body (as the SDK sends it)
    r = sim.wexa.post(f"/execute_flow/{run_id}/pause")
    assert r.status_code == 200 and r.json() == {"execution_id": run_id, "status": "paused"}
    before = sim.wexa.get(f"/execute_flow/{run_id}").json()
    sim.tick(10_000)
    after = sim.wexa.get(f"/execute_flow/{run_id}").json()
    assert after["status"] == "paused" and after["agents_output"] == before["agents_output"]
    assert sim.wexa.post(f"/execute_flow/{run_id}/pause").status_code == 400
    r = sim.wexa.post(
        f"/execute_flow/{run_id}/resume",
        params={"projectID": sim.project},
        json={"projectID": sim.project, "execution_id": run_id},
    )
    assert r.status_code == 200 and r.json()["status"] == "running"
    assert sim.wexa.post(f"/execute_flow/{run_id}/resume").status_code == 400
    r = sim.wexa.post(f"/execute_flow/{run_id}/cancel")
    assert r.status_code == 200 and r.json() == {"execution_id": run_id, "status": "cancelled"}
    got = sim.wexa.get(f"/execute_flow/{run_id}").json()
    assert got["status"] == "cancelled" and got["end_time"] is not None
    for action in ("pause", "resume", "cancel", "execute"):
        r = sim.wexa.post(f"/execute_flow/{run_id}/{action}")
        assert r.status_code == 400, action
        assert isinstance(r.json()["detail"], str)


def test_pause_completed_is_400(sim: Sim) -> None:
    run = sim.find("wexa", "completed", 1)[0]
    r = sim.wexa.post(f"/execute_flow/{run['id']}/pause")
    assert r.status_code == 400


def test_tasks_list_and_tree(sim: Sim) -> None:
    tasks = sim.wexa.get(f"/tasks/{sim.project}", params={"limit": 100}).json()
    assert isinstance(tasks, list) and tasks
    assert all(isinstance(t["created_at"], float) for t in tasks)
    two = sim.wexa.get(f"/tasks/{sim.project}", params={"limit": 2, "skip": 1}).json()
    assert [t["_id"] for t in two] == [t["_id"] for t in tasks[1:3]]
    mine = sim.wexa.get(f"/tasks/{sim.project}", params={"created_by": sim.catalog["wexa"]["user_id"]}).json()
    assert mine and all(t["created_by"] == sim.catalog["wexa"]["user_id"] for t in mine)
    with_children = None
    for t in tasks:
        detail = sim.wexa.get(f"/task/{t['_id']}", params={"projectID": sim.project}).json()
        assert [e["execution_id"] for e in detail["executions"]] == detail["execution_ids"]
        if any(n["children"] for n in detail["execution_nodes"]):
            with_children = detail
    assert with_children is not None
    child = with_children["execution_nodes"][0]["children"][0]
    by_id = {e["execution_id"]: e for e in with_children["executions"]}
    parent_id = with_children["execution_nodes"][0]["execution_id"]
    assert by_id[child["execution_id"]]["parent_execution_id"] == parent_id
    assert child["execution_type"] == "execution"


def test_task_actions(sim: Sim) -> None:
    created = _create(sim)
    task_id = created["task_id"]
    sim.tick(5)
    r = sim.wexa.post(f"/task/{task_id}/pause")
    assert r.status_code == 200 and r.json()["status"] == "paused"
    assert sim.wexa.post(f"/task/{task_id}/pause").status_code == 400
    r = sim.wexa.post(f"/task/{task_id}/resume")
    assert r.status_code == 200 and r.json()["status"] == "running"
    r = sim.wexa.post(f"/task/{task_id}/stop")
    assert r.status_code == 201 and r.json()["status"] == "cancelled"
    got = sim.wexa.get(f"/execute_flow/{created['execution_id']}").json()
    assert got["status"] == "cancelled"
    assert sim.wexa.post(f"/task/{task_id}/stop").status_code == 400
    assert sim.wexa.post("/task/nope/stop").status_code == 404


def test_monitor(sim: Sim) -> None:
    flow = sim.catalog["wexa"]["agentflows"][0]["agentflow_id"]
    r = sim.wexa.get(f"/execute_flow/{flow}/monitor")
    assert r.status_code == 200 and r.json()["agentflow_id"] == flow
    assert sim.wexa.get("/execute_flow/nope/monitor").status_code == 404
