"""Every provider refuses a wrong or missing key with its own 401 body."""

from __future__ import annotations

import httpx

from .conftest import Sim


def test_wexa_401(sim: Sim) -> None:
    for headers in ({}, {"x-api-key": "nope"}):
        r = httpx.get(f"{sim.url}/wexa/execute_flow/x", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"detail": "Invalid API key"}


def test_edges_401(sim: Sim) -> None:
    for headers in ({}, {"X-API-Key": "nope"}):
        r = httpx.get(f"{sim.url}/edges/v1/flows/runs", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"label": "UNAUTHORIZED", "message": "Invalid API key"}


def test_b3os_401(sim: Sim) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "sim-b3os-key"}):
        r = httpx.get(f"{sim.url}/b3os/v1/runs", headers=headers)
        assert r.status_code == 401
        body = r.json()
        assert body["code"] == 401 and body["data"] is None and body["message"] == "Invalid API key"
        assert body["requestId"]


def test_right_keys_pass(sim: Sim) -> None:
    assert sim.wexa.get(f"/{sim.project}/execution_flows").status_code == 200
    assert sim.edges.get("/flows/runs").status_code == 200
    assert sim.b3os.get("/v1/runs").status_code == 200


def test_control_routes_need_no_auth(sim: Sim) -> None:
    assert httpx.get(f"{sim.url}/_sim/stats").status_code == 200
