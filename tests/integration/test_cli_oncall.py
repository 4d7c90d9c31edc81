"""CLI answers a script can rely on: usage errors are exit 2, failures name what failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import Sim, run_cli


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def test_tasks_of_a_platform_without_tasks_is_a_usage_error(sim: Sim) -> None:
    result = run_cli(sim, "tasks", "list", "-p", "edges-sim")
    assert result.code == 2 and "Edges has no tasks" in result.err


def test_a_failed_start_names_the_workflow_and_the_servers_reason(sim: Sim) -> None:
    result = run_cli(sim, "runs", "execute", "-p", "edges-sim", "-w", "no-such-flow")
    assert result.code == 1
    assert result.out.startswith("execute workflow no-such-flow: FAILED")
    assert "runtui:" in result.err and len(result.err.strip()) > len("runtui:")


def test_profiles_test_all_tests_every_profile(sim: Sim) -> None:
    result = run_cli(sim, "profiles", "test", "--all")
    assert result.code == 0, result.out + result.err
    assert {line.split()[1].rstrip(":") for line in result.out.splitlines()} == {
        "wexa-sim", "edges-sim", "b3os-sim"}
    assert all(line.startswith("OK ") for line in result.out.splitlines())
    both = run_cli(sim, "profiles", "test", "edges-sim", "--all")
    assert both.code == 2 and "not both" in both.err


def test_cancel_asks_on_a_terminal_and_never_without_one(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from runtui import cli_actions
    from runtui.cli import cli

    run_id = sim.find("edges", "RUNNING")[0]["id"]
    monkeypatch.setattr(cli_actions, "interactive", lambda: True)
    said_no = CliRunner().invoke(cli, ["--config", str(sim.config_path), "runs", "cancel", run_id,
                                       "-p", "edges-sim"], input="n\n")
    assert said_no.exit_code == 5 and "This cannot be undone" in said_no.stderr
    assert run_id in {r["id"] for r in sim.find("edges", "RUNNING", limit=200)}, "nothing sent"
    monkeypatch.setattr(cli_actions, "interactive", lambda: False)
    scripted = run_cli(sim, "runs", "cancel", run_id, "-p", "edges-sim")  # no TTY: no question
    assert scripted.code == 0, scripted.err


def _asked(sim: Sim, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """Run a destructive command as at a terminal, answering no: (exit code, stderr)."""
    from click.testing import CliRunner

    from runtui import cli_actions
    from runtui.cli import cli

    monkeypatch.setattr(cli_actions, "interactive", lambda: True)
    said_no = CliRunner().invoke(cli, ["--config", str(sim.config_path), *args], input="n\n")
    return said_no.exit_code, said_no.stderr


def test_answering_no_says_plainly_that_nothing_was_sent(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = run_cli(sim, "tasks", "list", "-p", "wexa-sim", "--json").json()
    assert tasks, "the seeded Wexa world has tasks"
    code, err = _asked(sim, monkeypatch, "tasks", "stop", tasks[0]["id"], "-p", "wexa-sim")
    assert code == 5, err
    assert "stop not sent: answered no" in err and "led" not in err.split("?")[-1]
    assert "not allowed" not in err, "a question answered no is the person's choice, not a refusal"


def test_the_edges_cancel_question_never_says_no_workflow(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = sim.find("edges", "RUNNING")[0]["id"]
    shown = run_cli(sim, "runs", "show", run_id, "-p", "edges-sim", "--json").json()
    assert shown["workflow_id"] or shown["workflow_name"]
    code, err = _asked(sim, monkeypatch, "runs", "cancel", run_id, "-p", "edges-sim")
    assert code == 5, err
    assert "no workflow" not in err and f"cancel {run_id} (running) on edges-sim?" in err


def test_answering_no_with_json_is_one_declined_error_object(sim: Sim,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from runtui import cli_actions
    from runtui.cli import cli

    run_id = sim.find("edges", "RUNNING")[0]["id"]
    monkeypatch.setattr(cli_actions, "interactive", lambda: True)
    said_no = CliRunner().invoke(cli, ["--config", str(sim.config_path), "runs", "cancel", run_id,
                                       "-p", "edges-sim", "--json"], input="n\n")
    assert said_no.exit_code == 5
    error = json.loads(said_no.stdout)["error"]
    assert (error["code"], error["kind"]) == (5, "declined")
    assert error["message"] == "cancel not sent: answered no"
