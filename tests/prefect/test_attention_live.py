"""The attention queue on a real Prefect server: a run paused for typed input is answered
from the CLI, and a work pool whose worker is gone while runs are due is profile trouble."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from runtui import display

from .conftest import POOL, PROFILE, PrefectServer
from .refusing_proxy import RefusingProxy

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from runtui.tui.screens.answer import AnswerScreen

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


def test_a_run_paused_for_input_is_listed_as_waiting_and_a_plain_pause_as_paused(
        prefect_server: PrefectServer) -> None:
    """`runs list --status waiting` finds the run that waits for typed input and not the
    plain pause; `--status paused` the other way round. Its actions stay a paused run's."""
    asked, plain = prefect_server.create_run("asker"), prefect_server.create_run("pauser")
    try:
        for run_id in (asked, plain):
            paused = prefect_server.wait_type(run_id, "PAUSED", "FAILED", "CRASHED", timeout=90)
            assert paused["state_type"] == "PAUSED"
        # What the parser reads: the server's own state says which one asks for input.
        assert prefect_server.flow_run(asked)["state"]["state_details"]["run_input_keyset"]
        assert prefect_server.flow_run(plain)["state"]["state_details"]["run_input_keyset"] is None

        def listed(status: str) -> dict[str, tuple[str, str]]:
            result = prefect_server.cli("runs", "list", "-p", PROFILE, "--status", status, "--json")
            assert result.code == 0, result.err
            return {r["id"]: (r["status"], r["raw_status"]) for r in result.json()}

        waiting = listed("waiting")
        assert waiting.get(asked) == ("waiting", "PAUSED") and plain not in waiting
        paused_runs = listed("paused")
        assert paused_runs.get(plain) == ("paused", "PAUSED") and asked not in paused_runs
        shown = prefect_server.cli("runs", "show", asked, "-p", PROFILE, "--json")
        assert (shown.json()["status"], shown.json()["raw_status"]) == ("waiting", "PAUSED"), shown.err
        assert prefect_server.cli("runs", "pause", asked, "-p", PROFILE).code == 3  # as for any PAUSED
        cancel = prefect_server.cli("runs", "cancel", asked, "-p", PROFILE, "--json")
        assert cancel.code == 0 and cancel.json()["ok"] is True, cancel.err
    finally:
        for run_id in (asked, plain):  # CANCELLING: the worker ends the flows' processes
            if prefect_server.flow_run(run_id)["state_type"] not in ("CANCELLING", "CANCELLED"):
                prefect_server.call("POST", f"/flow_runs/{run_id}/set_state",
                                    {"state": {"type": "CANCELLING"}, "force": True})


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
    await _answer_from_the_queue(prefect_server, prefect_server.config_path)


async def test_tui_answers_again_from_the_form_after_prefect_refused_with_a_503(
        prefect_server: PrefectServer, tmp_path: Path) -> None:
    """Prefect answers 503 ("database is locked", nothing committed) now and then under
    load. The form keeps that refusal with what was typed, and F2 sends again: the test
    above does what a person reading it would. Here every run goes through it, as a
    proxy in front of the server refuses the first resume the way Prefect does."""
    proxy = RefusingProxy(prefect_server.api_url.removesuffix("/api"), "/resume", refusals=1)
    with proxy.running():
        config = tmp_path / "runtui.toml"
        config.write_text(prefect_server.config_path.read_text().replace(
            prefect_server.api_url, f"http://127.0.0.1:{proxy.port}/api"))
        run_id = await _answer_from_the_queue(prefect_server, config)
    resume = f"/api/flow_runs/{run_id}/resume"
    assert (proxy.refused, proxy.passed) == ([resume], [resume])


async def _answer_from_the_queue(prefect_server: PrefectServer, config: Path) -> str:
    """Pause a run for input, answer it from `!` in an app reading `config`, see it complete
    and leave the queue; returns its id."""
    from textual.widgets import Input

    from runtui.engine.attention import Reason
    from runtui.engine.workspace import Workspace
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.answer import AnswerScreen
    from runtui.tui.screens.attention import AttentionScreen, QueueTable
    from runtui.tui.screens.runs import RunsScreen

    from .test_live import _wait_rest, _wait_ui

    run_id = prefect_server.create_run("asker")
    prefect_server.wait_type(run_id, "PAUSED", "FAILED", "CRASHED", timeout=90)
    app = RuntuiApp(Workspace.load(config))
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
        screen.query_one(QueueTable).move_cursor(row=row)
        await pilot.press("r")
        form = await _wait_ui(pilot, lambda: isinstance(app.screen, AnswerScreen) and app.screen,
                              "the answer form")
        assert form.query_one("#field-cap", Input).value == "100"
        region = form.query_one("#field-region", Input)
        await _wait_ui(pilot, lambda: region.has_focus, "the cursor in the first field")
        await pilot.press("e", "u")
        outcome = await _send_until_the_platform_took_it(pilot, form)
        assert outcome == f"answered {display.short_id(run_id)}", outcome
        done = await _wait_rest(pilot, prefect_server, run_id, {"COMPLETED", "FAILED", "CRASHED"},
                                timeout=90)
        assert done["state_type"] == "COMPLETED"
        await _wait_ui(pilot, lambda: key not in alerts.queue.items, "the run left the queue")
    return run_id


