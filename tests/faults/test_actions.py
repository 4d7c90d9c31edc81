"""Actions go out at most once per user action, and a lost answer is reconciled by a read.

Provider-level proofs (a timeout or reset on the POST is read back, never retried) are in
tests/unit/providers/test_prov_common.py; these drive the real app, CLI and simulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from runtui import display
from runtui.config import Profile
from runtui.engine.control import Controller
from runtui.engine.journal import Journal
from runtui.engine.workspace import Workspace
from runtui.errors import NotAllowed
from runtui.model import Action, Run, Status
from runtui.providers.edges import EdgesProvider
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.runs import RunsScreen

from .conftest import SimFactory, run_cli, wait_for

FROZEN = 1e-9  # the sim's clock barely moves: runs keep their state during the test


def capture_notes(app: RuntuiApp) -> list[tuple[str, str, str]]:
    """Every notification the app shows, as (title, message, severity)."""
    notes: list[tuple[str, str, str]] = []
    original: Callable[..., Any] = app.notify

    def notify(message: str, *, title: str = "", severity: str = "information", **kw: Any) -> None:
        notes.append((title, str(message), severity))
        original(message, title=title, severity=severity, **kw)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return notes


async def _open_on(pilot: Any, app: RuntuiApp, key: tuple[str, str]) -> RunsScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
    runs = app.screen
    assert isinstance(runs, RunsScreen)
    await wait_for(pilot, lambda: runs.ws.store.get(key) is not None, 15, f"row {key}")
    runs.set_focus(runs.table)
    runs.table.move_cursor_to(key)
    await wait_for(pilot, lambda: runs.table.cursor_key == key, 5, "cursor on the run")
    return runs


@pytest.mark.parametrize("gap", [0.0, 0.05, 0.6], ids=["same-tick", "50ms", "600ms"])
async def test_key_pressed_twice_sends_one_post(sims: SimFactory, gap: float) -> None:
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("wexa", "running")
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("wexa-sim", run_id))
        sim.reset_stats()
        await pilot.press("p")
        if gap:
            await pilot.pause(gap)
        await pilot.press("p")
        await wait_for(pilot, lambda: not runs.table.pending and not runs.ws.controller.in_flight, 10,
                       "the action to finish")
        await pilot.pause(0.2)
        assert sim.posts() == {"POST /wexa/execute_flow/{execution_id}/pause": 1}
        # The second press is greyed out (busy, or the run is already paused) or refused
        # with a notice; either way exactly one action was reported.
        assert [m for _, m, _ in notes if "sent" in m] == ["pause sent → paused (paused)"], notes
    assert run_id in {r["id"] for r in sim.find("wexa", "paused", 100)}


async def test_a_key_after_the_action_ended_sees_the_run_as_it_came_back(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The action's answer reaches the store, and the table with the rest of its beat
    (RunsScreen._on_delta): a second p in between found the row still running and sent a
    second pause (seen once as two POSTs in the same-tick test above, on a loaded machine).
    The window is widened here so that it is seen every time."""
    from runtui.tui.screens import runs as runs_screen

    monkeypatch.setattr(runs_screen, "GATHER_SECONDS", 5.0)
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("wexa", "running")
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("wexa-sim", run_id))
        await wait_for(pilot, lambda: runs.ws.first_listings_in, 10, "first listings")
        sim.reset_stats()
        await pilot.press("p")
        await wait_for(pilot, lambda: not runs.table.pending and not runs.ws.controller.in_flight, 10,
                       "the action to finish")
        await pilot.press("p")
        await wait_for(pilot, lambda: not runs.table.pending and not runs.ws.controller.in_flight, 10,
                       "the second key handled")
        assert sim.posts() == {"POST /wexa/execute_flow/{execution_id}/pause": 1}


async def test_lost_answer_read_back_as_done_says_confirmed(sims: SimFactory) -> None:
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("edges", "RUNNING")
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("edges-sim", run_id))
        sim.reset_stats()
        sim.faults(1.0, ["lost_response"])  # only POSTs: applied by the server, answer dropped
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "confirm")
        await pilot.press("y", "c")  # a second cancel right away is refused, not sent
        await wait_for(pilot, lambda: any("confirmed by read-back" in t for t, _, _ in notes), 15,
                       "the confirmed notice")
        title, message, severity = next(n for n in notes if "confirmed by read-back" in n[0])
        assert severity == "information" and display.short_id(run_id) in title
        assert not any("outcome was unknown" in t for t, _, _ in notes)
        assert "the answer was lost" in message and "the run is now cancelled (STOPPED)" in message
        key = ("edges-sim", run_id)
        await wait_for(pilot, lambda: runs.ws.store.get(key).status is Status.CANCELLED, 5,
                       "the real state in the table")
        row = next(r for r in runs.table.visible_runs() if r.key == key)
        assert row.status is Status.CANCELLED and row.raw_status == "STOPPED"
        assert sim.posts() == {"POST /edges/v1/flows/runs/{uid}/cancel": 1}


