"""An answer typed into the form is kept when it did not go through.

The form closed at once and threw away what was typed when the platform was down or
refused the answer; `r` afterwards opened it empty. Now it stays open with the typed
values and says why, and F2 sends again (as the execute form does for a refused start).
A lost answer still closes it: sending again could answer twice.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from runtui import display
from runtui.engine.health import HealthState
from runtui.engine.journal import Journal
from runtui.tui.screens.answer import AnswerScreen
from tests.tui.conftest import runs_loaded, screen_text
from tests.tui.test_attention import _answer_form

from .conftest import SimFactory, SimHandle, wait_for
from .test_actions import FROZEN, capture_notes


def _asking(sim: SimHandle) -> str:
    """A running Wexa execution, parked on an inbox item asking for a region."""
    run_id = sim.subject("wexa", "running")
    sim.control("POST", "/wexa/inbox", json={"execution_id": run_id, "type": "runtime_input"})
    return run_id


def _status(sim: SimHandle, run_id: str) -> str:
    return next(str(r["status"]) for r in sim.find("wexa", None, 200) if r["id"] == run_id)


async def _typed(pilot: Pilot[Any], run_id: str) -> tuple[AnswerScreen, Input]:
    form = await _answer_form(pilot, run_id)
    region = form.query_one("#field-region", Input)
    await pilot.press("e", "u")
    assert region.value == "eu"
    return form, region


async def test_an_answer_not_sent_in_an_outage_stays_in_the_form_and_f2_sends_it_later(
        sims: SimFactory) -> None:
    sim = sims(speed=FROZEN, runs=30)
    run_id = _asking(sim)
    async with runs_loaded(sim.config_path, size=(120, 36)) as (app, pilot, screen):
        notes = capture_notes(app)
        form, region = await _typed(pilot, run_id)
        sim.server.stop()
        await wait_for(pilot, lambda: screen.ws.health["wexa-sim"].state is HealthState.ERROR, 20,
                       "the outage seen")
        await pilot.press("f2")
        said = "not sent: wexa-sim unreachable (connection refused)"
        await wait_for(pilot, lambda: said in screen_text(app), 15, "why, in the form")
        assert app.screen is form and region.value == "eu"
        assert "f2 sends again" in screen_text(app)
        # said where it was typed, not in a toast that goes by
        assert not [t for t, _, _ in notes if display.short_id(run_id) in t], notes
        assert [(e.action, e.outcome) for e in Journal().entries()] == [("answer runtime_input", "failed")]
        sim.server.start()  # the platform is back: the same runs, the same port
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, AnswerScreen), 15, "the form closed")
        assert _status(sim, run_id) == "running"
        assert any(t == f"answered {display.short_id(run_id)}" for t, _, _ in notes), notes


async def test_an_answer_the_platform_refused_stays_in_the_form(sims: SimFactory) -> None:
    sim = sims(speed=FROZEN, runs=30)
    run_id = _asking(sim)
    async with runs_loaded(sim.config_path, size=(120, 36)) as (app, pilot, _screen):
        form, region = await _typed(pilot, run_id)
        sim.faults(1.0, ["500"])
        await pilot.press("f2")
        await wait_for(pilot, lambda: "HTTP 500" in screen_text(app), 15, "the refusal, in the form")
        assert app.screen is form and region.value == "eu"
        assert _status(sim, run_id) == "paused"
        sim.faults(0.0)
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, AnswerScreen), 15, "the form closed")
        assert _status(sim, run_id) == "running"


async def test_a_lost_answer_closes_the_form_saying_the_outcome_is_unknown(sims: SimFactory) -> None:
    """Its toast said "answer …: failed", an error, where the runs screen says a lost action's
    outcome was unknown: the platform may well have taken it (sending again could answer twice)."""
    sim = sims(speed=FROZEN, runs=30)
    run_id = _asking(sim)
    async with runs_loaded(sim.config_path, size=(120, 36)) as (app, pilot, _screen):
        notes = capture_notes(app)
        await _typed(pilot, run_id)
        sim.faults(1.0, ["lost_response"])  # applied by the server, its answer dropped
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, AnswerScreen), 15, "the form closed")
        title = f"answer {display.short_id(run_id)}: outcome was unknown"
        await wait_for(pilot, lambda: any(t == title for t, _, _ in notes), 15, "the toast")
        assert next(severity for t, _, severity in notes if t == title) == "warning"
        assert not any(t.endswith(": failed") for t, _, _ in notes), notes
