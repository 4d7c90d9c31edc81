"""An action on a run that ended between its read and its request: "skipped", exit 3.

The CLI reads the run, finds the action allowed and sends it; meanwhile the run ended
on the platform, which refuses. That said `cancel ID: FAILED` and exited 1, "the
platform refused / something broke", where a bulk action says the same run "skipped:
already succeeded". Now it says skipped with the state, exits 3 as the same command
run again does (refused before sending), and the journal records "skipped".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from runtui.sim import SimConfig, SimServer
from tests.cli_result import CliResult, invoke
from tests.ends_meanwhile import EndsMeanwhile
from tests.integration.conftest import serve_sim

PROFILE = {"wexa": "wexa-sim", "edges": "edges-sim", "b3os": "b3os-sim"}
RUNNING = {"wexa": "running", "edges": "RUNNING", "b3os": "running"}
SUCCEEDED = {"wexa": "completed", "edges": "SUCCEEDED", "b3os": "success"}


@dataclass
class RacingSim:
    url: str
    door: EndsMeanwhile
    config: os.PathLike[str]
    used: set[str]

    def take(self, provider: str, status: str) -> str:
        """A run in raw `status` no test of this module used yet."""
        found = httpx.get(f"{self.url}/_sim/runs/{provider}", params={"status": status, "limit": "50"},
                          timeout=10).json()
        run_id: str = next(r["id"] for r in found if r["id"] not in self.used)
        self.used.add(run_id)
        return run_id

    def cli(self, *args: str) -> CliResult:
        return invoke(self.config, *args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def racing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RacingSim]:
    doors: list[EndsMeanwhile] = []

    def wrap(server: SimServer) -> EndsMeanwhile:
        doors.append(EndsMeanwhile(server.app, server.world))
        return doors[0]

    with serve_sim(SimConfig(seed=11, runs=90, spawn_every=0), tmp_path_factory.mktemp("racing-sim"),
                   wrap=wrap) as sim:
        yield RacingSim(sim.url, doors[0], sim.config_path, set())


@pytest.mark.parametrize("provider", ["wexa", "edges", "b3os"])
def test_a_cancel_of_a_run_that_ended_meanwhile_says_skipped_and_exits_3(
        racing: RacingSim, provider: str) -> None:
    run_id = racing.take(provider, RUNNING[provider])
    racing.door.arm(provider, run_id, SUCCEEDED[provider])
    res = racing.cli("runs", "cancel", run_id, "-p", PROFILE[provider])
    assert res.code == 3, (res.out, res.err)
    assert res.out.startswith(f"cancel {run_id}: skipped, the run had already ended as succeeded"), res.out
    assert "FAILED" not in res.out + res.err
    history = racing.cli("history", "--json").json()
    mine = [e for e in history if e["run_id"] == run_id]
    assert [e["outcome"] for e in mine] == ["skipped"], mine


def test_a_skipped_action_in_json_is_a_not_allowed_error_with_its_reason(racing: RacingSim) -> None:
    run_id = racing.take("edges", "RUNNING")
    racing.door.arm("edges", run_id, "FAILED")
    res = racing.cli("runs", "cancel", run_id, "-p", "edges-sim", "--json")
    assert res.code == 3, res.out
    out = res.json()
    assert out["ok"] is False and out["skipped"] == "the run had already ended as failed"
    assert out["error"]["code"] == 3 and out["error"]["kind"] == "not_allowed"
    assert out["error"]["message"] == "skipped: the run had already ended as failed"
    assert out["run"]["status"] == "failed"


def test_a_pause_of_a_run_paused_meanwhile_says_skipped_with_its_state(racing: RacingSim) -> None:
    """Not only an end: a run that moved on to a state the action does not apply to."""
    run_id = racing.take("wexa", "running")
    racing.door.arm("wexa", run_id, "paused")
    res = racing.cli("runs", "pause", run_id, "-p", "wexa-sim")
    assert res.code == 3, (res.out, res.err)
    assert res.out.startswith(f"pause {run_id}: skipped, cannot pause a paused run"), res.out


def test_an_action_the_platform_carries_out_is_not_skipped(racing: RacingSim) -> None:
    """The door left unarmed: the same cancel goes through, exit 0, nothing said skipped."""
    run_id = racing.take("edges", "RUNNING")
    res = racing.cli("runs", "cancel", run_id, "-p", "edges-sim", "--json")
    assert res.code == 0, res.out
    assert res.json()["ok"] is True and "skipped" not in res.json()
