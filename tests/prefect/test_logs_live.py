"""Real logs from a real Prefect server: `runs logs` (text, NDJSON, level) and the TUI's
log screen and Logs tab, for a flow that logs known lines at several levels."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from runtui.model import Run

from .conftest import PROFILE, PrefectServer
from .test_live import _wait_ui

pytestmark = pytest.mark.prefect

_talked: dict[str, str] = {}


def talked(srv: PrefectServer) -> str:
    """One completed `talker` run for the module (its logs are written as it runs)."""
    if "id" not in _talked:
        run_id = srv.create_run("talker", {"lines": 3})
        srv.wait_type(run_id, "COMPLETED", timeout=90)
        deadline = time.monotonic() + 30  # the worker ships logs in batches, after the state
        while not any("talker error line" in log["message"] for log in srv.call(
                "POST", "/logs/filter", {"logs": {"flow_run_id": {"any_": [run_id]}}})):
            assert time.monotonic() < deadline, "the talker's logs never reached the server"
            time.sleep(0.3)
        _talked["id"] = run_id
    return _talked["id"]


def test_runs_logs_prints_the_real_log_with_levels_and_sources(prefect_server: PrefectServer) -> None:
    run_id = talked(prefect_server)
    res = prefect_server.cli("runs", "logs", run_id, "-p", PROFILE)
    assert res.code == 0, res.err
    assert "publishes no log API" not in res.err  # real logs: nothing to excuse
    lines = res.out.splitlines()
    assert any(" INFO " in line and "talker info 0" in line for line in lines)
    assert any(" ERROR " in line and "talker error line" in line for line in lines)
    warning = next(line for line in lines if "task says warning 7" in line)
    assert " WARNING " in warning and "chatty" in warning  # the task run's name is the source
    hostile = next(line for line in lines if "hostile" in line)
    assert "\x1b" not in res.out and "\x07" not in res.out
    assert "␛]52;c;Zm9v␇" in hostile  # shown, never executed


def test_runs_logs_json_keeps_the_exact_text_and_filters_by_level(prefect_server: PrefectServer) -> None:
    run_id = talked(prefect_server)
    res = prefect_server.cli("runs", "logs", run_id, "-p", PROFILE, "--json", "--level", "warning")
    assert res.code == 0, res.err
    assert "\x1b" not in res.out  # escaped in the JSON text
    objects = [json.loads(line) for line in res.out.splitlines()]
    assert {o["level"] for o in objects} == {"warning", "error"}
    for obj in objects:
        assert {"time", "level", "message", "source", "id"} <= obj.keys()
    assert len({o["id"] for o in objects}) == len(objects)
    every = [json.loads(line) for line in prefect_server.cli(
        "runs", "logs", run_id, "-p", PROFILE, "--json").out.splitlines()]
    assert any(o["message"] == "hostile \x1b]52;c;Zm9v\x07 tail" for o in every)
    times = [o["time"] for o in every]
    assert times == sorted(times)  # oldest first


async def test_following_costs_one_request_a_read_and_ends_with_the_run(
        prefect_server: PrefectServer) -> None:
    from runtui.engine.logs import LogFollower
    from runtui.engine.workspace import Workspace

    run_id = talked(prefect_server)
    ws = Workspace.load(prefect_server.config_path)
    provider = ws.provider(PROFILE)
    follower = LogFollower(provider, await provider.get_summary(run_id))  # type: ignore[arg-type]
    await follower.read_once()  # the logs, and the task runs' names once
    sent = provider.http.requests
    reads = 0
    while not follower.ended and reads < 10:
        await follower.read_once()
        reads += 1
    assert follower.ended and reads <= 4  # the run's state on every other read: it ended
    assert provider.http.requests - sent == reads  # one request a read
    await ws.aclose()


async def test_tui_log_screen_and_logs_tab_show_the_real_log(prefect_server: PrefectServer) -> None:
    from runtui.engine.workspace import Workspace
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.logs import LogScreen
    from runtui.tui.screens.runs import RunsScreen
    from runtui.tui.widgets.detail_pane import DetailPane
    from runtui.tui.widgets.log_panel import LogPanel

    run_id = talked(prefect_server)
    app = RuntuiApp(Workspace.load(prefect_server.config_path))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen,
                                "the runs screen")
        assert isinstance(screen, RunsScreen)

        def row() -> Run | None:
            return next((r for r in screen.table.visible_runs() if r.id == run_id), None)

        run = await _wait_ui(pilot, row, f"run {run_id} listed")
        screen.table.move_cursor_to(run.key)
        await pilot.pause()
        await pilot.press("l")
        log_screen = await _wait_ui(pilot, lambda: isinstance(app.screen, LogScreen) and app.screen,
                                    "the log screen")
        panel = log_screen.panel

        def ended() -> Any:
            return "ended" in panel.status_words() and panel

        await _wait_ui(pilot, ended, "the whole log read")
        shown = [panel.view.rows.row(i)[2] for i in range(len(panel.view.rows))]
        assert any("talker error line" in text for text in shown)
        await pilot.press("v", "v")  # warning and above
        assert "level ≥ warning" in panel.status_words()
        shown = [panel.view.rows.row(i)[2] for i in range(len(panel.view.rows))]
        assert not any("talker info" in text for text in shown)
        await pilot.press("escape")
        await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen), "back on the runs screen")

        await pilot.press("enter")  # the detail (split at 120 columns)
        pane = await _wait_ui(pilot, lambda: next(iter(app.screen.query(DetailPane)), None), "the detail")
        pane.show_tab("tab-logs")
        tab_panel = await _wait_ui(pilot, lambda: next(iter(pane.query(LogPanel)), None), "the Logs tab")
        await _wait_ui(pilot, lambda: "ended" in tab_panel.status_words(), "the tab's log read")
        pane.show_tab("tab-overview")
        await _wait_ui(pilot, lambda: not pane.query(LogPanel), "the tab lets the log go")
        assert app.workspace.logs.followers == {}  # nothing read while no view shows the log


async def _read_until(follower: Any, check: Any, what: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not {what}: {follower.grows!r}, {follower.run.status}"
        await follower.read_once()
        await asyncio.sleep(0.3)  # the pace of a follow (one read a tick), not a wait for an event


async def test_a_suspended_then_cancelled_run_whose_code_runs_on_is_said_so(
        prefect_server: PrefectServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's case: a pause stops no code and a cancel of the suspended run marks it
    cancelled at once, while the flow logs on. The log says so, not a bare "live"."""
    from runtui.engine.logs import LogFollower
    from runtui.engine.workspace import Workspace

    monkeypatch.setattr("runtui.engine.logs.STOPPED_GRACE", 2.0)
    run_id = prefect_server.create_run("ticker", {"seconds": 30})
    prefect_server.wait_type(run_id, "RUNNING", timeout=60)
    paused = await asyncio.to_thread(prefect_server.cli, "runs", "pause", run_id, "-p", PROFILE)
    assert paused.code == 0, paused.err
    ws = Workspace.load(prefect_server.config_path)
    try:
        provider = ws.provider(PROFILE)
        follower = LogFollower(provider, await provider.get_summary(run_id))  # type: ignore[arg-type]
        await _read_until(follower, lambda: follower.grows is not None, "said while paused")
        assert follower.grows is not None and follower.grows.startswith("the run reads as paused but its log")
        cancel = await asyncio.to_thread(prefect_server.cli, "runs", "cancel", run_id, "-p", PROFILE, "-y")
        assert cancel.code == 0, cancel.err
        assert prefect_server.flow_run(run_id)["state_type"] == "CANCELLED"  # at once: "no infrastructure"
        await _read_until(follower, lambda: follower.grows is not None and "cancelled" in follower.grows,
                          "said once cancelled")
        assert follower.grows is not None
        assert follower.grows.endswith("but its log still grows: its process may still be running")
        assert not follower.ended
    finally:
        await ws.aclose()
