"""Workflow figures and deployment pause/resume against the real Prefect server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .conftest import PROFILE, PrefectServer

pytestmark = pytest.mark.prefect


def test_deployments_listed_with_server_counts(prefect_server: PrefectServer) -> None:
    dep = prefect_server.deployments["failer"]
    failing = prefect_server.call("POST", f"/deployments/{dep}/create_flow_run", {})
    prefect_server.wait_type(failing["id"], "FAILED", "CRASHED", "COMPLETED", timeout=90)
    prefect_server.call("POST", f"/deployments/{dep}/create_flow_run",
                        {"state": {"type": "SCHEDULED", "state_details": {
                            "scheduled_time": (datetime.now(UTC) + timedelta(minutes=30)).isoformat()}}})
    listed = prefect_server.cli("workflows", "list", "-p", PROFILE, "--since", "7d", "--json")
    assert listed.code == 0, listed.err
    rows = {r["workflow_id"]: r for r in listed.json()}
    assert set(prefect_server.deployments.values()) <= set(rows)
    failer = rows[prefect_server.deployments["failer"]]
    assert failer["workflow_name"] == "failer/failer-dep"
    assert failer["paused"] is False and failer["counted_on_server"] is True
    # the server's own count of this deployment's runs up to now, asked directly
    now = datetime.now(UTC)
    window = {"after_": (now - timedelta(days=7)).isoformat(), "before_": now.isoformat()}
    body = {"flow_runs": {"deployment_id": {"any_": [dep]}, "expected_start_time": window}}
    assert failer["runs"] == prefect_server.call("POST", "/flow_runs/count", body) >= 1
    failed = {"flow_runs": {**body["flow_runs"], "state": {"type": {"any_": ["FAILED", "CRASHED"]}}}}
    assert failer["failed"] == prefect_server.call("POST", "/flow_runs/count", failed) >= 1
    assert failer["next_run_at"] is not None  # the scheduled run made above


def test_deployment_pause_resume_round_trip(prefect_server: PrefectServer) -> None:
    dep = prefect_server.deployments["talker"]
    try:
        paused = prefect_server.cli("workflows", "pause", dep, "-p", PROFILE, "--json")
        assert paused.code == 0, paused.err
        assert paused.json()["results"][0]["trigger"]["paused"] is True
        assert prefect_server.call("GET", f"/deployments/{dep}")["paused"] is True
        again = prefect_server.cli("workflows", "pause", dep, "-p", PROFILE)
        assert again.code == 3 and "pause works on active" in again.err
    finally:
        resumed = prefect_server.cli("workflows", "resume", dep, "-p", PROFILE)
    assert resumed.code == 0, resumed.err
    assert prefect_server.call("GET", f"/deployments/{dep}")["paused"] is False
    cancel = prefect_server.cli("workflows", "cancel", dep, "-p", PROFILE)
    assert cancel.code == 3  # Prefect deployments have no cancel
