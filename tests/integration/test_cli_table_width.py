"""Tables on a narrow terminal fit its width (free text cut with "…", then low-value
columns dropped), ids stay whole; into a pipe, lines stay whole as scripts expect.
Before, an 80-column SSH window wrapped every row of `runs list` in two."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from runtui import cli_table
from tests.integration.conftest import Sim, run_cli


def _on_a_terminal(sim: Sim, columns: int, *args: str) -> str:
    """What the command prints on a real terminal `columns` wide (COLUMNS unset)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in {**os.environ, **sim.env}.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "runtui", "--config", str(sim.config_path), *args],
                            stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    out = b""
    try:
        while chunk := _read(leader):
            out += chunk
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out.decode().replace("\r\n", "\n")


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the command ended and closed the terminal
        return b""


def _longest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_runs_list_on_an_80_column_terminal_fits_with_whole_ids(sim: Sim) -> None:
    ids = [r["id"] for r in run_cli(sim, "runs", "list", "--limit", "20", "--json").json()]
    shown = _on_a_terminal(sim, 80, "runs", "list", "--limit", "20")
    assert _longest(shown) <= 80, shown
    assert all(run_id in shown for run_id in ids), shown
    assert "…" in shown  # the workflow names were cut, not the ids


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout taken for a 100-column terminal, through the one place that decides it."""
    monkeypatch.setattr(cli_table, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "100")


@pytest.mark.usefixtures("terminal")
def test_attention_fits_the_terminal_with_whole_ids(sim: Sim) -> None:
    ids = [i["id"] for i in run_cli(sim, "attention", "--json").json() if i["id"]]
    res = run_cli(sim, "attention")
    assert ids and res.code in (0, 1), res.err
    assert _longest(res.out) <= 100, res.out
    assert all(run_id in res.out for run_id in ids)


@pytest.mark.usefixtures("terminal")
def test_history_fits_the_terminal_with_whole_ids(sim: Sim) -> None:
    failed = run_cli(sim, "runs", "list", "-p", "b3os-sim", "--status", "failed", "--json").json()[0]["id"]
    assert run_cli(sim, "runs", "retry", failed, "-p", "b3os-sim", "--yes").code == 0
    res = run_cli(sim, "history")
    assert res.code == 0, res.err
    assert _longest(res.out) <= 100, res.out
    assert failed in res.out


def test_into_a_pipe_lines_stay_whole_whatever_columns_says(sim: Sim,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    whole = run_cli(sim, "runs", "list", "--limit", "20", "--json").json()
    monkeypatch.setenv("COLUMNS", "40")
    res = run_cli(sim, "runs", "list", "--limit", "20")
    assert _longest(res.out) > 40
    assert "…" not in res.out
    assert all(r["workflow"] in res.out for r in whole if r["workflow"])


@pytest.mark.usefixtures("terminal")
def test_workflows_list_shows_each_workflows_id_whole_and_fits(sim: Sim) -> None:
    """The id `workflows pause` and `runs execute -w` take was in no human table; it is a
    column now, never cut, while the table still fits the terminal."""
    ids = {r["workflow_id"] for r in run_cli(sim, "workflows", "list", "--json").json()}
    res = run_cli(sim, "workflows", "list")
    assert ids and res.code == 0, res.err
    assert res.out.splitlines()[0].split()[:3] == ["PROFILE", "ID", "WORKFLOW"]
    assert _longest(res.out) <= 100, res.out
    shown = {line.split()[1] for line in res.out.splitlines()[1:]}
    assert shown == ids
