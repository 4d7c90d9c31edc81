"""A person's path, for real: `runtui sim`, then `runtui` in tmux, cancel a run with the keys.

The outcome is checked through the CLI (`runtui runs show --json`), not the app.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import RUNTUI, filter_to_one, needs_tmux, screen, start_runtui, tmux, wait_for

pytestmark = [pytest.mark.e2e, needs_tmux, pytest.mark.usefixtures("tmux_server")]


def test_cancel_a_running_run_with_the_keys(sim_process: tuple[str, Path, dict[str, str]]) -> None:
    url, config, env = sim_process
    runs = httpx.get(f"{url}/_sim/runs/edges", params={"status": "RUNNING"}).json()
    run_id = runs[0]["id"]
    start_runtui(config, env)
    wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
    filter_to_one(run_id, then="c")  # Enter and c in one write: typed fast, the c is the table's
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


def test_c_then_n_typed_fast_in_the_detail_answers_the_question(
        sim_process: tuple[str, Path, dict[str, str]]) -> None:
    """In the detail, `c n` in one write left "Cancel run …?" open: the n came to the
    detail before the question was up, and the detail has no n."""
    url, config, env = sim_process
    runs = httpx.get(f"{url}/_sim/runs/edges", params={"status": "RUNNING"}).json()
    run_id = runs[0]["id"]
    start_runtui(config, env)
    wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
    filter_to_one(run_id)
    tmux("send-keys", "-t", "e2e", "Enter")  # 100 columns: the detail over the whole screen
    wait_for("the detail", lambda: "Overview" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "c", "n")
    tmux("send-keys", "-t", "e2e", "y")  # the detail's key: after the answer, the detail has it
    wait_for("the detail's y", lambda: "copied" in screen(), show=screen)
    assert "cannot be undone" not in screen()
    status = httpx.get(f"{url}/_sim/runs/edges", params={"status": "RUNNING"}).json()
    assert run_id in {r["id"] for r in status}
    tmux("send-keys", "-t", "e2e", "q")
