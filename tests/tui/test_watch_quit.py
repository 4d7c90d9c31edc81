"""`q` while watched runs (`w`) are still going asks first: quitting loses their watches,
and nobody would be told when they end. With none going, it quits at once."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button

from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import QuitQuestion, run_named
from runtui.tui.screens.runs import RunsScreen
from tests.tui.conftest import SIM_PROFILE, TuiSim, wait_for
from tests.tui.test_actions_pilot import select, tui


async def watch(pilot: Pilot[Any], screen: RunsScreen, provider: str, run_id: str) -> tuple[str, str]:
    app = pilot.app
    assert isinstance(app, RuntuiApp)
    key = (SIM_PROFILE[provider], run_id)
    await select(pilot, screen, provider, run_id)
    await pilot.press("w")
    await wait_for(pilot, lambda: key in app.watched, what=f"{run_id} watched")
    return key


async def asked(pilot: Pilot[Any], key: str) -> QuitQuestion:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QuitQuestion), what="the quit question")
    question = pilot.app.screen
    assert isinstance(question, QuitQuestion)
    return question


async def test_q_with_watched_runs_going_asks_first_and_no_keeps_them(tui_sim: TuiSim) -> None:
    first, second = tui_sim.take("edges", "RUNNING"), tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        keys = {await watch(pilot, screen, "edges", first), await watch(pilot, screen, "wexa", second)}
        question = await asked(pilot, "q")
        assert question.question == "2 watched runs are still going; quit anyway?"
        assert question.items == [run_named(screen.ws.store.get(k)) for k in sorted(keys)]
        assert question.query_one("#no", Button).has_focus, "No is the default"
        await pilot.press("q")  # asked already: no second question over the first
        assert sum(isinstance(s, QuitQuestion) for s in app.screen_stack) == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="back on the runs")
        assert app.return_code is None and app.watched == keys

        await asked(pilot, "ctrl+q")  # Textual's quit key asks the same
        await pilot.press("y")
        await wait_for(pilot, lambda: app.return_code == 0, what="quit")


async def test_a_watched_run_that_ended_is_not_counted(tui_sim: TuiSim) -> None:
    ended, going = tui_sim.take("wexa", "running"), tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await watch(pilot, screen, "wexa", ended)
        key = await watch(pilot, screen, "wexa", going)
        tui_sim.force("wexa", ended, "completed")
        store = screen.ws.store
        await wait_for(pilot, lambda: (run := store.get(("wexa-sim", ended))) is not None
                       and run.status.terminal, what="the end read")
        question = await asked(pilot, "q")
        assert question.question == "1 watched run is still going; quit anyway?"
        assert question.items == [run_named(store.get(key))]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="back on the runs")
        assert app.return_code is None


async def test_q_with_nothing_watched_quits_at_once(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        shown: list[type[Screen[Any]]] = []
        app.screen_change_signal.subscribe(app, lambda s: shown.append(type(s)), immediate=True)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code == 0, what="quit")
        assert QuitQuestion not in shown
