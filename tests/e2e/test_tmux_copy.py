"""`y` inside tmux: the id lands in tmux's paste buffer whatever tmux's clipboard setting,
and the toast says where it went."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import filter_to_one, needs_tmux, screen, start_runtui, tmux, wait_for

pytestmark = [pytest.mark.e2e, needs_tmux, pytest.mark.usefixtures("tmux_server")]


def test_y_puts_the_id_in_tmuxs_buffer_and_says_so(sim_process: tuple[str, Path, dict[str, str]]) -> None:
    url, config, env = sim_process
    runs = httpx.get(f"{url}/_sim/runs/edges", params={"status": "RUNNING"}).json()
    run_id = runs[0]["id"]
    start_runtui(config, env, cols=120, rows=30)
    wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
    tmux("set-option", "-g", "set-clipboard", "external")  # tmux's default: no OSC 52 from apps
    filter_to_one(run_id)
    tmux("send-keys", "-t", "e2e", "y")
    wait_for("the toast", lambda: "paste buffer" in screen(), show=screen)
    assert tmux("show-buffer").strip() == run_id
    assert "set-clipboard on" in screen().replace("\n", " ")  # what gives the outer clipboard
    tmux("send-keys", "-t", "e2e", "q")
