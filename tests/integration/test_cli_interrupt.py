"""Ctrl-C is exit 130 with one `interrupted` line, never click's `Aborted!` and exit 1
(which a script reads as "a run failed"). Real processes get a real SIGINT once they
have printed (so they are inside the wait or the follow), and are waited for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from runtui.cli_output import EXIT_INTERRUPTED
from tests.integration.conftest import Sim


def _as_from_a_terminal() -> None:
    """SIGINT as a shell's foreground command has it: a suite started in the background
    (`.ci/run &`) ignores SIGINT, its children inherit that, and Python then never turns
    SIGINT into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(sim: Sim, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "runtui", "--config", str(sim.config_path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **sim.env}, preexec_fn=_as_from_a_terminal)


def _interrupt_after_first_line(proc: subprocess.Popen[str]) -> tuple[str, str, str]:
    """SIGINT once the command printed a line; (that line, the rest of stdout, stderr)."""
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        assert first, f"ended before printing: {proc.communicate(timeout=30)}"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return first, out, err


def _running_edges_run(sim: Sim) -> str:
    run_id: str = sim.find("edges", limit=60)[-1]["id"]
    sim.control("POST", f"/runs/edges/{run_id}/status", json={"status": "RUNNING"})
    return run_id


def test_ctrl_c_during_wait_exits_130_and_says_interrupted(sim: Sim) -> None:
    run_id = _running_edges_run(sim)
    proc = _start(sim, "runs", "wait", run_id, "-p", "edges-sim")
    first, _out, err = _interrupt_after_first_line(proc)
    assert run_id in first
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert err.strip() == "runtui: interrupted" and "Aborted" not in err


def test_ctrl_c_during_wait_json_prints_the_summary_so_far(sim: Sim) -> None:
    run_id = _running_edges_run(sim)
    proc = _start(sim, "runs", "wait", run_id, "-p", "edges-sim", "--json")
    first, out, err = _interrupt_after_first_line(proc)
    assert json.loads(first)["id"] == run_id
    assert proc.returncode == EXIT_INTERRUPTED, err
    summary = json.loads(out.splitlines()[-1])["summary"]
    assert summary["exit_code"] == EXIT_INTERRUPTED and summary["unfinished"] == [run_id]
    assert "runtui: interrupted" in err


def test_ctrl_c_while_following_logs_exits_130_with_valid_ndjson(sim: Sim) -> None:
    running = [r["id"] for r in sim.find("b3os", "running")]
    assert running, "the seeded b3os world has a running run"
    proc = _start(sim, "runs", "logs", running[0], "-p", "b3os-sim", "--follow", "--json")
    first, out, err = _interrupt_after_first_line(proc)
    assert proc.returncode == EXIT_INTERRUPTED, err
    lines = [json.loads(line) for line in [first, *out.splitlines()]]
    assert lines[-1]["error"]["kind"] == "interrupted"
    assert "runtui: interrupted" in err and "Aborted" not in err


def test_end_of_input_at_the_confirmation_exits_130_and_sends_nothing(
        sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    from runtui import cli_actions
    from runtui.cli import cli

    run_id = _running_edges_run(sim)
    before = sim.posts()
    monkeypatch.setattr(cli_actions, "_interactive", lambda: True)
    result = CliRunner().invoke(cli, ["--config", str(sim.config_path), "runs", "cancel", run_id,
                                      "-p", "edges-sim"], input="")
    assert result.exit_code == EXIT_INTERRUPTED, result.stderr
    assert "runtui: interrupted" in result.stderr and "Aborted" not in result.stderr
    assert sim.posts() == before


def test_ctrl_c_while_the_tui_starts_exits_130(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Pressed before the app holds the keyboard, Ctrl-C said click's "Aborted!", exit 1."""
    from runtui import cli
    from runtui.tui import launch

    def interrupted(_config: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(launch, "run_app", interrupted)
    with pytest.raises(SystemExit) as ended:
        cli._open_tui(cli.Path("config.toml"))
    assert ended.value.code == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "runtui: interrupted" in err and "Aborted" not in err
