"""Bulk actions at scale: how many requests a platform sees at once, and what the screen
says while they go.

The simulator here is wrapped in an ASGI middleware that counts the action requests in
flight as the server sees them, and can hold them (a slow platform) until the test has
looked at the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from textual.pilot import Pilot
from textual.widgets import Button

from runtui.tui.app import RuntuiApp
from runtui.tui.run_control import IN_FLIGHT_PER_PROFILE
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.runs import RunsScreen
from tests.environment import environment_with
from tests.tui.conftest import (
    SIM_PROFILE,
    TuiSim,
    notifications,
    runs_loaded,
    screen_text,
    start_sim,
    wait_for,
)

BULK = 20


class InFlight:
    """Counts the POSTs under way at the server (the most at once too); while `held` is
    clear, each waits at the door as on a slow platform."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.most = 0
        self.seen = 0
        self.held = threading.Event()
        self.held.set()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        with self._lock:
            self.now += 1
            self.seen += 1
            self.most = max(self.most, self.now)
        try:
            await asyncio.to_thread(self.held.wait, 20)
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.now -= 1


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TuiSim, InFlight]]:
    wrapped: list[InFlight] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        wrapped.append(InFlight(app))
        return wrapped[0]

    server, sim = start_sim(tmp_path_factory.mktemp("bulk-sim"), seed=11, runs=400, wrap=wrap)
    try:
        with environment_with(sim.env):
            yield sim, wrapped[0]
    finally:
        wrapped[0].held.set()  # a failed test left requests at the door: let them go
        server.stop()


def summary_line(text: str) -> str:
    lines = [line for line in text.splitlines() if " runs | " in line]
    return lines[0] if lines else ""


async def cancel_marked(pilot: Pilot[Any], screen: RunsScreen, door: InFlight, profile: str,
                        ids: list[str]) -> None:
    """Mark `ids` once read, press c and answer y with the door shut: returns once the first
    requests wait at it (what happens to the runs meanwhile is the test's)."""
    await wait_for(pilot, lambda: all((profile, i) in screen.ws.store.runs for i in ids),
                   what="the runs read")
    for run_id in ids:
        screen.table.move_cursor_to((profile, run_id))
        await pilot.press("space")
    assert len(screen.table.marks) == len(ids)
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="the question")
    door.held.clear()
    door.most = door.seen = 0
    await pilot.press("y")
    await wait_for(pilot, lambda: door.now >= IN_FLIGHT_PER_PROFILE,
                   what="the first requests at the door")


@contextlib.asynccontextmanager
async def cancelling_eight_as_some_end(counted: tuple[TuiSim, InFlight], size: tuple[int, int],
                                       ending: int, status: str,
                                       ) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], list[str]]]:
    """Eight running B3OS runs marked and cancelled with the door shut; the last `ending`
    of them become `status` on the platform while the cancel is on its way. Yields the app,
    its pilot and those runs' ids; the door is the test's to open."""
    sim, door = counted
    ids = [sim.take("b3os", "running") for _ in range(8)]
    ended = ids[-ending:]
    async with runs_loaded(sim.config_path, size=size) as (app, pilot, screen):
        await cancel_marked(pilot, screen, door, SIM_PROFILE["b3os"], ids)
        for run_id in ended:
            sim.force("b3os", run_id, status)
        yield app, pilot, ended


async def test_a_bulk_cancel_sends_a_few_requests_at_a_time_and_says_how_far_it_is(
        counted: tuple[TuiSim, InFlight]) -> None:
    """300 marked runs went out as 300 requests at once (300 connections to one platform).
    Now a few per profile at a time, the rest queued, and the summary line says how far the
    action is (at 80x24, where the toasts are small), until every run is done."""
    sim, door = counted
    ids = [sim.take("b3os", "running") for _ in range(BULK)]
    profile = SIM_PROFILE["b3os"]
    async with runs_loaded(sim.config_path, size=(80, 24)) as (app, pilot, screen):
        await cancel_marked(pilot, screen, door, profile, ids)
        await wait_for(pilot, lambda: f"cancel 0/{BULK}" in summary_line(screen_text(app)),
                       what="the progress on the summary line")
        door.held.set()
        await wait_for(pilot, lambda: all(sim.status("b3os", i) == "cancelled" for i in ids),
                       timeout=30, what="every run cancelled")
        await wait_for(pilot, lambda: any(f"{BULK} done" in n for n in notifications(app)),
                       what="the outcome")
        assert door.seen == BULK
        assert 1 < door.most <= IN_FLIGHT_PER_PROFILE, door.most
        assert f"/{BULK}" not in summary_line(screen_text(app))