def test_cli_lost_answer_is_confirmed_by_the_read_back(sims: SimFactory) -> None:
    sim = sims(speed=FROZEN, runs=30)
    b3_id = sim.subject("b3os", "running")
    sim.faults(1.0, ["lost_response"])
    sim.reset_stats()
    res = run_cli(sim.config_path, "runs", "cancel", b3_id, "-p", "b3os-sim", "--json")
    out = res.json()
    assert out["uncertain"] is True and out["ok"] is True and res.code == 0
    assert "confirmed by read-back" in out["message"]
    assert out["run"]["status"] == "cancelled"
    assert sim.posts() == {"POST /b3os/v1/runs/{run_id}/cancel": 1}
    # Not JSON: the real state read back, one POST.
    wexa_id = sim.subject("wexa", "running")
    sim.reset_stats()
    res = run_cli(sim.config_path, "runs", "pause", wexa_id, "-p", "wexa-sim")
    assert res.code == 0 and "ok, confirmed by read-back -> ⏸ paused [paused]" in res.out
    assert sim.posts() == {"POST /wexa/execute_flow/{execution_id}/pause": 1}


async def test_the_outcome_stays_unknown_when_the_read_back_does_not_show_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No server can lose a POST's answer and then fail every read: a MockTransport does."""
    monkeypatch.setenv("FAULTS_EDGES_KEY", "k" * 12)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadTimeout("lost", request=request)
        return httpx.Response(200, json={"uid": "r1", "status": "RUNNING"})

    profile = Profile(name="e", provider="edges", base_url="https://edges.test/v1",
                      api_key_env="FAULTS_EDGES_KEY")
    provider = EdgesProvider.from_profile(profile, transport=httpx.MockTransport(handler))
    run = Run(profile="e", provider="edges", id="r1", status=Status.RUNNING, raw_status="RUNNING")
    result = await provider.perform(run, Action.CANCEL)
    assert result.uncertain and not result.ok
    assert "outcome unknown: not seen done when read back" in (result.message or "")
    assert "confirmed" not in (result.message or "")


async def test_concurrent_actions_on_one_run_are_refused_while_in_flight(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("FAULTS_EDGES_KEY", "k" * 12)
    release = asyncio.Event()
    posts: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request.url.path)
            await release.wait()
            return httpx.Response(200, json={"uid": "r1", "status": "STOPPED"})
        return httpx.Response(200, json={"uid": "r1", "status": "STOPPED"})

    profile = Profile(name="e", provider="edges", base_url="https://edges.test/v1",
                      api_key_env="FAULTS_EDGES_KEY")
    provider = EdgesProvider.from_profile(profile, transport=httpx.MockTransport(handler))
    controller = Controller(Journal(tmp_path / "j.jsonl"))
    run = Run(profile="e", provider="edges", id="r1", raw_status="RUNNING", status=Status.RUNNING)
    first = asyncio.create_task(controller.act(provider, run, Action.CANCEL))
    await asyncio.sleep(0.05)
    assert controller.is_busy(run)
    with pytest.raises(NotAllowed, match=r"in flight"):
        await controller.act(provider, run, Action.CANCEL)
    with pytest.raises(NotAllowed):
        await controller.act(provider, run, Action.RESUME)
    release.set()
    result = await first
    assert result.ok and posts == ["/v1/flows/runs/r1/cancel"]
    assert not controller.is_busy(run)
    await provider.aclose()



async def test_an_unknown_outcome_is_settled_by_the_next_reads(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """"Outcome was unknown" and then nothing: the operator never learned whether the cancel
    went through. The polls that follow settle it: said done once a read shows it, or not
    done once the patience runs out with the run as it was."""
    from runtui.tui import alerts

    monkeypatch.setattr(alerts, "SETTLE_CHECK_SECONDS", 0.2)
    sim = sims(speed=FROZEN, runs=30)
    later = sim.subject("edges", "RUNNING")
    never = next(r["id"] for r in sim.find("edges", "RUNNING", 50) if r["id"] != later)
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("edges-sim", never))
        runs.ws.controller.unsettled.patience = 3.0
        for run_id in (never, later):
            runs.table.move_cursor_to(("edges-sim", run_id))
            await wait_for(pilot, lambda r=run_id: runs.table.cursor_key == ("edges-sim", r), 5, "cursor")
            sim.faults(1.0, ["reset"])  # the cancel and its read-back both lost: nothing applied
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "confirm")
            await pilot.press("y")
            await wait_for(pilot, lambda r=run_id: any(display.short_id(r) in t and "outcome was unknown" in t
                                                       for t, _, _ in notes), 15, "the unknown outcome")
            sim.faults(0.0)
        assert len(runs.ws.controller.unsettled) == 2
        sim.force("edges", later, "STOPPED")  # taken a moment later, as a cancel still on its way
        runs.ws.refresh_now()
        def said(text: str) -> bool:  # in any toast's words (toasts that come together: one)
            return any(text in message for _title, message, _severity in notes)

        done = f"edges-sim {display.short_id(later)} is now cancelled (STOPPED)"
        await wait_for(pilot, lambda: said(done), 15, "the later cancel said done")
        await wait_for(pilot, lambda: said(f"edges-sim {display.short_id(never)} is still running"),
                       15, "the lost cancel said not done")
        # a toast of its own does not say its title again ("cancel took effect: cancel took effect: …")
        assert not [(t, m) for t, m, _ in notes if t and m.startswith(f"{t}: ")]
        assert not runs.ws.controller.unsettled
