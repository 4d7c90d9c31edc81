"""Every fault kind is observable from a client; /_sim is never faulted."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from runtui.sim import ALL_FAULT_KINDS

from .conftest import Sim


def _some_run(sim: Sim) -> str:
    return str(sim.find("edges", "SUCCEEDED", 1)[0]["id"])


def test_all_kinds_exported() -> None:
    assert len(ALL_FAULT_KINDS) == 15 and "lost_response" in ALL_FAULT_KINDS


def test_latency(sim: Sim) -> None:
    sim.faults(1.0, "latency")
    started = time.monotonic()
    r = sim.edges.get("/flows/runs")
    assert r.status_code == 200 and time.monotonic() - started >= 0.5


def test_429_with_retry_after(sim: Sim) -> None:
    sim.faults(1.0, "429")
    r = sim.edges.get("/flows/runs")
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 5
    assert r.json()["label"] == "STATUS_429"


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors(sim: Sim, kind: str) -> None:
    sim.faults(1.0, kind)
    r = sim.b3os.get("/v1/runs")
    assert r.status_code == int(kind) and r.json()["code"] == int(kind)


def test_timeout(sim: Sim) -> None:
    sim.faults(1.0, "timeout")
    with pytest.raises(httpx.ReadTimeout):
        sim.edges.get("/flows/runs", timeout=0.5)


def test_reset(sim: Sim) -> None:
    sim.faults(1.0, "reset")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        sim.edges.get("/flows/runs")


def test_truncated(sim: Sim) -> None:
    full = sim.edges.get("/flows/runs").content
    sim.faults(1.0, "truncated")
    r = sim.edges.get("/flows/runs")
    assert r.status_code == 200 and len(r.content) == len(full) // 2
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_html(sim: Sim) -> None:
    sim.faults(1.0, "html")
    r = sim.wexa.get(f"/{sim.project}/execution_flows")
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")


def test_malformed(sim: Sim) -> None:
    sim.faults(1.0, "malformed")
    r = sim.edges.get("/flows/runs")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_wrongtypes(sim: Sim) -> None:
    uid = _some_run(sim)
    good = sim.edges.get(f"/flows/runs/{uid}").json()
    sim.faults(1.0, "wrongtypes")
    bad = sim.edges.get(f"/flows/runs/{uid}").json()
    assert set(bad) == set(good)
    changed = [k for k in good if type(good[k]) is not type(bad[k])]
    assert changed


def test_unknown_status(sim: Sim) -> None:
    uid = _some_run(sim)
    sim.faults(1.0, "unknown_status")
    assert sim.edges.get(f"/flows/runs/{uid}").json()["status"] == "RETRYING"
    run_id = sim.find("wexa", "completed", 1)[0]["id"]
    assert sim.wexa.get(f"/execute_flow/{run_id}").json()["status"] == "awaiting_approval"


def test_duplicate(sim: Sim) -> None:
    sim.faults(1.0, "duplicate")
    items = sim.b3os.get("/v1/runs", params={"limit": 10}).json()["data"]["items"]
    ids = [x["id"] for x in items]
    assert len(ids) == 11 and len(set(ids)) == 10


def test_vanish(sim: Sim) -> None:
    sim.faults(1.0, "vanish")
    runs = sim.edges.get("/flows/runs", params={"limit": 10}).json()
    assert len(runs) == 9


def test_lost_response_applies_the_action(sim: Sim) -> None:
    uid = sim.edges.post("/flows/linkedin-profile-enrich/run/async", json={"inputs": [{}]}).json()["uid"]
    sim.faults(1.0, "lost_response")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        sim.edges.post(f"/flows/runs/{uid}/cancel")
    # lost_response only hits POSTs
    assert sim.edges.get(f"/flows/runs/{uid}").json()["status"] == "STOPPED"


def test_faults_respect_rate_and_spare_control(sim: Sim) -> None:
    sim.faults(1.0, "500")
    assert sim.ctl.get("/_sim/stats").status_code == 200
    sim.faults(0.0, "500")
    assert sim.edges.get("/flows/runs").status_code == 200
    r = sim.ctl.post("/_sim/faults", json={"rate": 0.5, "kinds": ["nope"]})
    assert r.status_code == 400


def test_partial_fault_rate_mixes(sim: Sim) -> None:
    sim.faults(0.5, "500")
    codes = {sim.edges.get("/flows/runs").status_code for _ in range(40)}
    assert codes == {200, 500}
