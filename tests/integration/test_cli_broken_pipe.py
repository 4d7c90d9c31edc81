"""A reader that went away (`runtui runs list | head -0`) ends every writing command as
it ends any Unix tool: 141 (128 + SIGPIPE), nothing on stderr. It was 1, the code of
"the server refused or failed", so `set -o pipefail` scripts read a closed pipe as an
outage. Real processes whose stdout is a pipe closed before they write."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from runtui.cli_pipe import EXIT_BROKEN_PIPE
from tests.integration.conftest import Sim


def _run_into_closed_pipe(sim: Sim, *args: str) -> tuple[int, str]:
    """Exit code and stderr of the command, its stdout's reader gone before it writes."""
    proc = subprocess.Popen([sys.executable, "-m", "runtui", "--config", str(sim.config_path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **sim.env})
    assert proc.stdout is not None
    proc.stdout.close()  # as `| head -0`: the only reader is gone
    return _ended(proc)


def _ended(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Exit code and stderr once the command ends (killed should it not within a minute)."""
    assert proc.stderr is not None
    try:
        err = proc.stderr.read()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, err


def _a_run(sim: Sim, provider: str, status: str) -> str:
    found = sim.find(provider, status=status)
    assert found, f"the seeded {provider} world has a {status} run"
    run_id: str = found[0]["id"]
    return run_id


@pytest.mark.parametrize("args", [
    ("runs", "list"),
    ("runs", "list", "--json"),
    ("attention",),
    ("history",),
    ("providers",),
    ("runs", "list", "--limit", "zero", "--json"),  # a usage error's JSON, printed by click
], ids=" ".join)
def test_a_table_or_json_into_a_closed_pipe_exits_141_quietly(sim: Sim, args: tuple[str, ...]) -> None:
    code, err = _run_into_closed_pipe(sim, *args)
    assert (code, err) == (EXIT_BROKEN_PIPE, "")


def test_logs_into_a_closed_pipe_exits_141_quietly(sim: Sim) -> None:
    run_id = _a_run(sim, "wexa", "failed")
    code, err = _run_into_closed_pipe(sim, "runs", "logs", run_id, "-p", "wexa-sim")
    assert code == EXIT_BROKEN_PIPE
    assert "Traceback" not in err and "Error" not in err and "Exception" not in err, err


@pytest.mark.parametrize("command", [("runs", "wait", "--json"), ("runs", "logs", "--follow", "--json")],
                         ids=" ".join)
def test_a_stream_into_a_closed_pipe_exits_141_quietly(sim: Sim, command: tuple[str, ...]) -> None:
    run_id = _a_run(sim, "b3os", "running")
    code, err = _run_into_closed_pipe(sim, *command, run_id, "-p", "b3os-sim")
    assert code == EXIT_BROKEN_PIPE
    assert "Traceback" not in err and "Error" not in err and "Exception" not in err, err


def test_a_reader_gone_mid_write_exits_141_when_python_is_unbuffered(sim: Sim) -> None:
    """`runs list | head -1` with PYTHONUNBUFFERED=1 (many container images set it): the
    write the closed pipe cut short returned a count, not an error, the rest of the table
    was dropped without a word, and the command exited 0. The pipe is shrunk to one page
    so that the table fills it and the write blocks until the reader is gone."""
    import fcntl

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ (Linux): the smallest pipe
    proc = subprocess.Popen([sys.executable, "-m", "runtui", "--config", str(sim.config_path),
                             "runs", "list", "--json"], stdout=write_end, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **sim.env, "PYTHONUNBUFFERED": "1"})
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(100)  # as `head -c 100`: a first part read, then gone
    assert _ended(proc) == (EXIT_BROKEN_PIPE, "")
