"""runtui against a real Prefect 3 server and worker: the CLI and the TUI, checked through
Prefect's own REST API. State changes are waited for with deadlines, never with sleeps."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from runtui.config import Profile
from runtui.model import Action, Kind, Run, Status
from runtui.providers.prefect import PrefectProvider

from .conftest import PROFILE, PrefectServer

pytestmark = pytest.mark.prefect


def _future_state(minutes: float = 10) -> dict[str, Any]:
    """A SCHEDULED state far enough ahead that no worker picks the run up during a test."""
    when = datetime.now(UTC) + timedelta(minutes=minutes)
    return {"type": "SCHEDULED", "state_details": {"scheduled_time": when.isoformat()}}


def test_profiles_test_reads_the_server(prefect_server: PrefectServer) -> None:
    res = prefect_server.cli("profiles", "test", PROFILE)
    assert res.code == 0, res.err
    assert res.out.startswith(f"OK {PROFILE}: Prefect 3.")
    assert "flow run" in res.out


def test_execute_runs_to_completed(prefect_server: PrefectServer) -> None:
    res = prefect_server.cli("runs", "execute", "-p", PROFILE, "--workflow",
                             prefect_server.deployments["quick"], "--input", "n=2", "--json")
    assert res.code == 0, res.err
    started = res.json()
    run_id = started["new_run_id"]
    assert started["ok"] is True
    assert started["run"]["workflow_id"] == prefect_server.deployments["quick"]
    assert started["run"]["workflow_name"] == "quick/quick-dep"

    final = prefect_server.wait_type(run_id, "COMPLETED", "FAILED", "CRASHED", timeout=90)
    assert final["state_type"] == "COMPLETED", final["state"]["message"]
    assert final["parameters"] == {"n": 2}

    shown = prefect_server.cli("runs", "show", run_id, "-p", PROFILE, "--json")
    assert shown.code == 0, shown.err
    detail = shown.json()
    assert (detail["status"], detail["raw_status"]) == ("succeeded", "COMPLETED")
    assert detail["inputs"] == {"n": 2}
    assert [s["status"] for s in detail["steps"]] == ["succeeded", "succeeded"]
    assert all(s["type"] == "task" and s["name"].startswith("step") for s in detail["steps"])
    raw_timeline = [t["raw_status"] for t in detail["timeline"]]
    assert raw_timeline[0] == "SCHEDULED" and raw_timeline[-1] == "COMPLETED"
    assert "RUNNING" in raw_timeline
    assert detail["started_at"] and detail["finished_at"]

    listed = prefect_server.cli("runs", "list", "-p", PROFILE, "--status", "succeeded", "--json")
    assert listed.code == 0, listed.err
    mine = [r for r in listed.json() if r["id"] == run_id]
    assert mine and mine[0]["workflow"] == "quick/quick-dep"
    assert all(r["status"] == "succeeded" for r in listed.json())


def test_execute_refuses_an_input_the_deployment_does_not_take(prefect_server: PrefectServer) -> None:
    """Prefect would start the run and it would crash: refused first, exit 2, nothing made."""
    deployment = prefect_server.deployments["quick"]

    def runs() -> int:
        count: int = prefect_server.call("POST", "/flow_runs/count",
                                         {"deployments": {"id": {"any_": [deployment]}}})
        return count

    before = runs()
    res = prefect_server.cli("runs", "execute", "-p", PROFILE, "-w", deployment, "-i", "bogus=1")
    assert res.code == 2, (res.out, res.err)
    assert "unknown input 'bogus' (known: n)" in res.err
    assert runs() == before


def test_failed_run_shows_prefects_message(prefect_server: PrefectServer) -> None:
    run_id = prefect_server.create_run("failer")
    prefect_server.wait_type(run_id, "FAILED", "CRASHED", "COMPLETED", timeout=90)
    shown = prefect_server.cli("runs", "show", run_id, "-p", PROFILE, "--json").json()
    assert (shown["status"], shown["raw_status"]) == ("failed", "FAILED")
    assert "boom from the failer flow" in (shown["last_error"] or "")


def test_cli_cancels_a_running_run(prefect_server: PrefectServer) -> None:
    res = prefect_server.cli("runs", "execute", "-p", PROFILE, "-w", prefect_server.deployments["slow"],
                             "-i", "seconds=120", "--json")
    assert res.code == 0, res.err
    run_id = res.json()["new_run_id"]
    prefect_server.wait_type(run_id, "RUNNING", timeout=60)

    cancel = prefect_server.cli("runs", "cancel", run_id, "-p", PROFILE, "--json")
    assert cancel.code == 0, cancel.err
    answer = cancel.json()
    assert answer["ok"] is True
    # Read back at once: CANCELLING (still running until the worker kills it) or already done.
    assert (answer["run"]["status"], answer["run"]["raw_status"]) in (
        ("running", "CANCELLING"), ("cancelled", "CANCELLED"))

    final = prefect_server.wait_type(run_id, "CANCELLED", "CRASHED", "FAILED", "COMPLETED", timeout=60)
    assert final["state_type"] == "CANCELLED"
    assert ("CANCELLING", "Cancelling") in prefect_server.states(run_id)


def test_cli_cancel_says_the_run_is_being_cancelled_not_running(prefect_server: PrefectServer) -> None:
    """CANCELLING maps to running; right after a cancel it means the cancel was taken."""
    run_id = prefect_server.create_run("slow", {"seconds": 120})
    prefect_server.wait_type(run_id, "RUNNING", timeout=60)
    res = prefect_server.cli("runs", "cancel", run_id, "-p", PROFILE, "-y")
    assert res.code == 0, res.err
    line = res.out.strip()
    assert "▶ running" not in line
    assert ": ok -> cancelling (CANCELLING: " in line or "⊘ cancelled [CANCELLED]" in line, line
    prefect_server.wait_type(run_id, "CANCELLED", timeout=60)


def test_cancel_of_a_scheduled_run_is_done_although_prefect_answers_reject(
        prefect_server: PrefectServer) -> None:
    """CANCELLING on a run without a process: Prefect answers REJECT and cancels it at once."""
    run_id = prefect_server.create_run("quick", state=_future_state())
    assert prefect_server.flow_run(run_id)["state_type"] == "SCHEDULED"
    res = prefect_server.cli("runs", "cancel", run_id, "-p", PROFILE, "--json")
    assert res.code == 0, res.err
    assert res.json()["ok"] is True
    assert res.json()["run"]["raw_status"] == "CANCELLED"
    assert prefect_server.flow_run(run_id)["state_type"] == "CANCELLED"


def test_not_allowed_action_exits_3_and_sends_nothing(prefect_server: PrefectServer) -> None:
    run_id = prefect_server.create_run("quick", state=_future_state())
    before = prefect_server.states(run_id)
    res = prefect_server.cli("runs", "pause", run_id, "-p", PROFILE)
    assert res.code == 3
    assert "not allowed" in res.err and "(SCHEDULED)" in res.err and "works on running runs" in res.err
    res = prefect_server.cli("runs", "resume", run_id, "-p", PROFILE)
    assert res.code == 3
    assert prefect_server.states(run_id) == before
    prefect_server.call("POST", f"/flow_runs/{run_id}/set_state", {"state": {"type": "CANCELLED"}})
    res = prefect_server.cli("runs", "cancel", run_id, "-p", PROFILE)
    assert res.code == 3
    assert "cancelled" in res.err


def test_resume_a_run_that_paused_itself(prefect_server: PrefectServer) -> None:
    res = prefect_server.cli("runs", "execute", "-p", PROFILE, "-w", prefect_server.deployments["pauser"],
                             "--json")
    assert res.code == 0, res.err
    run_id = res.json()["new_run_id"]
    paused = prefect_server.wait_type(run_id, "PAUSED", "FAILED", "CRASHED", timeout=90)
    assert paused["state_type"] == "PAUSED"

    shown = prefect_server.cli("runs", "show", run_id, "-p", PROFILE, "--json").json()
    assert (shown["status"], shown["raw_status"]) == ("paused", "PAUSED")
    assert prefect_server.cli("runs", "pause", run_id, "-p", PROFILE).code == 3

    resumed = prefect_server.cli("runs", "resume", run_id, "-p", PROFILE, "--json")
    assert resumed.code == 0, resumed.err
    assert resumed.json()["ok"] is True
    final = prefect_server.wait_type(run_id, "COMPLETED", "FAILED", "CRASHED", timeout=60)
    assert final["state_type"] == "COMPLETED"


def test_pause_suspends_and_resume_reruns(prefect_server: PrefectServer) -> None:
    """runtui's pause is Prefect's suspend: PAUSED/Suspended, rescheduled (from the start) on resume."""
    run_id = prefect_server.create_run("slow", {"seconds": 2})
    prefect_server.wait_type(run_id, "RUNNING", timeout=60)

    res = prefect_server.cli("runs", "pause", run_id, "-p", PROFILE, "--json")
    if res.code == 1 and "not currently running" in res.err:
        pytest.skip("the 2 s flow finished before the suspend reached it")
    assert res.code == 0, res.err
    paused = prefect_server.flow_run(run_id)
    assert (paused["state_type"], paused["state_name"]) == ("PAUSED", "Suspended")
    assert paused["state"]["state_details"]["pause_reschedule"] is True

    res = prefect_server.cli("runs", "resume", run_id, "-p", PROFILE, "--json")
    assert res.code == 0, res.err
    final = prefect_server.wait_type(run_id, "COMPLETED", "FAILED", "CRASHED", timeout=90)
    assert final["state_type"] == "COMPLETED"
    names = [name for _, name in prefect_server.states(run_id)]
    assert names.index("Suspended") < names.index("Resuming") < names.index("Completed")


def test_a_stale_action_surfaces_prefects_reason(prefect_server: PrefectServer) -> None:
    """The table allowed it (stale state), Prefect refuses: its reason reaches the user."""
    run_id = prefect_server.create_run("quick", state=_future_state())
    prefect_server.call("POST", f"/flow_runs/{run_id}/set_state", {"state": {"type": "CANCELLED"}})
    stale = Run(profile=PROFILE, provider="prefect", id=run_id, kind=Kind.RUN,
                status=Status.PAUSED, raw_status="PAUSED")

    async def main() -> Any:
        provider = PrefectProvider.from_profile(
            Profile(name=PROFILE, provider="prefect", base_url=prefect_server.api_url))
        try:
            return await provider.perform(stale, Action.RESUME)
        finally:
            await provider.aclose()

    result = asyncio.run(main())
    assert result.ok is False and result.uncertain is False
    assert "Cannot resume a flow run that is not paused" in (result.message or "")
    assert result.run is not None and result.run.raw_status == "CANCELLED"


# ---- the TUI ----------------------------------------------------------------------------


def _ticks_after(srv: PrefectServer, run_id: str, after: str) -> list[str]:
    body = {"logs": {"flow_run_id": {"any_": [run_id]}, "timestamp": {"after_": after}}}
    return [log["message"] for log in srv.call("POST", "/logs/filter", body) if "tick" in log["message"]]


def test_pause_says_prefect_stops_no_code_and_the_code_indeed_runs_on(
        prefect_server: PrefectServer) -> None:
    """Prefect's suspend stops nothing: a flow that starts no task logs on after it. The
    outcome line (and its JSON) says so, since nothing else would."""
    run_id = prefect_server.create_run("ticker", {"seconds": 15})
    prefect_server.wait_for(run_id, lambda r: r["state_type"] == "RUNNING"
                            and bool(_ticks_after(prefect_server, run_id, r["start_time"])),
                            "running and ticking", timeout=60)
    res = prefect_server.cli("runs", "pause", run_id, "-p", PROFILE)
    assert res.code == 0, res.err
    line = res.out.strip()
    assert ": ok -> ⏸ paused [PAUSED]; Prefect suspends the run: its code keeps running until" in line
    assert "resume runs the flow again from its start" in line
    paused = prefect_server.flow_run(run_id)
    assert paused["state_name"] == "Suspended"
    since = paused["state"]["timestamp"]
    prefect_server.wait_for(run_id, lambda _r: len(_ticks_after(prefect_server, run_id, since)) >= 3,
                            "still logging ticks while suspended", timeout=30)
    assert prefect_server.flow_run(run_id)["state_type"] == "PAUSED"  # and it still reads paused
    resumed = prefect_server.cli("runs", "resume", run_id, "-p", PROFILE)
    assert resumed.code == 0, resumed.err
    assert ": ok -> rescheduled (SCHEDULED: the flow runs again from its start" in resumed.out
    prefect_server.call("POST", f"/flow_runs/{run_id}/set_state",
                        {"state": {"type": "CANCELLING"}, "force": True})  # leave nothing running


async def test_tui_pause_asks_first_saying_prefect_stops_no_code(prefect_server: PrefectServer) -> None:
    from runtui.engine.workspace import Workspace
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.confirm import ConfirmScreen
    from runtui.tui.screens.runs import RunsScreen

    run_id = prefect_server.create_run("slow", {"seconds": 120})
    prefect_server.wait_type(run_id, "RUNNING", timeout=60)
    app = RuntuiApp(Workspace.load(prefect_server.config_path))
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen,
                                    "the runs screen")
            assert isinstance(screen, RunsScreen)
            run = await _wait_ui(pilot, lambda: next((r for r in screen.table.visible_runs()
                                                      if r.id == run_id and r.raw_status == "RUNNING"),
                                                     None), "the running run")
            screen.table.move_cursor_to(run.key)
            await pilot.pause()
            await pilot.press("p")
            asked = await _wait_ui(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen,
                                   "the pause asked first")
            assert isinstance(asked, ConfirmScreen)
            assert "Prefect suspends the run: its code keeps running until" in asked.question
            assert "cannot be undone" not in asked.question
            await pilot.press("n")
            await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen), "back on the runs")
            assert prefect_server.flow_run(run_id)["state_type"] == "RUNNING"  # nothing was sent
    finally:
        prefect_server.call("POST", f"/flow_runs/{run_id}/set_state", {"state": {"type": "CANCELLING"}})


async def _wait_ui(pilot: Any, check: Any, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"TUI: {what} within {timeout:.0f}s")
        await pilot.pause(0.2)


async def _wait_rest(pilot: Any, srv: PrefectServer, run_id: str, types: set[str],
                     timeout: float = 60.0) -> dict[str, Any]:
    """Poll Prefect while the app keeps running (REST calls go to a thread)."""
    deadline = time.monotonic() + timeout
    while True:
        run = await asyncio.to_thread(srv.flow_run, run_id)
        if run["state_type"] in types:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"{run_id} not in {types}: {run['state_type']}/{run['state_name']}")
        await pilot.pause(0.2)


async def test_tui_cancels_the_cursor_run(prefect_server: PrefectServer) -> None:
    from runtui.engine.workspace import Workspace
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.runs import RunsScreen

    run_id = prefect_server.create_run("slow", {"seconds": 120})
    prefect_server.wait_type(run_id, "RUNNING", timeout=60)
    app = RuntuiApp(Workspace.load(prefect_server.config_path))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen,
                                "the runs screen")
        assert isinstance(screen, RunsScreen)
        table = screen.table

        def row() -> Run | None:
            return next((r for r in table.visible_runs() if r.id == run_id and r.raw_status == "RUNNING"),
                        None)

        run = await _wait_ui(pilot, row, f"run {run_id} shown as RUNNING")
        assert run.workflow_name == "slow/slow-dep"
        table.move_cursor_to(run.key)
        await pilot.pause()
        assert table.cursor_run is not None and table.cursor_run.id == run_id
        await pilot.press("c")
        await _wait_ui(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", "confirm dialog")
        await pilot.press("y")
        toast = await _wait_ui(pilot, lambda: next((f"{n.title}: {n.message}" for n in app._notifications
                                                     if n.title.startswith("cancel")), None),
                               "the cancel's outcome toast")
        assert "→ running" not in toast and ("cancelling (CANCELLING: " in toast or "cancelled" in toast)
        await _wait_rest(pilot, prefect_server, run_id, {"CANCELLED"})

        def shown_cancelled() -> bool:
            return any(r.id == run_id and r.status is Status.CANCELLED for r in table.visible_runs())

        await _wait_ui(pilot, shown_cancelled, "the run shown as cancelled")


async def test_tui_execute_form_refuses_an_input_the_deployment_does_not_take(
        prefect_server: PrefectServer) -> None:
    from textual.widgets import Input, Static

    from runtui.engine.workspace import Workspace
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.execute import ExecuteScreen
    from runtui.tui.screens.runs import RunsScreen

    deployment = prefect_server.deployments["quick"]
    before = await asyncio.to_thread(prefect_server.call, "POST", "/flow_runs/count",
                                     {"deployments": {"id": {"any_": [deployment]}}})
    app = RuntuiApp(Workspace.load(prefect_server.config_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs screen")
        await pilot.press("e")
        form = await _wait_ui(pilot, lambda: isinstance(app.screen, ExecuteScreen) and app.screen, "the form")
        assert isinstance(form, ExecuteScreen)
        form.query_one("#execute-workflow", Input).value = deployment
        form.inputs_area.load_text("bogus=1")
        await pilot.press("f2")
        error = form.query_one("#execute-error", Static)
        await _wait_ui(pilot, lambda: "unknown input 'bogus' (known: n)" in str(error.render()),
                       "the refusal in the form")
        assert app.screen is form  # kept open, with what was typed
        assert form.inputs_area.text == "bogus=1"
    after = await asyncio.to_thread(prefect_server.call, "POST", "/flow_runs/count",
                                    {"deployments": {"id": {"any_": [deployment]}}})
    assert after == before
