"""`runtui attention` against the simulator: reasons, exit codes, acknowledgements."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import Sim, run_cli


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def test_waiting_runs_say_where_they_wait_and_exit_1(sim: Sim) -> None:
    waiting = {r["id"] for r in sim.find("b3os", "waiting")}
    assert waiting, "the seeded world has B3OS runs at a wait node"
    result = run_cli(sim, "attention", "--json")
    assert result.code == 1, result.err
    items = result.json()
    b3os_waiting = [i for i in items if i["profile"] == "b3os-sim" and i["reason"] == "waiting"]
    assert {i["id"] for i in b3os_waiting} == waiting
    assert all(i["detail"].startswith("waits at ") for i in b3os_waiting)
    assert all("resume" in i["actions"] for i in b3os_waiting)
    assert {"reason", "id", "profile", "provider", "status", "actions"} <= set(items[0])


def test_failures_leave_the_queue_once_acknowledged(sim: Sim) -> None:
    failed = [i for i in run_cli(sim, "attention", "--json").json() if i["reason"] == "failed"]
    assert failed
    one = failed[0]
    assert run_cli(sim, "attention", "ack", one["id"], "-p", one["profile"]).code == 0
    left = {i["id"] for i in run_cli(sim, "attention", "--json").json() if i["reason"] == "failed"}
    assert one["id"] not in left and left == {i["id"] for i in failed[1:]}
    assert run_cli(sim, "attention", "ack", "--all").code == 0
    assert not [i for i in run_cli(sim, "attention", "--json").json() if i["reason"] == "failed"]


def test_exit_0_when_nothing_needs_attention(sim: Sim) -> None:
    for run in sim.find("edges", "BLOCKED", limit=100):
        sim.control("POST", f"/runs/edges/{run['id']}/status", json={"status": "SUCCEEDED"})
    assert run_cli(sim, "attention", "ack", "--all", "-p", "edges-sim").code == 0
    result = run_cli(sim, "attention", "-p", "edges-sim")
    assert (result.code, result.out.strip()) == (0, "nothing needs attention"), result.out


def test_a_profile_that_cannot_be_read_is_trouble(sim: Sim, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.down]\nprovider = "prefect"\nbase_url = "http://127.0.0.1:9/api"\n'
                      "allow_insecure_http = true\n", encoding="utf-8")
    config.chmod(0o600)
    from tests.cli_result import invoke

    result = invoke(config, "attention", "--json")
    assert result.code == 1
    assert [(i["reason"], i["profile"]) for i in result.json()] == [("profile", "down")]


def test_usage_errors_exit_2(sim: Sim) -> None:
    assert run_cli(sim, "attention", "ack").code == 2
    assert run_cli(sim, "attention", "-p", "no-such-profile").code == 2
