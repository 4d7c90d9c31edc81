"""A key's action on a run that ended before its request reached the platform.

The table showed the run running; by the time the cancel arrived it had succeeded, the
platform refused, and the toast said "cancel <id> failed" in red, which reads as "the
platform refused / something broke". A bulk action says the same run "skipped: already
succeeded"; one run now says skipped too, with the state, never "failed".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.types import ASGIApp
from textual.pilot import Pilot

from runtui import display
from runtui.tui.screens.confirm import ConfirmScreen
from tests.ends_meanwhile import EndsMeanwhile
from tests.tui.conftest import SIM_PROFILE, TuiSim, notifications, runs_loaded, start_sim, wait_for
from tests.tui.test_attention import open_attention


@pytest.fixture(scope="module")
def racing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TuiSim, EndsMeanwhile]]:
    doors: list[EndsMeanwhile] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        doors.append(EndsMeanwhile(app, app.state.world))  # type: ignore[attr-defined]
        return doors[0]

    server, sim = start_sim(tmp_path_factory.mktemp("skipped-sim"), seed=7, wrap=wrap)
    saved = {k: os.environ.get(k) for k in sim.env}
    os.environ.update(sim.env)
    try:
        yield sim, doors[0]
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def said_about(app: Any, run_id: str) -> list[str]:
    """The toasts about the action on `run_id` (titled `cancel <short id>...`), not the news
    of its end, which may come too."""
    short = display.short_id(run_id)
    return [n for n in notifications(app) if n.startswith((f"cancel {short}", f"pause {short}"))]


async def answer_yes(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="the question")
    await pilot.press("y")


async def test_a_cancel_of_a_run_that_ended_meanwhile_says_skipped_not_failed(
        racing: tuple[TuiSim, EndsMeanwhile]) -> None:
    sim, door = racing
    run_id = sim.take("b3os", "running")
    key = (SIM_PROFILE["b3os"], run_id)
    async with runs_loaded(sim.config_path, size=(80, 24)) as (app, pilot, screen):
        await wait_for(pilot, lambda: key in screen.ws.store.runs, what="the run read")
        screen.table.move_cursor_to(key)
        door.arm("b3os", run_id, "success")  # it succeeds as the cancel is on its way
        await pilot.press("c")
        await answer_yes(pilot)
        await wait_for(pilot, lambda: any("skipped" in n for n in said_about(app, run_id)),
                       what="the outcome")
        said = said_about(app, run_id)
        assert f"cancel {display.short_id(run_id)}: skipped: the run had already ended as succeeded" \
               " (success)" in said, said
        assert not any("failed" in n for n in said), said


async def test_a_pause_of_a_run_paused_meanwhile_says_skipped_with_why(
        racing: tuple[TuiSim, EndsMeanwhile]) -> None:
    sim, door = racing
    run_id = sim.take("wexa", "running")
    key = (SIM_PROFILE["wexa"], run_id)
    async with runs_loaded(sim.config_path, size=(80, 24)) as (app, pilot, screen):
        await wait_for(pilot, lambda: key in screen.ws.store.runs, what="the run read")
        screen.table.move_cursor_to(key)
        door.arm("wexa", run_id, "paused")
        await pilot.press("p")
        await wait_for(pilot, lambda: any("skipped" in n for n in said_about(app, run_id)),
                       what="the outcome")
        said = said_about(app, run_id)
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
        door.arm("b3os", run_id, "failure")
        await pilot.press("c")
        await answer_yes(pilot)
        await wait_for(pilot, lambda: any("skipped" in n for n in said_about(app, run_id)),
                       what="the outcome")
        said = said_about(app, run_id)
        assert f"cancel {display.short_id(run_id)}: skipped: the run had already ended as failed" \
               " (failure)" in said, said
        assert not any("failed" in n.split(":")[0] for n in said), said
