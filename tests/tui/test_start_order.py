"""What runs before the first rows: only what they need. The time to the first rows is
all CPU (imports, Textual, the first pages), so anything else done first delays them."""

from __future__ import annotations

import pytest

from runtui.engine.workspace import Workspace
from runtui.tui.alerts import Alerts
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from tests.tui.conftest import TuiSim, wait_for


async def test_the_first_requests_go_out_before_the_runs_screen_is_built(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The servers answer while the screen is composed, not after."""
    watching_at_open: list[bool] = []
    open_runs = RuntuiApp.open_runs

    def recording(self: RuntuiApp) -> None:
        watching_at_open.append(bool(self.workspace.watchers))
        open_runs(self)

    monkeypatch.setattr(RuntuiApp, "open_runs", recording)
    app = RuntuiApp(Workspace.load(tui_sim.config_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        assert watching_at_open == [True]
        assert set(app.workspace.watchers) == set(app.workspace.profile_names)


async def test_inboxes_are_first_read_once_the_first_rows_are_in(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attention queue's first read of inboxes and trouble (requests, answers, their
    verdicts) waits for the first rows; it used to go out with the first listing."""
    runs_at_poll: list[int] = []
    poll = Alerts.poll

    def recording(self: Alerts, live: bool = True) -> None:
        runs_at_poll.append(len(self.workspace.store.runs))
        poll(self, live)

    monkeypatch.setattr(Alerts, "poll", recording)
    app = RuntuiApp(Workspace.load(tui_sim.config_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bool(runs_at_poll), what="the first poll")
        assert runs_at_poll[0] > 0
