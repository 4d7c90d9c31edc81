"""A run its platform no longer has (404: deleted, or lost by a restarted platform) is said
gone in an open detail and an open log, not shown running or "reconnecting" for good: on a
simulator restarted on the same address without that run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runtui.engine.workspace import Workspace
from runtui.model import Run
from runtui.providers.base import ListQuery
from runtui.sim.config import SimConfig
from runtui.sim.server import SimServer, write_config
from runtui.tui.screens.logs import LogScreen
from runtui.tui.widgets.detail_pane import DetailPane
from tests.tui.apps.detail_support import PaneApp
from tests.tui.apps.logs_app import LogsSnapApp
from tests.tui.conftest import wait_for


@dataclass
class Platform:
    server: SimServer
    workspace: Workspace

    def down(self) -> None:
        self.server.stop()

    def up_without_its_runs(self) -> None:
        """Up again on the same address, with other runs (another seed)."""
        other = SimConfig(seed=99, runs=12, spawn_every=0, speed=0.001)
        self.server = SimServer(other, port=self.server.port)
        self.server.start()


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    cfg = SimConfig(seed=7, runs=12, spawn_every=0, speed=0.001)
    server = SimServer(cfg)
    server.start()
    for key, value in write_config(tmp_path / "config.toml", server.url, cfg).items():
        monkeypatch.setenv(key, value)
    running = Platform(server, Workspace.load(tmp_path / "config.toml"))
    try:
        yield running
    finally:
        running.server.stop()


async def a_running_run(ws: Workspace, profile: str) -> Run:
    runs = await ws.provider(profile).list_runs(ListQuery(limit=50))
    return next(run for run in runs if run.status.active)


async def test_an_open_detail_says_its_run_is_gone_and_stops_its_clock(platform: Platform) -> None:
    """The detail kept "▶ running" with a ticking duration, and only "HTTP 404 … stale since"
    at its bottom, while the table had dropped the row."""
    ws = platform.workspace
    run = await a_running_run(ws, "wexa-sim")
    now = [datetime.now(UTC)]
    app = PaneApp(ws, clock=lambda: now[0])
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_run(run)
        await wait_for(pilot, lambda: pane.detail is not None, what="the detail")
        platform.down()
        platform.up_without_its_runs()
        pane.refresh_now()

        def shown(widget_id: str) -> str:
            return str(pane.query_one(f"#{widget_id}").render())

        await wait_for(pilot, lambda: "✘ no longer on wexa-sim (404 since" in shown("detail-status"),
                       what="gone, in the status line")
        title = shown("detail-title")
        assert title.startswith("✘ gone") and "running" not in title.replace("was running", "")
        now[0] += timedelta(minutes=2)
        pane._tick()
        await pilot.pause()
        assert shown("detail-title") == title  # its duration no longer counts
    await ws.aclose()


async def test_an_open_log_says_its_run_is_gone_not_reconnecting(platform: Platform) -> None:
    """After an outage the log said "stream lost, reconnecting… (connection failed)" for
    good, though the platform answered again: 404, the run is not there any more."""
    ws = platform.workspace
    run = await a_running_run(ws, "edges-sim")
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogScreen), what="the log screen")
        screen = pilot.app.screen
        assert isinstance(screen, LogScreen)
        panel = screen.panel
        await wait_for(pilot, lambda: "live" in panel.status_words(), what="live")
        platform.down()
        await wait_for(pilot, lambda: "reconnecting" in panel.status_words(), what="the outage")
        platform.up_without_its_runs()
        await wait_for(pilot, lambda: "✘ no longer on edges-sim (404 since" in panel.status_words(),
                       timeout=20, what="gone, in the status line")
        assert "reconnecting" not in panel.status_words()
    await ws.aclose()
