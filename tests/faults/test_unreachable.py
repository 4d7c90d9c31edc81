"""An action during an outage: the platform refuses the connection, so nothing was sent.

It was said and journaled as "the answer was lost ... outcome unknown" with a follow-up
kept for it, sending the operator to check what cannot have happened. A connection that
was never made is a definite "not sent: <profile> unreachable (...)": failed, nothing
unsettled, the CLI's exit 1 with those words. The simulator is stopped for real, so the
refusals are the socket's own.
"""

from __future__ import annotations

from typing import Any

import pytest

from runtui import display
from runtui.engine.control import Controller
from runtui.engine.health import HealthState
from runtui.engine.journal import Journal
from runtui.engine.workflow_control import WorkflowController
from runtui.engine.workspace import Workspace
from runtui.errors import Unreachable
from runtui.model import Action, Kind
from runtui.providers.capabilities import ControlsWorkflows
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import ConfirmScreen

from .conftest import SimFactory, run_cli, wait_for
from .test_actions import FROZEN, _open_on, capture_notes

REFUSED = "not sent: {} unreachable (connection refused)"


async def test_an_action_on_a_stopped_server_is_not_sent_and_leaves_nothing_unsettled(
        sims: SimFactory, tmp_path: Any) -> None:
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("edges", "RUNNING")
    ws = Workspace.load(sim.config_path)
    provider = ws.provider("edges-sim")
    try:
        run = await provider.get_summary(run_id, Kind.RUN)
        assert isinstance(provider, ControlsWorkflows)
        trigger = next(t for t in await provider.list_triggers() if t.paused is False)
        sim.server.stop()
        # A read first, as the polls do: a kept-alive connection the server closed as it
        # stopped is dropped then (an action sent on one may have reached the server: not
        # this test's case).
        with pytest.raises(Unreachable) as read:
            await provider.get_summary(run_id, Kind.RUN)
        assert read.value.kind == "network" and not read.value.outcome_unknown
        journal = Journal(tmp_path / "journal.jsonl")
        controller = Controller(journal)
        result = await controller.act(provider, run, Action.CANCEL)
        assert (result.ok, result.uncertain, result.message) == (False, False, REFUSED.format("edges-sim"))
        assert not controller.unsettled
        workflows = WorkflowController(journal)
        paused = await workflows.act(provider, trigger, Action.PAUSE)
        assert (paused.ok, paused.uncertain) == (False, False)
        assert paused.message == REFUSED.format("edges-sim")
        assert not workflows.unsettled
        entries = list(journal.entries())
        assert [(e.action, e.outcome) for e in entries] == [
            ("cancel", "failed"), (f"pause workflow {trigger.id}", "failed")]
        assert all(e.message == REFUSED.format("edges-sim") for e in entries)
    finally:
        await ws.aclose()


def test_cli_execute_on_a_stopped_server_exits_1_saying_nothing_was_sent(sims: SimFactory) -> None:
    sim = sims(speed=FROZEN, runs=5)
    sim.server.stop()
    res = run_cli(sim.config_path, "runs", "execute", "-p", "edges-sim", "--workflow", "flow-1")
    assert res.code == 1, res
    assert "FAILED" in res.out and f"runtui: {REFUSED.format('edges-sim')}" in res.err
    out = run_cli(sim.config_path, "runs", "execute", "-p", "edges-sim", "--workflow", "flow-1",
                  "--json")
    assert out.code == 1 and out.json()["uncertain"] is False
    assert out.json()["error"]["message"] == REFUSED.format("edges-sim")
    history = run_cli(sim.config_path, "history", "--json").json()
    assert [(h["outcome"], h["message"]) for h in history] == [("failed", REFUSED.format("edges-sim"))] * 2


async def test_cancel_in_the_tui_during_an_outage_says_not_sent(sims: SimFactory) -> None:
    """The report's steps: a running Edges run, the server killed, the health line in
    error, `c`, `y`."""
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("edges", "RUNNING")
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("edges-sim", run_id))
        sim.server.stop()
        await wait_for(pilot, lambda: runs.ws.health["edges-sim"].state is HealthState.ERROR, 20,
                       "the outage seen")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "confirm")
        await pilot.press("y")
        title = f"cancel {display.short_id(run_id)} failed"
        await wait_for(pilot, lambda: any(t == title for t, _, _ in notes), 15, "the outcome")
        assert (title, REFUSED.format("edges-sim"), "error") in notes
        assert not any("unknown" in t or "lost" in m for t, m, _ in notes), notes
        assert not runs.ws.controller.unsettled


async def test_the_cancel_question_says_the_profile_has_not_answered_since(sims: SimFactory) -> None:
    """The question was asked with no hint that the profile had been unreachable for a
    minute and the row was its last reading."""
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("edges", "RUNNING")
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("edges-sim", run_id))

        async def asked() -> str:
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "confirm")
            assert isinstance(app.screen, ConfirmScreen)
            question = app.screen.question
            await pilot.press("n")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), 5, "answered no")
            return question

        assert "has not answered" not in await asked()
        sim.server.stop()
        await wait_for(pilot, lambda: runs.ws.health["edges-sim"].state is HealthState.ERROR, 20,
                       "the outage seen")
        last_ok = runs.ws.health["edges-sim"].last_ok
        assert last_ok is not None
        since = last_ok.astimezone().strftime("%H:%M:%S")
        question = await asked()
        assert f"\nedges-sim has not answered since {since}: this row may be stale\n" in question
        assert question.endswith("This cannot be undone.")
