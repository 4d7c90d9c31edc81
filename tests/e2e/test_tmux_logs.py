"""A person's path to a run's log, for real: `runtui sim`, `runtui` in tmux at 80x24 with
NO_COLOR, `l` on a failed run, find, level, back. The screen is read back as text."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import filter_to_one, needs_tmux, screen, start_runtui, tmux, wait_for

pytestmark = [pytest.mark.e2e, needs_tmux, pytest.mark.usefixtures("tmux_server")]


def test_open_a_failed_runs_log_and_read_why(sim_process: tuple[str, Path, dict[str, str]]) -> None:
    url, config, env = sim_process
    failed = httpx.get(f"{url}/_sim/runs/b3os", params={"status": "failure"}).json()
    run_id = failed[0]["id"]
    start_runtui(config, {**env, "NO_COLOR": "1"}, cols=80, rows=24)
    wait_for("the run table", lambda: "b3os-sim ok" in screen(), show=screen)
    filter_to_one(run_id, 12)
    tmux("send-keys", "-t", "e2e", "l")
    wait_for("the log screen", lambda: "Log · b3os-sim" in screen(), show=screen)
    wait_for("the whole log", lambda: "■ ended" in screen(), show=screen)
    text = screen()
    assert "B3OS publishes no log API" in text  # said, not hidden
    assert " ERROR " in text  # the level is a word: NO_COLOR loses nothing
    assert "end of log" in text
    tmux("send-keys", "-t", "e2e", "v")
    wait_for("the level filter in the status", lambda: "level ≥ info" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "/")
    wait_for("the find box", lambda: "find in the messages" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "-l", "failed")
    tmux("send-keys", "-t", "e2e", "Enter")
    wait_for("the match count", lambda: "/failed 1/" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "Escape")
    wait_for("back on the table", lambda: "b3os-sim ok" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "q")
