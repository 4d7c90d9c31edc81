"""A person's path to a workflow-level pause, for real: `runtui sim`, `runtui` in tmux at
80x24 with NO_COLOR, `W`, the trend, a pause read back by the simulator, `enter` to the
workflow's runs. The screen is read back as text."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from runtui.sim.config import KEY_ENV
from tests.e2e.conftest import needs_tmux, screen, start_runtui, tmux, wait_for

pytestmark = [pytest.mark.e2e, needs_tmux, pytest.mark.usefixtures("tmux_server")]


def selected() -> str:
    """The line under the table: the row under the cursor, named in full (NO_COLOR hides
    the cursor's highlight, so this is what says where it is)."""
    return screen().splitlines()[-3].strip()


def first_row_name() -> str:
    """The first row's name as the table shows it (a long one cut with an ellipsis)."""
    return screen().splitlines()[2].strip().split("  ")[0].rstrip("…")


def test_pause_a_workflow_from_the_workflows_view(sim_process: tuple[str, Path, dict[str, str]]) -> None:
    url, config, env = sim_process
    headers = {"Authorization": f"Bearer {env[KEY_ENV['b3os']]}"}

    def status(workflow_id: str) -> str:
        answer = httpx.get(f"{url}/b3os/v1/workflows/{workflow_id}", headers=headers)
        return str(answer.json()["data"]["status"])

    start_runtui(config, {**env, "NO_COLOR": "1"}, cols=80, rows=24)
    wait_for("the run table", lambda: "b3os-sim ok" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "W")
    wait_for("the workflows view", lambda: "workflows, last 24h" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "1")  # sort by name
    wait_for("sorted by name", lambda: "sort WORKFLOW" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "g")  # the table's top
    wait_for("the top row", lambda: selected().startswith(first_row_name()), show=screen)
    for _ in range(20):  # down a row at a time (each is another workflow) until it is named
        if selected().startswith("Daily treasury rebalance · b3os-sim"):
            break
        was = selected()
        tmux("send-keys", "-t", "e2e", "j")
        wait_for("the next row", lambda: selected() != was, show=screen)  # noqa: B023
    wait_for("its line", lambda: "Daily treasury rebalance · b3os-sim" in screen(), show=screen)
    workflow_id = next(w for w in screen().split(" · ") if w.startswith("wf_")).split()[0]
    assert status(workflow_id) == "active"
    tmux("send-keys", "-t", "e2e", "p")
    wait_for("paused on the server", lambda: status(workflow_id) == "paused")
    wait_for("paused on screen", lambda: "1 paused" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "r")
    wait_for("live again", lambda: status(workflow_id) == "active")
    tmux("send-keys", "-t", "e2e", "Enter")
    # the summary says the filter as "filter: wf:…", or "/wf:…" when the line is short of room
    wait_for("the run table, filtered", lambda: any(said in screen().splitlines()[0]
                                                    for said in ("filter: wf:", "/wf:")), show=screen)
    tmux("send-keys", "-t", "e2e", "/")  # the box opens on the filter: all of it shows there
    wait_for("the filter, whole", lambda: f"wf:{workflow_id} p:b3os-sim" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "Escape")
    wait_for("the filter cleared", lambda: "filter:" not in screen().splitlines()[0], show=screen)
    tmux("send-keys", "-t", "e2e", "q")
