"""The attention queue on a real Prefect server: a run paused for typed input is answered
from the CLI, and a work pool whose worker is gone while runs are due is profile trouble."""

from __future__ import annotations

import pytest

from .conftest import POOL, PROFILE, PrefectServer

pytestmark = pytest.mark.prefect

IDLE_POOL = "runtui-idle-pool"


def _queue(prefect_server: PrefectServer) -> list[dict[str, object]]:
    result = prefect_server.cli("attention", "--json", "-p", PROFILE)
    assert result.code in (0, 1), result.err
    items: list[dict[str, object]] = result.json()
    return items


def test_a_run_paused_for_input_is_answered_with_its_form(prefect_server: PrefectServer) -> None:
    run_id = prefect_server.create_run("asker")
    paused = prefect_server.wait_type(run_id, "PAUSED", "FAILED", "CRASHED", timeout=90)
    assert paused["state_type"] == "PAUSED"
    item = next(i for i in _queue(prefect_server) if i["id"] == run_id)
    assert item["reason"] == "waiting" and "answer" in item["actions"]  # type: ignore[operator]

    shown = prefect_server.cli("attention", "answer", run_id, "-p", PROFILE, "--show", "--json")
    assert shown.code == 0, shown.err
    fields = {f["key"]: f for f in shown.json()["fields"]}
    assert fields["region"]["required"] is True and fields["region"]["type"] == "string"
    assert fields["cap"]["default"] == 100 and fields["cap"]["required"] is False

    missing = prefect_server.cli("attention", "answer", run_id, "-p", PROFILE)
    assert missing.code == 2 and "region" in missing.err
    answered = prefect_server.cli("attention", "answer", run_id, "-p", PROFILE, "--set", "region=eu",
                                  "--set", "cap=7")
    assert answered.code == 0, answered.err
    done = prefect_server.wait_type(run_id, "COMPLETED", "FAILED", "CRASHED", timeout=90)
    assert done["state_type"] == "COMPLETED"
    assert run_id not in {i["id"] for i in _queue(prefect_server)}


def test_a_work_pool_without_a_worker_is_trouble_while_runs_are_due(prefect_server: PrefectServer) -> None:
    assert not [i for i in _queue(prefect_server) if i["reason"] == "profile"]
    prefect_server.call("POST", "/work_pools/", {"name": IDLE_POOL, "type": "process"})
    flow = prefect_server.call("POST", "/flows/", {"name": "quick"})
    deployment = prefect_server.call("POST", "/deployments/", {
        "name": "idle-dep", "flow_id": flow["id"], "work_pool_name": IDLE_POOL,
        "entrypoint": "runtui_test_flows.py:quick", "parameters": {}})
    run = prefect_server.call("POST", f"/deployments/{deployment['id']}/create_flow_run", {})
    try:
        trouble = [i for i in _queue(prefect_server) if i["reason"] == "profile"]
        assert [i["detail"] for i in trouble] == [
            f"work pool {IDLE_POOL} has no online worker; 1 due run wait"]
        assert POOL not in str(trouble), "the pool with a live worker is fine"
    finally:
        prefect_server.delete(f"/flow_runs/{run['id']}")
    assert not [i for i in _queue(prefect_server) if i["reason"] == "profile"]


async def test_tui_answers_a_paused_run_from_the_queue(prefect_server: PrefectServer) -> None:
    """A run paused for input appears under `!`, is answered from the form, and leaves."""
    from textual.widgets import Input

    from runtui.engine.attention import Reason
    from runtui.engine.workspace import Workspace
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.answer import AnswerScreen
    from runtui.tui.screens.attention import AttentionScreen
    from runtui.tui.screens.runs import RunsScreen

    from .test_live import _wait_rest, _wait_ui

    run_id = prefect_server.create_run("asker")
    prefect_server.wait_type(run_id, "PAUSED", "FAILED", "CRASHED", timeout=90)
    app = RuntuiApp(Workspace.load(prefect_server.config_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs screen")
        alerts = app.alerts
        assert alerts is not None
        key = (PROFILE, run_id)
        await _wait_ui(pilot, lambda: key in alerts.queue.items, "the paused run queued")
        assert alerts.queue.items[key].reason is Reason.WAITING
        await pilot.press("exclamation_mark")
        screen = await _wait_ui(pilot, lambda: isinstance(app.screen, AttentionScreen) and app.screen,
                                "the attention screen")
        await _wait_ui(pilot, lambda: any(i.run and i.run.id == run_id for i in screen._rows), "its row")
        row = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
        screen.query_one("DataTable").move_cursor(row=row)
        await pilot.press("r")
        form = await _wait_ui(pilot, lambda: isinstance(app.screen, AnswerScreen) and app.screen,
                              "the answer form")
        assert form.query_one("#field-cap", Input).value == "100"
        region = form.query_one("#field-region", Input)
        await _wait_ui(pilot, lambda: region.has_focus, "the cursor in the first field")
        await pilot.press("e", "u", "f2")

        def outcome() -> str | None:
            said = [f"{n.title}: {n.message}" for n in app._notifications]
            if any(s.startswith("answered ") for s in said):
                return "answered"
            return next((s for s in said if s.startswith("answer ")), None)

        first = await _wait_ui(pilot, outcome, "the answer's outcome", timeout=60)
        if first != "answered" and "503" in first:
            # Prefect's SQLite answers 503 "database is locked" now and then without
            # committing; like a person reading that toast, the test answers again.
            await pilot.press("r")
            form = await _wait_ui(pilot, lambda: isinstance(app.screen, AnswerScreen) and app.screen,
                                  "the answer form again")
            region = form.query_one("#field-region", Input)
            await _wait_ui(pilot, lambda: region.has_focus, "the cursor in the first field")
            await pilot.press("e", "u", "f2")
        assert first == "answered" or "503" in first, first
        done = await _wait_rest(pilot, prefect_server, run_id, {"COMPLETED", "FAILED", "CRASHED"},
                                timeout=90)
        assert done["state_type"] == "COMPLETED"
        await _wait_ui(pilot, lambda: key not in alerts.queue.items, "the run left the queue")
