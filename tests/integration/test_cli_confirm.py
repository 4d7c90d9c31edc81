"""A destructive action asks on a terminal only when it can happen: what would be refused
(a finished run, a read-only profile) is refused at once, exit 3, without the question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from runtui.cli import cli
from tests.integration.conftest import Sim

QUESTION = "cannot be undone"


@pytest.fixture(autouse=True)
def at_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from runtui import cli_actions

    monkeypatch.setattr(cli_actions, "interactive", lambda: True)
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def _on_a_tty(config: Path, *args: str) -> tuple[int, str]:
    """The command, with `y` typed should it ask: (exit code, stderr)."""
    result = CliRunner().invoke(cli, ["--config", str(config), *args], input="y\n")
    return result.exit_code, result.stderr


def _read_only_copy(sim: Sim, tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    text = sim.config_path.read_text(encoding="utf-8")
    start = text.index("[profiles.wexa-sim]")
    end = text.find("\n[", start + 1)
    wexa = text[start:] if end < 0 else text[start:end]
    config.write_text(text + "\n" + wexa.replace("[profiles.wexa-sim]", "[profiles.ro-wexa]")
                      + "\nread_only = true\n", encoding="utf-8")
    config.chmod(0o600)
    return config


def test_cancel_of_a_finished_run_is_refused_without_asking(sim: Sim) -> None:
    done = sim.find("edges", "SUCCEEDED")[0]["id"]
    before = sim.posts()
    code, err = _on_a_tty(sim.config_path, "runs", "cancel", done, "-p", "edges-sim")
    assert code == 3 and "not allowed" in err
    assert QUESTION not in err
    assert sim.posts() == before


def test_a_read_only_profile_is_refused_without_asking(sim: Sim, tmp_path: Path) -> None:
    config = _read_only_copy(sim, tmp_path)
    running = sim.find("wexa", "running")[0]["id"]
    tasks = CliRunner().invoke(cli, ["--config", str(config), "tasks", "list", "-p", "ro-wexa", "--json"])
    task = next(t["id"] for t in json.loads(tasks.stdout) if t["raw_status"] in ("running", "pending"))
    before = sim.posts()
    for args in (("runs", "cancel", running), ("tasks", "stop", task)):
        code, err = _on_a_tty(config, *args, "-p", "ro-wexa")
        assert code == 3 and "read-only" in err, (args, err)
        assert QUESTION not in err, args
    assert sim.posts() == before


def test_a_refusal_names_the_runs_profile_found_without_p(sim: Sim, tmp_path: Path) -> None:
    """Found by its id alone, a run on a read-only profile was refused as `not allowed:
    profile is read-only` with `"profile": null` in the JSON: which of the profiles?"""
    config = _read_only_copy(sim, tmp_path)
    running = sim.find("wexa", "running")[0]["id"]
    text = CliRunner().invoke(cli, ["--config", str(config), "runs", "cancel", running, "--json",
                                    "--yes", "-p", "ro-wexa"])
    assert text.exit_code == 3
    assert json.loads(text.stdout)["error"]["profile"] == "ro-wexa"
    done = sim.find("edges", "SUCCEEDED")[0]["id"]
    found = CliRunner().invoke(cli, ["--config", str(config), "runs", "cancel", done, "--json"])
    assert found.exit_code == 3, found.stdout
    error = json.loads(found.stdout)["error"]
    assert error["profile"] == "edges-sim" and error["message"].startswith("edges-sim: not allowed")


def test_an_allowed_action_still_asks(sim: Sim) -> None:
    run_id = sim.find("edges", limit=60)[-2]["id"]
    sim.control("POST", f"/runs/edges/{run_id}/status", json={"status": "RUNNING"})
    code, err = _on_a_tty(sim.config_path, "runs", "cancel", run_id, "-p", "edges-sim")
    assert code == 0 and QUESTION in err
