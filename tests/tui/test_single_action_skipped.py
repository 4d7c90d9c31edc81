"""A key's action on a run that ended before its request reached the platform.

The table showed the run running; by the time the cancel arrived it had succeeded, the
platform refused, and the toast said "cancel <id> failed" in red, which reads as "the
platform refused / something broke". A bulk action says the same run "skipped: already
succeeded"; one run now says skipped too, with the state, never "failed".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.types import ASGIApp
from textual.pilot import Pilot

from runtui import display
from runtui.tui.screens.confirm import ConfirmScreen
from tests.ends_meanwhile import EndsMeanwhile
from tests.environment import environment_with
from tests.tui.conftest import SIM_PROFILE, TuiSim, notifications, runs_loaded, start_sim, wait_for
from tests.tui.test_attention import open_attention


@pytest.fixture(scope="module")
def racing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TuiSim, EndsMeanwhile]]:
    doors: list[EndsMeanwhile] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        doors.append(EndsMeanwhile(app, app.state.world))  # type: ignore[attr-defined]
        return doors[0]

    server, sim = start_sim(tmp_path_factory.mktemp("skipped-sim"), seed=7, wrap=wrap)
    try:
        with environment_with(sim.env):
            yield sim, doors[0]
    finally:
        server.stop()


def said_about(app: Any, run_id: str) -> list[str]:
    """The toasts about the action on `run_id` (titled `cancel <short id>...`), not the news
    of its end, which may come too."""
    short = display.short_id(run_id)
    return [n for n in notifications(app) if n.startswith((f"cancel {short}", f"pause {short}"))]


async def answer_yes(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="the question")
    await pilot.press("y")


async def act_as_it_changes(pilot: Pilot[Any], door: EndsMeanwhile, provider: str, run_id: str,
                            becomes: str, key: str) -> list[str]:
    """Press `key` (answering its question, if one comes) on the run under the cursor
    while the server moves the run to `becomes` as the action is on its way; the toasts
    said about the action once its outcome is in."""
    app = pilot.app
    door.arm(provider, run_id, becomes)
    await pilot.press(key)
    if key == "c":
        await answer_yes(pilot)
    await wait_for(pilot, lambda: any("skipped" in n for n in said_about(app, run_id)),
                   what="the outcome")
    return said_about(app, run_id)


async def test_a_cancel_of_a_run_that_ended_meanwhile_says_skipped_not_failed(
        racing: tuple[TuiSim, EndsMeanwhile]) -> None:
    sim, door = racing
    run_id = sim.take("b3os", "running")
    key = (SIM_PROFILE["b3os"], run_id)
    async with runs_loaded(sim.config_path, size=(80, 24)) as (_app, pilot, screen):
        await wait_for(pilot, lambda: key in screen.ws.store.runs, what="the run read")
        screen.table.move_cursor_to(key)
        said = await act_as_it_changes(pilot, door, "b3os", run_id, "success", "c")
        assert f"cancel {display.short_id(run_id)}: skipped: the run had already ended as succeeded" \
               " (success)" in said, said
        assert not any("failed" in n for n in said), said


async def test_a_pause_of_a_run_paused_meanwhile_says_skipped_with_why(
        racing: tuple[TuiSim, EndsMeanwhile]) -> None:
    sim, door = racing
    run_id = sim.take("wexa", "running")
    key = (SIM_PROFILE["wexa"], run_id)
    async with runs_loaded(sim.config_path, size=(80, 24)) as (_app, pilot, screen):
        await wait_for(pilot, lambda: key in screen.ws.store.runs, what="the run read")
        screen.table.move_cursor_to(key)
        said = await act_as_it_changes(pilot, door, "wexa", run_id, "paused", "p")
        assert any(n.startswith(f"pause {display.short_id(run_id)}: skipped: cannot pause a paused run")
                   for n in said), said
        assert not any("failed" in n for n in said), said


async def test_a_cancel_from_the_queue_of_a_run_that_ended_meanwhile_says_skipped(
        racing: tuple[TuiSim, EndsMeanwhile]) -> None:
    from runtui.tui.screens.attention import QueueTable

    sim, door = racing
    run_id = sim.take("b3os", "waiting")
    async with runs_loaded(sim.config_path, size=(80, 24)) as (app, pilot, _screen):
        assert app.alerts is not None
        await wait_for(pilot, lambda: ("b3os-sim", run_id) in app.alerts.queue.items, what="queued")
        screen = await open_attention(pilot)
        index = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
        screen.query_one(QueueTable).move_cursor(row=index)
        said = await act_as_it_changes(pilot, door, "b3os", run_id, "failure", "c")
        assert f"cancel {display.short_id(run_id)}: skipped: the run had already ended as failed" \
               " (failure)" in said, said
        assert not any("failed" in n.split(":")[0] for n in said), said