@pytest.mark.parametrize("size", [(80, 24), (40, 10)])
async def test_a_long_bulk_question_keeps_its_buttons_on_screen_and_its_list_scrolls_by_key(
        counted: tuple[TuiSim, InFlight], size: tuple[int, int]) -> None:
    """60 marked runs of every status, `c`: at 80x24 the dialog was taller than the screen
    (No/Yes below the last row), and its list of runs showed 6 with no key to see the rest
    and nothing saying there were more. Now the lists shrink to the rows left, j/G/k/g
    scroll the run list while focus stays on No, and a line says which runs show."""
    sim, _door = counted
    async with runs_loaded(sim.config_path, size=size) as (app, pilot, screen):
        await pilot.press("g", *["space"] * 60)
        assert len(screen.table.marks) == 60
        before = sim.posts()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "will be skipped" in "\n".join([confirm.question, *getattr(confirm, "skipped", [])])
        count = len(confirm.items)
        await wait_for(pilot, lambda: f"of {count} (" in screen_text(app), what="which runs show")
        text = screen_text(app)
        assert f"Cancel {count} run(s)?" in text and "No (n)" in text and "Yes (y)" in text, text
        for button in confirm.query(Button):
            assert button.region.bottom <= size[1], (button.id, button.region)
        said = re.search(r"showing 1-(\d+) of", text)
        assert said is not None, text
        rows = int(said.group(1))
        await pilot.press("j")
        await wait_for(pilot, lambda: f"showing 2-{rows + 1} of {count}" in screen_text(app),
                       what="a line down")
        await pilot.press("G")
        await wait_for(pilot, lambda: f"showing {count - rows + 1}-{count} of {count}" in screen_text(app),
                       what="the list's end")
        last = confirm.items[-1].split("  ")[0]
        assert last in screen_text(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: f"showing 1-{rows} of" in screen_text(app), what="the list's top")
        assert confirm.focused is confirm.query_one("#no")
        await pilot.press("enter")  # still No
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="answered")
        assert sim.posts() == before


async def test_news_about_a_bulk_actions_runs_is_told_in_its_outcome(
        counted: tuple[TuiSim, InFlight]) -> None:
    """At 80x24 the runs of a bulk cancel that ended meanwhile came as "N new" toasts and
    pushed the cancel's own outcome off the screen. The news about them now waits for the
    outcome and is told in it: the answer to what the user did is the toast that shows."""
    door = counted[1]
    async with cancelling_eight_as_some_end(counted, (80, 24), 2, "failure") as (app, pilot, ended):
        def failure_news() -> list[str]:
            return [n for n in notifications(app) if any(i[:12] in n for i in ended) and "cancel" not in n]

        await wait_for(pilot, lambda: failure_news() or getattr(app.alerts, "held_news", 0) == len(ended),
                       what="the news of the failures")
        door.held.set()
        await wait_for(pilot, lambda: any("cancel 8 runs" in n for n in notifications(app)),
                       what="the outcome")
        outcome = notifications(app)[-1]
        assert outcome.startswith("cancel 8 runs"), notifications(app)
        assert f"news about these runs ({len(ended)}):" in outcome, outcome
        assert all(f"b3os-sim {i[:12]}" in outcome for i in ended), outcome
        assert failure_news() == [], "the news came as toasts of their own"


async def test_a_bulk_cancel_of_runs_that_ended_meanwhile_says_skipped_not_failed(
        counted: tuple[TuiSim, InFlight]) -> None:
    """Marked runs the table still showed running had succeeded on the platform: their
    cancels came back "409 not cancellable; the run is now succeeded" and the outcome said
    "337 failed" in a warning. There was nothing left to cancel: they are said as skipped,
    already succeeded, in the toast and in Messages, and only real refusals as failed."""
    door = counted[1]
    async with cancelling_eight_as_some_end(counted, (120, 36), 3, "success") as (app, pilot, _ended):
        door.held.set()
        await wait_for(pilot, lambda: any("cancel 8 runs" in n for n in notifications(app)),
                       what="the outcome")
        outcome = next(n for n in notifications(app) if "cancel 8 runs" in n)
        assert "5 done" in outcome and "3 skipped: already succeeded" in outcome, outcome
        assert "failed" not in outcome, outcome
        await pilot.press("M")
        await wait_for(pilot, lambda: "3 skipped: already succeeded" in screen_text(app),
                       what="the outcome in Messages")
