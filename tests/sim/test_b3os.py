"""B3OS routes: envelope, paging, runs, actions and the SSE stream."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .conftest import Sim


def _wf(sim: Sim, name: str) -> str:
    return str(next(w["id"] for w in sim.catalog["b3os"]["workflows"] if w["name"] == name))


def _trigger(sim: Sim, name: str = "Gas refuel bot", body: Any = None) -> str:
    r = sim.b3os.post(f"/v1/workflows/{_wf(sim, name)}/run", json=body)
    assert r.status_code == 200, r.text
    run_id: str = r.json()["data"]["runId"]
    return run_id


def _run(sim: Sim, run_id: str, **params: Any) -> dict[str, Any]:
    r = sim.b3os.get(f"/v1/runs/{run_id}", params=params)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"code", "data", "message", "requestId"}
    data: dict[str, Any] = body["data"]
    return data


def test_list_envelope_paging_has_more(sim: Sim) -> None:
    body = sim.b3os.get("/v1/runs").json()
    assert body["code"] in (0, 200) and body["message"] == "OK" and body["requestId"]
    data = body["data"]
    assert data["limit"] == 20 and data["offset"] == 0 and data["hasMore"] is False
    assert len(data["items"]) == 20
    page = sim.b3os.get("/v1/runs", params={"limit": 15, "offset": 0}).json()["data"]
    assert page["hasMore"] is True and len(page["items"]) == 15
    rest = sim.b3os.get("/v1/runs", params={"limit": 15, "offset": 15}).json()["data"]
    assert rest["hasMore"] is False and len(rest["items"]) == 5
    ids = [x["id"] for x in page["items"] + rest["items"]]
    assert ids == [x["id"] for x in data["items"]] and len(set(ids)) == 20
    item = data["items"][0]
    assert item["workflowName"] and item["startedAt"].endswith("Z") and "executionState" not in item
    assert sim.b3os.get("/v1/runs", params={"limit": 1000}).json()["data"]["limit"] == 100


def test_org_list_ignores_status_but_workflow_list_filters(sim: Sim) -> None:
    all_items = sim.b3os.get("/v1/runs").json()["data"]["items"]
    ignored = sim.b3os.get("/v1/runs", params={"status": "success"}).json()["data"]["items"]
    assert [x["id"] for x in ignored] == [x["id"] for x in all_items]
    assert {x["status"] for x in all_items} != {"success"}
    wf = all_items[0]["workflowId"]
    by_wf = sim.b3os.get("/v1/runs", params={"workflowId": wf}).json()["data"]["items"]
    assert by_wf and {x["workflowId"] for x in by_wf} == {wf}
    for status in ("success", "failure"):
        got = sim.b3os.get(f"/v1/workflows/{wf}/runs", params={"status": status}).json()["data"]["items"]
        assert {x["status"] for x in got} <= {status}
    assert sim.b3os.get(f"/v1/workflows/{wf}/runs", params={"status": "bogus"}).status_code == 400


def test_get_run_summary_and_node_ids(sim: Sim) -> None:
    run_id = sim.find("b3os", "success", 1)[0]["id"]
    full = _run(sim, run_id)
    assert set(full["executionState"]) == set(full["workflowDefinition"]["nodes"])
    assert all(n["status"] == "success" for n in full["executionState"].values())
    assert full["totalCu"] > 0 and full["finishedAt"].endswith("Z")
    summary = _run(sim, run_id, summary="true")
    assert "executionState" not in summary and "workflowDefinition" not in summary
    first = next(iter(full["executionState"]))
    limited = _run(sim, run_id, nodeIds=first)
    assert list(limited["executionState"]) == [first]


def test_unknown_run_404_envelope(sim: Sim) -> None:
    r = sim.b3os.get("/v1/runs/run_nope")
    assert r.status_code == 404 and r.json()["code"] == 404 and r.json()["data"] is None


def test_workflow_with_input_schema(sim: Sim) -> None:
    wf = _wf(sim, "Payroll in USDC")
    data = sim.b3os.get(f"/v1/workflows/{wf}").json()["data"]
    assert data["id"] == wf and data["inputSchema"][0]["key"]


def test_trigger_progresses_node_by_node(sim: Sim) -> None:
    run_id = _trigger(sim, body={"payload": {"amount": 5}})
    first = _run(sim, run_id)
    assert first["status"] == "running" and first["totalCu"] == 0
    sim.tick(45)
    second = _run(sim, run_id)
    done = [k for k, v in second["executionState"].items() if v["status"] == "success"]
    assert len(done) >= 2 and second["totalCu"] > 0
    sim.tick(10_000)
    assert _run(sim, run_id)["status"] in ("success", "failure", "partial")


def test_trigger_without_body_and_errors(sim: Sim) -> None:
    r = sim.b3os.post(f"/v1/workflows/{_wf(sim, 'Gas refuel bot')}/run")
    assert r.status_code == 200 and r.json()["data"]["runId"].startswith("run_")
    r = sim.b3os.post(f"/v1/workflows/{_wf(sim, 'Legacy bridge sweeper')}/run", json={})
    assert r.status_code == 400 and r.json()["message"] == "Workflow is archived"
    assert sim.b3os.post("/v1/workflows/wf_nope/run").status_code == 404
    run_id = _trigger(sim, body={"runId": "run_mychosenid"})
    assert run_id == "run_mychosenid"


def test_cancel_valid_and_409(sim: Sim) -> None:
    run_id = _trigger(sim)
    r = sim.b3os.post(f"/v1/runs/{run_id}/cancel")
    assert r.status_code == 200 and r.json()["data"]["status"] == "cancelled"
    r = sim.b3os.post(f"/v1/runs/{run_id}/cancel")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == 409 and body["data"] is None and body["message"] == "Run is not cancellable"
    assert body["requestId"]


def test_retry_only_failure(sim: Sim) -> None:
    run_id = _trigger(sim)
    assert sim.b3os.post(f"/v1/runs/{run_id}/retry").status_code == 409
    sim.tick(10)
    sim.force("b3os", run_id, "failure")
    r = sim.b3os.post(f"/v1/runs/{run_id}/retry")
    assert r.status_code == 200
    new_id = r.json()["data"]["runId"]
    assert new_id != run_id and _run(sim, new_id)["sourceRunId"] == run_id


def test_waiting_node_resume(sim: Sim) -> None:
    run_id = _trigger(sim, "Payroll in USDC")
    sim.tick(10_000)
    run = _run(sim, run_id)
    assert run["status"] == "waiting"  # a run you started waits for you
    assert run["executionState"]["approval"]["status"] == "waiting"
    path = f"/v1/runs/{run_id}/nodes/approval/resume"
    assert sim.b3os.post(path, json={"data": {}}).status_code == 400  # no secret
    assert sim.b3os.post(path, params={"secret": "wrong"}, json={"data": {}}).status_code == 401
    secret = sim.catalog["b3os"]["webhook_secret"]
    r = sim.b3os.post(f"/v1/runs/{run_id}/nodes/pay/resume", params={"secret": secret}, json={"data": {}})
    assert r.json()["data"]["action"] == "skipped"
    r = sim.b3os.post(path, params={"secret": secret}, json={"data": {"approved": True}})
    assert r.status_code == 200 and r.json()["data"]["action"] == "resumed" and r.json()["data"]["reason"]
    assert _run(sim, run_id)["status"] == "running"
    r = sim.b3os.post(path, params={"secret": secret}, json={"data": {}})
    assert r.json()["data"]["action"] == "skipped"
    sim.tick(10_000)
    assert _run(sim, run_id)["status"] in ("success", "partial", "failure")


def _events(lines: Any) -> Any:
    name = None
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            yield name, json.loads(line[5:])


def test_sse_stream_sends_run_then_changes_then_end(sim: Sim) -> None:
    run_id = _trigger(sim)
    headers = {"Authorization": f"Bearer {sim.server.config.keys['b3os']}"}
    with (
        httpx.Client(base_url=sim.url + "/b3os", headers=headers, timeout=10) as client,
        client.stream("GET", f"/v1/runs/{run_id}/stream") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.iter_lines())
        name, data = next(events)
        assert name == "run" and data["id"] == run_id and data["status"] == "running"
        sim.tick(61)  # longer than any node of this workflow
        name, data2 = next(events)
        assert name == "run" and data2["executionState"] != data["executionState"]
        sim.tick(10_000)
        seen = [next(events)]
        while seen[-1][0] != "end":
            seen.append(next(events))
        assert seen[-1][1]["status"] in ("success", "failure", "partial")
