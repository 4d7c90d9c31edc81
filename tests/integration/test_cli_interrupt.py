"""Ctrl-C is exit 130 with one `interrupted` line, never click's `Aborted!` and exit 1
(which a script reads as "a run failed"). Real processes get a real SIGINT once they
have printed (so they are inside the wait or the follow), and are waited for."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from click.testing import CliRunner

from runtui import cli_json_array
from runtui.cli_output import EXIT_INTERRUPTED
from runtui.model import Run
from tests.integration.conftest import Sim, run_cli


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
    monkeypatch.setattr(cli_actions, "interactive", lambda: True)
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


def _on_a_terminal(sim: Sim, *args: str) -> tuple[int, int]:
    """`runtui ARGS` on a pty it has as its controlling terminal (so \\x03 is SIGINT to it,
    as a shell's foreground command): (pid, the pty's master end)."""
    pid, master = pty.fork()
    if pid == 0:  # the child: never returns
        try:
            _as_from_a_terminal()
            os.execve(sys.executable, [sys.executable, "-m", "runtui", "--config", str(sim.config_path),
                                       *args], {**os.environ, **sim.env})
        finally:
            os._exit(127)
    return pid, master


def _read_until(master: int, marker: bytes, timeout: float = 30.0) -> bytes:
    """What the terminal showed up to and including `marker` (fails on timeout or end)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} within {timeout}s: {seen!r}"
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child ended and closed the terminal
                chunk = b""
            assert chunk, f"ended before {marker!r}: {seen!r}"
            seen += chunk
    return seen


def _exit_code(pid: int, timeout: float = 20.0) -> int | None:
    """The child's exit code, or None (it is killed) when it has not ended within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


@pytest.mark.parametrize("command", [("runs", "cancel"), ("workflows", "cancel")])
def test_one_ctrl_c_at_the_confirmation_exits_130_and_sends_nothing(sim: Sim,
                                                                    command: tuple[str, str]) -> None:
    """Asked inside the event loop, the first Ctrl-C only cancelled a task the blocked
    prompt never saw: the question stayed, and a second Ctrl-C was needed."""
    if command[0] == "runs":
        target, profile = _running_edges_run(sim), "edges-sim"
    else:
        target, profile = _live_edges_workflow(sim), "edges-sim"
    before = sim.posts()
    pid, master = _on_a_terminal(sim, *command, target, "-p", profile)
    try:
        _read_until(master, b"This cannot be undone")
        os.write(master, b"\x03")
        code = _exit_code(pid)
        rest = _drain(master)
    finally:
        os.close(master)
    assert code == EXIT_INTERRUPTED, f"one Ctrl-C did not end it: {rest!r}"
    assert b"runtui: interrupted" in rest
    assert sim.posts() == before, "nothing was sent"


def _live_edges_workflow(sim: Sim) -> str:
    """One Edges schedule a cancel can act on (its uid)."""
    from tests.cli_result import invoke

    rows = invoke(sim.config_path, "workflows", "list", "-p", "edges-sim", "--json", "--since", "30d").json()
    live = [t["id"] for r in rows for t in r["triggers"] if t["state"] in ("ACTIVE", "PAUSED")]
    assert live, rows
    return str(live[0])


def _drain(master: int) -> bytes:
    out = b""
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def test_the_confirmation_on_a_terminal_takes_no_then_yes(sim: Sim) -> None:
    """The question read in short waits still answers as click's confirm did."""
    run_id = _running_edges_run(sim)
    before = sim.posts()
    pid, master = _on_a_terminal(sim, "runs", "cancel", run_id, "-p", "edges-sim")
    try:
        _read_until(master, b"[y/N]: ")
        os.write(master, b"maybe\r")
        assert b"invalid input" in _read_until(master, b"[y/N]: ")  # and asked again
        os.write(master, b"n\r")
        code = _exit_code(pid)
        _drain(master)
    finally:
        os.close(master)
    assert code == 5 and sim.posts() == before  # answered no: nothing sent
    pid, master = _on_a_terminal(sim, "runs", "cancel", run_id, "-p", "edges-sim")
    try:
        _read_until(master, b"[y/N]: ")
        os.write(master, b"y\r")
        code = _exit_code(pid)
        said = _drain(master)
    finally:
        os.close(master)
    assert code == 0, said
    assert sim.posts() == before + 1


def test_ctrl_c_mid_json_listing_leaves_the_array_cut_not_an_error_after_it(
        sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    """`runs list --json` is written as its runs are encoded; a Ctrl-C after the first ones
    printed `{"error": ...}` after the array's start, a text no parser reads and that looks
    like one more row to a line-by-line reader. The array stays cut, stderr says so, 130."""
    monkeypatch.setattr(cli_json_array, "BATCH_CHARS", 1)
    to_json = Run.to_json
    encoded = 0

    def interrupted_after_two(run: Run) -> dict[str, Any]:
        nonlocal encoded
        encoded += 1
        if encoded > 2:
            raise KeyboardInterrupt
        return to_json(run)

    monkeypatch.setattr(Run, "to_json", interrupted_after_two)
    res = run_cli(sim, "runs", "list", "-p", "edges-sim", "--json")
    assert res.code == EXIT_INTERRUPTED, res.err
    assert res.out.startswith("[\n  {") and "{\"error\"" not in res.out
    with pytest.raises(json.JSONDecodeError):
        json.loads(res.out)
    assert res.err.strip() == "runtui: interrupted: the JSON on stdout is cut short"


def test_ctrl_c_before_the_json_listing_printed_is_the_error_object(
        sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_run: Run) -> dict[str, Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr(Run, "to_json", interrupted)
    res = run_cli(sim, "runs", "list", "-p", "edges-sim", "--json")
    assert res.code == EXIT_INTERRUPTED
    assert json.loads(res.out)["error"]["kind"] == "interrupted", repr(res.out)
