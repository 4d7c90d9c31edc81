"""The attention screen (`!`): on the real simulator, and as a picture at 80x24 and 120x36."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from runtui.engine.attention import Reason
from runtui.tui import alerts
from runtui.tui.screens.attention import AttentionScreen
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.runs import RunsScreen
from tests.tui.apps.runs_support import NOW
from tests.tui.conftest import TuiSim, notifications, screen_text, wait_for
from tests.tui.test_actions_pilot import tui

APPS = Path(__file__).parent / "apps"


async def open_attention(pilot: Pilot[Any]) -> AttentionScreen:
    await pilot.press("exclamation_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AttentionScreen), what="attention")
    screen = pilot.app.screen
    assert isinstance(screen, AttentionScreen)
    return screen


async def test_waiting_runs_are_listed_and_the_header_counts_them(tui_sim: TuiSim) -> None:
    waiting = {r["id"] for r in tui_sim.runs("b3os", "waiting")}
    assert waiting
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        screen = await open_attention(pilot)
        listed = {i.run.id for i in screen._rows if i.run is not None and i.reason is Reason.WAITING}
        assert waiting <= listed
        assert f"{app.alerts.count} need attention" in screen_text(app)


async def test_a_run_failing_while_watched_is_announced_once(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        tui_sim.force("edges", run_id, "FAILED")
        await wait_for(pilot, lambda: ("edges-sim", run_id) in app.alerts.queue.items, what="failure")
        said = [n for n in notifications(app) if run_id in n and n.startswith("needs attention: failed")]
        assert len(said) == 1
        app.workspace.refresh_now()  # the same failure read again is not news
        await pilot.pause(0.3)
        assert len([n for n in notifications(app) if run_id in n and "needs attention" in n]) == 1
        screen = await open_attention(pilot)
        row = [i for i in screen._rows if i.run is not None and i.run.id == run_id]
        assert row and row[0].reason is Reason.FAILED
        screen.query_one("DataTable").move_cursor(row=screen._rows.index(row[0]))  # type: ignore[attr-defined]
        await pilot.press("a")
        await wait_for(pilot, lambda: ("edges-sim", run_id) not in app.alerts.queue.items, what="seen")


async def test_cancel_from_the_queue_confirms_then_cancels_on_the_server(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("b3os", "waiting")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        await wait_for(pilot, lambda: ("b3os-sim", run_id) in app.alerts.queue.items, what="queued")
        screen = await open_attention(pilot)
        index = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
        screen.query_one("DataTable").move_cursor(row=index)  # type: ignore[attr-defined]
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        assert run_id in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: tui_sim.status("b3os", run_id) == "cancelled", what="cancelled")


async def test_escape_goes_back_to_the_runs(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await open_attention(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    from runtui.tui.widgets import run_table

    monkeypatch.setattr(alerts, "clock", lambda: NOW)
    monkeypatch.setattr(run_table, "clock", lambda: NOW)


async def _attention(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen))
    await pilot.press("exclamation_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AttentionScreen))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_snapshot_attention(snap_compare: Callable[..., bool], frozen: None, size: tuple[int, int]) -> None:
    assert snap_compare(APPS / "attention_app.py", terminal_size=size, run_before=_attention)