async def _send_until_the_platform_took_it(pilot: Pilot[Any], form: AnswerScreen) -> str:
    """F2 on the answer form; the title of the toast that says how it went once the form
    closed (answered, or a lost answer's). A refusal stays in the form, with what was
    typed: a 503 is Prefect's SQLite locked without committing (twice in a row on a busy
    2-core CI), and F2 sends again, as a person reading it would. Any other refusal, or a
    503 a third time, fails with the form's words."""
    from textual.widgets import Static

    from runtui.tui.app import RuntuiApp

    from .test_live import _wait_ui

    app = form.app
    assert isinstance(app, RuntuiApp)
    said = form.query_one("#answer-errors", Static)
    refused = ""
    for _ in range(3):
        toasts = len(app.messages)
        await pilot.press("f2")  # the form is `sending` once the key is handled
        await _wait_ui(pilot, lambda: app.screen is not form or not form.sending,
                       "the platform's answer", timeout=60)
        if app.screen is not form:  # its outcome was said in a toast as it closed
            titles = [m.title for m in list(app.messages)[toasts:]]
            return next((t for t in titles if t.startswith(("answered ", "answer "))),
                        f"no outcome toast among {titles}")
        refused = str(said.content)
        assert refused.startswith("✘") and "HTTP 503" in refused, refused
    raise AssertionError(f"refused three times: {refused}")


async def test_tui_shows_a_run_paused_for_input_as_waiting_through_every_poll(
        prefect_server: PrefectServer) -> None:
    """In the runs table the run that waits for typed input is `waiting` (st:waiting finds it,
    not the plain pause, which stays `paused`) and stays so through the head reads and the
    sweeps of the active set: every read of it carries the state that says so."""
    from runtui.actions import decide
    from runtui.engine.store import Delta
    from runtui.engine.workspace import Workspace
    from runtui.model import Action, Status
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.runs import RunsScreen

    from .test_live import _wait_ui

    asked, plain = prefect_server.create_run("asker"), prefect_server.create_run("pauser")
    try:
        for run_id in (asked, plain):
            prefect_server.wait_type(run_id, "PAUSED", "FAILED", "CRASHED", timeout=90)
        app = RuntuiApp(Workspace.load(prefect_server.config_path))
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _wait_ui(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen,
                                    "the runs screen")
            assert isinstance(screen, RunsScreen)
            store, watcher = app.workspace.store, app.workspace.watchers[PROFILE]
            key, plain_key = (PROFILE, asked), (PROFILE, plain)
            await _wait_ui(pilot, lambda: store.get(key) and store.get(plain_key), "both runs read")
            seen: list[Status] = []

            def record(delta: Delta) -> None:
                seen.extend(r.status for r in delta.added if r.key == key)
                seen.extend(new.status for _, new in delta.changed if new.key == key)

            unsubscribe = store.subscribe(record)
            run, other = store.get(key), store.get(plain_key)
            assert run is not None and (run.status, run.raw_status) == (Status.WAITING, "PAUSED")
            assert other is not None and (other.status, other.raw_status) == (Status.PAUSED, "PAUSED")
            assert decide(run, Action.RESUME) and decide(run, Action.CANCEL)

            await pilot.press("slash", *"st:waiting", "enter")
            await _wait_ui(pilot, lambda: screen.table.filter_text == "st:waiting", "the filter")
            shown = {r.key for r in screen.table.visible_runs()}
            assert key in shown and plain_key not in shown
            counts = screen.table.counts()  # of the runs the filter shows
            assert counts.get(Status.WAITING, 0) >= 1 and not counts.get(Status.PAUSED)

            polls = watcher.polls
            watcher.refresh_now(full=True)  # a complete listing and a sweep of the active set
            await _wait_ui(pilot, lambda: watcher.polls >= polls + 3, "three more polls")
            unsubscribe()
            assert set(seen) <= {Status.WAITING}, seen  # never read back as paused
            last = store.get(key)
            assert last is not None and last.status is Status.WAITING
    finally:
        for run_id in (asked, plain):  # CANCELLING: the worker ends the flows' processes
            if prefect_server.flow_run(run_id)["state_type"] not in ("CANCELLING", "CANCELLED"):
                prefect_server.call("POST", f"/flow_runs/{run_id}/set_state",
                                    {"state": {"type": "CANCELLING"}, "force": True})
