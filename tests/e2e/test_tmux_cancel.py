"""A person's path, for real: `runtui sim`, then `runtui` in tmux, cancel a run with the keys.

The outcome is checked through the CLI (`runtui runs show --json`), not the app.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

RUNTUI = [sys.executable, "-m", "runtui"]


def wait_for(what: str, check: Callable[[], bool], timeout: float = 30.0,
             show: Callable[[], str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)  # polling an external process: no event to wait on
    raise AssertionError(f"timed out waiting for {what}" + (f"; screen:\n{show()}" if show else ""))


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


def tmux(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["tmux", "-L", "runtui-e2e", *args], capture_output=True, text=True,
                          check=True, env=env).stdout


def test_cancel_a_running_run_with_the_keys(sim_process: tuple[str, Path, dict[str, str]]) -> None:
    url, config, env = sim_process
    runs = httpx.get(f"{url}/_sim/runs/edges", params={"status": "RUNNING"}).json()
    run_id = runs[0]["id"]
    tmux("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", env=env)
    try:
        command = " ".join([*RUNTUI, "--config", str(config)])
        tmux("send-keys", "-t", "e2e", f"env RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']} "
             f"RUNTUI_SIM_EDGES_KEY=sim-edges-key RUNTUI_SIM_WEXA_KEY=sim-wexa-key "
             f"RUNTUI_SIM_B3OS_KEY=sim-b3os-key {command}", "Enter")

        def screen() -> str:
            return tmux("capture-pane", "-p", "-t", "e2e")

        wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
        tmux("send-keys", "-t", "e2e", "/")
        wait_for("the filter box", lambda: "filter: text" in screen(), show=screen)  # as a person sees it
        tmux("send-keys", "-t", "e2e", "-l", run_id[:13])
        wait_for("the filter to narrow to one run", lambda: "1/" in screen().splitlines()[0], show=screen)
        tmux("send-keys", "-t", "e2e", "Enter")  # leave the filter box, back to the table
        tmux("send-keys", "-t", "e2e", "c")
        wait_for("the confirmation", lambda: "cannot be undone" in screen(), show=screen)
        tmux("send-keys", "-t", "e2e", "y")
        wait_for("the cancelled row", lambda: any(run_id[:8] in line and "cancelled" in line
                                           for line in screen().splitlines()), show=screen)
        out = subprocess.run([*RUNTUI, "--config", str(config), "runs", "show", run_id,
                              "--profile", "edges-sim", "--json"], capture_output=True, text=True,
                             env=env, check=True).stdout
        shown = json.loads(out)
        assert shown["status"] == "cancelled" and shown["raw_status"] == "STOPPED"
        tmux("send-keys", "-t", "e2e", "q")
    finally:
        subprocess.run(["tmux", "-L", "runtui-e2e", "kill-server"], capture_output=True)
