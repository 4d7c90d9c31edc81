"""The end-to-end tests' parts: `runtui sim` in its own process, tmux on a private server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

RUNTUI = [sys.executable, "-m", "runtui"]
TMUX_SERVER = f"runtui-e2e-{os.getpid()}"  # one server per test run: runs side by side do not meet
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
needs_proc = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")

STOCK_VARS = ("RUNTUI_STOCK_TEXTUAL", "RUNTUI_STOCK_DRIVER")
"""The switches to Textual's stock driver (CI runs the suite in stock mode too)."""


def own_driver(env: dict[str, str]) -> dict[str, str]:
    """`env` without the stock switches: runtui on its own terminal driver."""
    return {k: v for k, v in env.items() if k not in STOCK_VARS}


def wait_for(what: str, check: Callable[[], bool], timeout: float = 30.0,
             show: Callable[[], str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)  # polling an external process: no event to wait on
    raise AssertionError(f"timed out waiting for {what}" + (f"; screen:\n{show()}" if show else ""))


def tmux(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["tmux", "-L", TMUX_SERVER, *args], capture_output=True, text=True,
                          check=True, env=env).stdout


def screen(session: str = "e2e") -> str:
    return tmux("capture-pane", "-p", "-t", session)


def pane(fmt: str) -> str:
    """One of tmux's facts about the e2e pane (`#{pane_pid}`, `#{alternate_on}`, …)."""
    return tmux("display-message", "-p", "-t", "e2e", fmt).strip()


def runtui_pid() -> int:
    """The process the e2e pane's shell started: runtui."""
    shell = pane("#{pane_pid}")
    children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
    assert len(children) == 1, children
    return int(children[0])


def start_runtui(config: Path, env: dict[str, str], *, cols: int = 100, rows: int = 30) -> None:
    """`runtui` at a shell prompt in a fresh tmux session, as a person would start it."""
    tmux("new-session", "-d", "-s", "e2e", "-x", str(cols), "-y", str(rows), env=env)
    command = " ".join([*RUNTUI, "--config", str(config)])
    tmux("send-keys", "-t", "e2e", f"env RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']} "
         f"RUNTUI_SIM_EDGES_KEY=sim-edges-key RUNTUI_SIM_WEXA_KEY=sim-wexa-key "
         f"RUNTUI_SIM_B3OS_KEY=sim-b3os-key {command}", "Enter")


def filter_to_one(run_id: str, chars: int = 13, *, then: str | None = None) -> None:
    """Type the run's id into the table's filter, as a person does, until only it is left;
    Enter goes back to the table. `then`: a key sent in the same write as the Enter."""
    tmux("send-keys", "-t", "e2e", "/")
    wait_for("the filter box", lambda: "filter: text" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "-l", run_id[:chars])
    wait_for("one run left", lambda: "1/" in screen().splitlines()[0], show=screen)
    tmux("send-keys", "-t", "e2e", "Enter", *([then] if then else []))
    if then is None:  # the health line is back in the box's place
        wait_for("the filter box closed", lambda: "ok " in screen().splitlines()[-2], show=screen)


@pytest.fixture
def tmux_server() -> Iterator[None]:
    try:
        yield
    finally:
        subprocess.run(["tmux", "-L", TMUX_SERVER, "kill-server"], capture_output=True)


@pytest.fixture
def sim_process(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    config = tmp_path / "config.toml"
    env = os.environ | {"RUNTUI_STATE_DIR": str(tmp_path / "state"), "RUNTUI_CONFIG": str(config)}
    proc = subprocess.Popen([*RUNTUI, "sim", "--port", "0", "--seed", "5", "--runs", "45",
                             "--speed", "0.05", "--write-config", str(config)],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    assert first.startswith("runtui sim listening on http://127.0.0.1:"), first
    url = first.rsplit(" ", 1)[1]
    for name, value in (("RUNTUI_SIM_WEXA_KEY", "sim-wexa-key"), ("RUNTUI_SIM_EDGES_KEY", "sim-edges-key"),
                        ("RUNTUI_SIM_B3OS_KEY", "sim-b3os-key")):
        env.setdefault(name, value)
    try:
        yield url, config, env
    finally:
        proc.terminate()
        proc.wait(timeout=10)
