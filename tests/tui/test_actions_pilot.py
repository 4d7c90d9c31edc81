"""Every run action of every provider, by keyboard, against the real simulator.

Each test starts `RuntuiApp` over a config that points at the module's simulator,
lets the real watchers load the runs, puts the cursor on a run (by `move_cursor_to`
or by typing a filter, as a person would), presses the real keys, and then checks
what the *server* did: its run status and its per-route request counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from runtui import display
from runtui.actions import decide
from runtui.model import Action, ActionResult, Run
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.answer import AnswerScreen
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.execute import ExecuteScreen, goal_of
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.widgets.detail_pane import DetailPane
from runtui.tui.widgets.keys_footer import KeysFooter
from tests.tui.conftest import (
    SIM_PROFILE,
    TuiSim,
    notifications,
    runs_loaded,
    screen_text,
    type_in_one_burst,
    wait_for,
)

SIZE = (120, 36)

WEXA = "/wexa/execute_flow/{execution_id}"
EDGES = "/edges/v1/flows/runs/{uid}"
B3OS = "/b3os/v1/runs/{run_id}"


@asynccontextmanager
async def tui(config: Path, *, profiles: int = 3) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], RunsScreen]]:
    """The real app, watching the simulator, once every profile has loaded its runs."""
    async with runs_loaded(config, size=SIZE, profiles=profiles) as running:
        yield running


def run_of(screen: RunsScreen, profile: str, run_id: str) -> Run | None:
    return screen.ws.store.get((profile, run_id))  # type: ignore[no-any-return]


async def select(pilot: Pilot[Any], screen: RunsScreen, provider: str, run_id: str,
                 raw: str | None = None) -> Run:
    """Cursor on the run, once the table shows it (in raw status `raw` if given)."""
    key = (SIM_PROFILE[provider], run_id)

    def shown() -> bool:
        run = run_of(screen, *key)
        return run is not None and (raw is None or run.raw_status == raw) \
            and any(r.key == key for r in screen.table.visible_runs())

    await wait_for(pilot, shown, what=f"{provider} run {run_id} in the table as {raw}")
    screen.table.move_cursor_to(key)
    await pilot.pause()
    assert screen.table.cursor_key == key
    run = screen.table.cursor_run
    assert run is not None
    return run


async def on_row(pilot: Pilot[Any], screen: RunsScreen, key: tuple[str, str]) -> None:
    await wait_for(pilot, lambda: run_of(screen, *key) is not None, what=f"{key} loaded")
    screen.table.move_cursor_to(key)
    await pilot.pause()
    assert screen.table.cursor_key == key


async def type_filter(pilot: Pilot[Any], screen: RunsScreen, text: str) -> None:
    """`/`, the text, enter: what a person does to find a run."""
    await pilot.press("slash", *text, "enter")
    await wait_for(pilot, lambda: screen.table.filter_text == text and screen.table.has_focus)


async def server_says(pilot: Pilot[Any], sim: TuiSim, provider: str, run_id: str,
                      expected: str | Callable[[str | None], bool]) -> None:
    check = expected if callable(expected) else (lambda s: s == expected)
    await wait_for(pilot, lambda: check(sim.status(provider, run_id)), what=f"server status {expected}")


async def table_says(pilot: Pilot[Any], screen: RunsScreen, provider: str, run_id: str, raw: str) -> None:
    key = (SIM_PROFILE[provider], run_id)
    await wait_for(pilot, lambda: (r := run_of(screen, *key)) is not None and r.raw_status == raw
                   and key not in screen.table.pending, what=f"table shows {raw}")


def row_line(app: RuntuiApp, run_id: str) -> str:
    lines = [line for line in screen_text(app).splitlines() if run_id[:8] in line]
    assert len(lines) == 1, f"{run_id[:8]} on {len(lines)} lines"
    return lines[0]


async def settle(pilot: Pilot[Any]) -> None:
    """Let action workers finish (they never run on their own: nothing to sleep for)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def gate(app: RuntuiApp, profile: str) -> tuple[asyncio.Event, list[Action]]:
    """Hold the profile's actions at the adapter until the event is set (the POST is still real)."""
    provider = app.workspace.provider(profile)
    real: Callable[[Run, Action], Awaitable[ActionResult]] = provider.perform
    opened = asyncio.Event()
    seen: list[Action] = []

    async def held(run: Run, action: Action) -> ActionResult:
        seen.append(action)
        await opened.wait()
        return await real(run, action)

    provider.perform = held  # type: ignore[method-assign]
    return opened, seen


# ---- Wexa ------------------------------------------------------------------------------------


async def test_wexa_pause_resume_cancel(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", run_id, "running")
        before = tui_sim.routes()

        await pilot.press("p")
        await server_says(pilot, tui_sim, "wexa", run_id, "paused")
        await table_says(pilot, screen, "wexa", run_id, "paused")
        assert "paused" in row_line(app, run_id)

        await pilot.press("r")
        await server_says(pilot, tui_sim, "wexa", run_id, "running")
        await table_says(pilot, screen, "wexa", run_id, "running")

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert f"Cancel run {run_id[:8]} of " in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await server_says(pilot, tui_sim, "wexa", run_id, "cancelled")
        await table_says(pilot, screen, "wexa", run_id, "cancelled")
        await settle(pilot)
        after = tui_sim.routes()
        for verb in ("pause", "resume", "cancel"):
            route = f"POST {WEXA}/{verb}"
            assert after.get(route, 0) - before.get(route, 0) == 1, route
        assert any(f"cancel {display.short_id(run_id)}" in n for n in notifications(app))


async def test_pending_marker_then_server_state(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", run_id, "running")
        opened, seen = gate(app, "wexa-sim")
        await pilot.press("p")
        await wait_for(pilot, lambda: seen == [Action.PAUSE])
        key = ("wexa-sim", run_id)
        assert key in screen.table.pending
        assert screen.check_action("run_action", ("cancel",)) is None  # busy: greyed out
        await pilot.press("down")  # off the row: the pending mark shows in its own style
        line = row_line(app, run_id)
        assert line.startswith(" …") and "running" in line
        assert tui_sim.status("wexa", run_id) == "running"  # nothing reached the server yet
        opened.set()
        await server_says(pilot, tui_sim, "wexa", run_id, "paused")
        await table_says(pilot, screen, "wexa", run_id, "paused")
        line = row_line(app, run_id)
        assert "…" not in line and "paused" in line


async def test_wexa_e_launches_a_held_ready_execution(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("wexa", "ready")
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        await select(pilot, screen, "wexa", run_id, "ready")
        before = tui_sim.count(f"POST {WEXA}/execute")
        await pilot.press("e")
        await wait_for(pilot, lambda: tui_sim.count(f"POST {WEXA}/execute") == before + 1)
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ExecuteScreen)  # launched directly, no form
        # The held execution starts one sim second after /execute.
        tui_sim.tick(2)
        await server_says(pilot, tui_sim, "wexa", run_id, "running")
        await table_says(pilot, screen, "wexa", run_id, "running")


async def paste(pilot: Pilot[Any], text: str) -> None:
    """What a terminal sends when a person pastes (one event, not a key per character)."""
    focused = pilot.app.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def fill_execute_form(pilot: Pilot[Any], workflow: str, goal: str | None,
                            inputs: list[str]) -> ExecuteScreen:
    """Fill the form by keyboard: clear and paste the workflow, tab, goal (Wexa), tab, type inputs."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ExecuteScreen), what="execute form")
    form = app.screen
    assert isinstance(form, ExecuteScreen)
    await pilot.press("end", "ctrl+u")  # the field starts with the run's workflow
    await paste(pilot, workflow)
    await app.workers.wait_for_complete()  # the schema read (it may prefill required inputs)
    await pilot.press("tab")
    if goal is not None:
        await paste(pilot, goal)
        await pilot.press("tab")
    assert app.focused is form.inputs_area
    if form.inputs_area.text:
        await pilot.press("f7")  # select all: typing replaces the prefill
    for i, line in enumerate(inputs):
        await pilot.press(*(["enter"] if i else []), *line)
    return form


async def test_wexa_execute_form_starts_a_run_and_selects_it(tui_sim: TuiSim) -> None:
    flow = tui_sim.catalog()["wexa"]["agentflows"][1]["agentflow_id"]
    subject = tui_sim.take("wexa", "completed", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", subject)
        known = tui_sim.ids("wexa")
        await pilot.press("e")
        await fill_execute_form(pilot, flow, "summarise the tests", ["topic=pilot", "limit=3"])
        await pilot.press("f2")
        await wait_for(pilot, lambda: len(tui_sim.ids("wexa") - known) == 1, what="new execution")
        (new_id,) = tui_sim.ids("wexa") - known
        await wait_for(pilot, lambda: screen.table.cursor_key == ("wexa-sim", new_id),
                       what="new run selected")
        assert isinstance(app.screen, RunsScreen)
        detail = await app.workspace.provider("wexa-sim").get_run(new_id)
        assert detail.run.workflow_id == flow
        assert goal_of(detail.raw) == "summarise the tests"
        assert detail.inputs == {"topic": "pilot", "limit": 3}


async def test_a_start_the_platform_refuses_keeps_the_form_and_what_was_typed(tui_sim: TuiSim) -> None:
    """The form closed on F2 and the refusal (HTTP 404, no such flow) came as a toast: all
    that was typed was gone. It now stays open, says why, and starts once corrected."""
    flow = tui_sim.catalog()["wexa"]["agentflows"][1]["agentflow_id"]
    subject = tui_sim.take("wexa", "completed", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", subject)
        known = tui_sim.ids("wexa")
        await pilot.press("e")
        form = await fill_execute_form(pilot, "0" * 24, "summarise the tests", ["topic=pilot"])
        await pilot.press("f2")
        error = form.query_one("#execute-error", Static)
        await wait_for(pilot, lambda: "not started" in str(error.render()), what="the refusal in the form")
        assert app.screen is form and "404" in str(error.render())
        assert form.inputs_area.text == "topic=pilot" and tui_sim.ids("wexa") == known
        await pilot.press("f2")  # unchanged: refused again, still open
        await wait_for(pilot, lambda: not form.starting, what="the second answer")
        assert app.screen is form
        form.query_one("#execute-workflow", Input).value = flow
        await pilot.press("f2")
        await wait_for(pilot, lambda: len(tui_sim.ids("wexa") - known) == 1, what="new execution")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the form closed")
        (new_id,) = tui_sim.ids("wexa") - known
        detail = await app.workspace.provider("wexa-sim").get_run(new_id)
        assert detail.inputs == {"topic": "pilot"}


# ---- Edges -----------------------------------------------------------------------------------


async def test_edges_cancel_and_resume_blocked(tui_sim: TuiSim) -> None:
    running = tui_sim.take("edges", "RUNNING")
    blocked = tui_sim.take("edges", "BLOCKED", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "edges", running, "RUNNING")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await server_says(pilot, tui_sim, "edges", running, "STOPPED")
        await table_says(pilot, screen, "edges", running, "STOPPED")

        await select(pilot, screen, "edges", blocked, "BLOCKED")
        before = tui_sim.count(f"POST {EDGES}/resume")
        await pilot.press("r")  # resume is not destructive: no question
        await server_says(pilot, tui_sim, "edges", blocked, lambda s: s in ("RUNNING", "QUEUED"))
        await table_says(pilot, screen, "edges", blocked, tui_sim.status("edges", blocked) or "")
        assert tui_sim.count(f"POST {EDGES}/resume") == before + 1


async def test_the_single_run_question_names_workflow_and_profile(tui_sim: TuiSim) -> None:
    """"Cancel run 8fab0b79-e91c-402d-bf7a-3b82b3f335bf?" named the run by its UUID only;
    the question says the workflow and profile too, and a short id, as the bulk one does."""
    running = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        run = await select(pilot, screen, "edges", running, "RUNNING")
        assert run.workflow
        before = tui_sim.posts()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="cancel asks first")
        question = str(app.screen.question)  # type: ignore[attr-defined]
        assert question.splitlines()[0] == f"Cancel run {running[:8]} of {run.workflow} on edges-sim?"
        assert running not in question
        shown = screen_text(app)  # a long workflow name wraps in the dialog
        assert f"Cancel run {running[:8]} of" in shown and "edges-sim?" in shown
        await pilot.press("n")
        await settle(pilot)
        assert tui_sim.posts() == before


async def test_edges_execute_flow_slug(tui_sim: TuiSim) -> None:
    slug = tui_sim.catalog()["edges"]["flows"][4]["slug"]
    subject = tui_sim.take("edges", "SUCCEEDED", seeded=True)
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        await select(pilot, screen, "edges", subject)
        known = tui_sim.ids("edges")
        before = tui_sim.count("POST /edges/v1/flows/{flow_slug}/run/async")
        await pilot.press("e")
        form = await fill_execute_form(pilot, slug, None, ["email=a@example.com"])
        assert form.workflow_label == "flow slug"
        await pilot.press("f2")
        await wait_for(pilot, lambda: len(tui_sim.ids("edges") - known) == 1, what="new flow run")
        (new_id,) = tui_sim.ids("edges") - known
        await wait_for(pilot, lambda: screen.table.cursor_key == ("edges-sim", new_id))
        assert tui_sim.count("POST /edges/v1/flows/{flow_slug}/run/async") == before + 1
        assert run_of(screen, "edges-sim", new_id) is not None
        assert tui_sim.extra("edges", new_id)["inputs"] == [{"email": "a@example.com"}]


# ---- B3OS ------------------------------------------------------------------------------------


async def test_b3os_cancel_resume_retry(tui_sim: TuiSim) -> None:
    running = tui_sim.take("b3os", "running")
    waiting = tui_sim.take("b3os", "waiting", seeded=True)
    failed = tui_sim.take("b3os", "failure", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "b3os", running, "running")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await server_says(pilot, tui_sim, "b3os", running, "cancelled")
        await table_says(pilot, screen, "b3os", running, "cancelled")

        await select(pilot, screen, "b3os", waiting, "waiting")
        await pilot.press("r")  # a waiting node takes data: r opens the answer form
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="the answer form")
        await pilot.press("f2")  # the node's own data, sent as it is
        await server_says(pilot, tui_sim, "b3os", waiting, lambda s: s != "waiting")
        assert tui_sim.count("POST /b3os/v1/runs/{run_id}/nodes/{node_id}/resume") >= 1
        await table_says(pilot, screen, "b3os", waiting, tui_sim.status("b3os", waiting) or "")

        await select(pilot, screen, "b3os", failed, "failure")
        known = tui_sim.ids("b3os")
        before = tui_sim.count(f"POST {B3OS}/retry")
        await pilot.press("t")
        await wait_for(pilot, lambda: len(tui_sim.ids("b3os") - known) == 1, what="retry run")
        (new_id,) = tui_sim.ids("b3os") - known
        await wait_for(pilot, lambda: screen.table.cursor_key == ("b3os-sim", new_id), what="retry selected")
        assert tui_sim.count(f"POST {B3OS}/retry") == before + 1
        new = run_of(screen, "b3os-sim", new_id)
        assert new is not None and new.parent_id == failed
        assert tui_sim.status("b3os", failed) == "failure"  # the original stays failed


async def test_b3os_execute_workflow(tui_sim: TuiSim) -> None:
    workflow = next(w["id"] for w in tui_sim.catalog()["b3os"]["workflows"] if w["status"] == "active")
    subject = tui_sim.take("b3os", "success", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "b3os", subject)
        known = tui_sim.ids("b3os")
        before = tui_sim.count("POST /b3os/v1/workflows/{workflow_id}/run")
        await pilot.press("e")
        await fill_execute_form(pilot, workflow, None, ["amount=5", "token=USDC"])
        await pilot.press("f2")
        await wait_for(pilot, lambda: len(tui_sim.ids("b3os") - known) == 1, what="new b3os run")
        (new_id,) = tui_sim.ids("b3os") - known
        await wait_for(pilot, lambda: screen.table.cursor_key == ("b3os-sim", new_id))
        assert tui_sim.count("POST /b3os/v1/workflows/{workflow_id}/run") == before + 1
        new = run_of(screen, "b3os-sim", new_id)
        assert new is not None and new.workflow_id == workflow
        detail = await app.workspace.provider("b3os-sim").get_run(new_id)
        assert {"amount": 5, "token": "USDC"}.items() <= dict(detail.inputs).items()


# ---- refusals --------------------------------------------------------------------------------


async def test_pause_on_edges_is_refused_with_the_reason(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await type_filter(pilot, screen, run_id[:8])
        assert [r.id for r in screen.table.visible_runs()] == [run_id]
        assert screen.table.cursor_key == ("edges-sim", run_id)
        before = tui_sim.posts()
        await pilot.press("p")
        await wait_for(pilot, lambda: any("no pause" in n for n in notifications(app)), what="refusal")
        await settle(pilot)
        assert tui_sim.posts() == before
        assert tui_sim.status("edges", run_id) == "RUNNING"


async def test_cancel_answered_no_sends_nothing(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("b3os", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "b3os", run_id, "running")
        before = tui_sim.posts()
        for answer in ("n", "escape", "enter"):  # enter lands on the focused default: No
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press(answer)
            await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen),
                           what=f"dialog closed by {answer}")
        await settle(pilot)
        assert tui_sim.posts() == before
        assert tui_sim.status("b3os", run_id) == "running"
        assert not screen.table.pending


def screens_shown(app: RuntuiApp) -> list[Screen[Any]]:
    """Every screen the app shows from now on, in order (Textual's screen-change signal)."""
    shown: list[Screen[Any]] = []
    app.screen_change_signal.subscribe(app, shown.append, immediate=True)
    return shown


async def test_c_then_n_in_one_burst_in_the_table_answers_no(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "edges", run_id, "RUNNING")
        before = tui_sim.posts()
        cursor = screen.table.cursor_key
        shown = screens_shown(app)
        type_in_one_burst(app, "c", "n")
        await wait_for(pilot, lambda: [type(s) for s in shown] == [ConfirmScreen, RunsScreen],
                       timeout=5, what="the question asked, then answered by the n")
        assert screen.table.cursor_key == cursor  # n was the question's No, not "next failed"
        await settle(pilot)
        assert tui_sim.posts() == before and tui_sim.status("edges", run_id) == "RUNNING"


async def test_c_then_n_in_one_burst_in_the_detail_answers_no(tui_sim: TuiSim) -> None:
    """The detail's c reached the runs screen by a message, after the n: the n went to
    the detail (which has no n) and the question stayed open."""
    from runtui.tui.screens.detail import DetailScreen

    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        run = await select(pilot, screen, "edges", run_id, "RUNNING")
        app.push_screen(DetailScreen(run))
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.focused is not None,
                       what="the detail")
        before = tui_sim.posts()
        shown = screens_shown(app)
        type_in_one_burst(app, "c", "n")
        await wait_for(pilot, lambda: [type(s) for s in shown] == [ConfirmScreen, DetailScreen],
                       timeout=5, what="the question asked, then answered by the n")
        await pilot.pause()  # (not settle: the detail's own workers run as long as it shows)
        assert not screen.table.pending and tui_sim.posts() == before
        assert tui_sim.status("edges", run_id) == "RUNNING"


READ_ONLY = """\
[defaults]
refresh_seconds = 0.5

[profiles.wexa-ro]
provider = "wexa"
base_url = "{url}/wexa"
api_key_env = "RUNTUI_SIM_WEXA_KEY"
project_id = "{project}"
user_id = "{user}"
read_only = true
"""


async def test_read_only_profile_sends_nothing(tui_sim: TuiSim, tmp_path: Path) -> None:
    cat = tui_sim.catalog()["wexa"]
    path = tmp_path / "ro.toml"
    path.write_text(READ_ONLY.format(url=tui_sim.url, project=cat["project_id"], user=cat["user_id"]))
    path.chmod(0o600)
    running = tui_sim.take("wexa", "running")
    paused = tui_sim.take("wexa", "paused")
    ready = tui_sim.take("wexa", "ready")
    async with tui(path, profiles=1) as (app, pilot, screen):
        before = tui_sim.posts()
        for run_id, keys in ((running, ("p", "c")), (paused, ("r", "c")), (ready, ("e", "c"))):
            await on_row(pilot, screen, ("wexa-ro", run_id))
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, RunsScreen), f"{key} opened {app.screen}"
        await settle(pilot)
        assert tui_sim.posts() == before
        said = notifications(app)
        assert said and all("read-only" in n for n in said), said
        # and the footer shows the keys greyed out
        for action in ("pause", "cancel"):
            assert screen.check_action("run_action", (action,)) is None
        assert screen.check_action("execute", ()) is None
        assert tui_sim.status("wexa", running) == "running"
        assert tui_sim.status("wexa", paused) == "paused"
        assert tui_sim.status("wexa", ready) == "ready"


# ---- bulk and doubled keys -------------------------------------------------------------------


async def test_bulk_cancel_of_two_marked_runs(tui_sim: TuiSim) -> None:
    first = tui_sim.take("b3os", "running")
    second = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "b3os", first, "running")
        await pilot.press("space")
        await select(pilot, screen, "edges", second, "RUNNING")
        await pilot.press("space")
        assert screen.table.marks == {("b3os-sim", first), ("edges-sim", second)}
        before = tui_sim.posts()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.question)  # type: ignore[attr-defined]
        assert "2" in question and "cancel" in question.lower()
        await pilot.press("y")
        await server_says(pilot, tui_sim, "b3os", first, "cancelled")
        await server_says(pilot, tui_sim, "edges", second, "STOPPED")
        await settle(pilot)
        assert tui_sim.posts() == before + 2
        await table_says(pilot, screen, "b3os", first, "cancelled")
        await table_says(pilot, screen, "edges", second, "STOPPED")
        assert screen.table.marks == set(), "a mark never outlives its action"
        assert "marked" not in str(screen.query_one("#summary").render())
        # One toast for the bulk action, in common words (not one per run, not raw states).
        toasts = [n for n in notifications(app) if "cancel" in n]
        assert len(toasts) == 1, toasts
        assert "2 done (now 2 cancelled)" in toasts[0] and "STOPPED" not in toasts[0]


async def test_a_refused_bulk_action_says_every_reason(tui_sim: TuiSim) -> None:
    """Marks on B3OS and on Edges, `p`: both are refused, for two different reasons. The
    toast said the first run's reason only; the Edges run's went unexplained."""
    b3os = [tui_sim.take("b3os", "running") for _ in range(2)]
    edges = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        runs = [await select(pilot, screen, "b3os", run_id, "running") for run_id in b3os[:1]]
        await pilot.press("space")
        runs.append(await select(pilot, screen, "edges", edges, "RUNNING"))
        await pilot.press("space")
        runs.append(await select(pilot, screen, "b3os", b3os[1], "running"))
        await pilot.press("space")
        before = tui_sim.posts()
        await pilot.press("p")
        await wait_for(pilot, lambda: any("cannot pause" in n for n in notifications(app)), what="refusal")
        toast = next(n for n in notifications(app) if "cannot pause" in n)
        reasons = {run.provider: decide(run, Action.PAUSE, read_only=False).reason for run in runs}
        assert reasons["b3os"] != reasons["edges"]
        lines = toast.splitlines()
        assert lines[0].endswith("3 runs:"), toast
        # each reason once, after the runs it applies to (in the table's order)
        pairs = [line.split(": ", 1) for line in lines[1:]]
        said = sorted((sorted(ids.split(", ")), why) for ids, why in pairs)
        b3os_ids = sorted(run_id[:12] for run_id in b3os)  # run_ and 8 characters
        assert said == sorted([([edges[:8]], reasons["edges"]), (b3os_ids, reasons["b3os"])]), toast
        assert not isinstance(app.screen, ConfirmScreen)
        assert tui_sim.posts() == before


async def test_marks_are_visible_listed_and_hidden_ones_said_so(tui_sim: TuiSim) -> None:
    """The dangerous case: a marked run hidden by the filter must never be acted on unseen."""
    hidden = tui_sim.take("wexa", "running")
    shown = tui_sim.take("edges", "STOPPED")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", hidden, "running")
        cursor_before = screen.table.cursor_key
        await pilot.press("space")
        assert screen.table.marks == {("wexa-sim", hidden)}
        assert screen.table.cursor_key != cursor_before, "space marks and moves down"
        await wait_for(pilot, lambda: "1 marked" in str(screen.query_one("#summary").render()))
        await type_filter(pilot, screen, shown[:10])
        await select(pilot, screen, "edges", shown, "STOPPED")
        await wait_for(pilot, lambda: "1 marked (1 hidden)" in str(screen.query_one("#summary").render()))
        before = tui_sim.posts()
        await pilot.press("p")  # pause: allowed for the hidden running run, not a bulk of 2
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked first")
        listed = "\n".join(app.screen.items)  # type: ignore[attr-defined]
        assert f"(hidden by the filter) {display.short_id(hidden)}  [wexa-sim]" in listed, listed
        assert display.short_id(shown) not in listed
        await pilot.press("n")
        await settle(pilot)
        assert tui_sim.posts() == before, "nothing sent without a yes"
        assert screen.table.marks == {("wexa-sim", hidden)}, "a refused question keeps the marks"
        await pilot.press("escape")  # closes the filter
        await pilot.press("escape")  # clears the marks
        await wait_for(pilot, lambda: not screen.table.marks, what="marks cleared by escape")
        await pilot.press("r")  # now the cursor run only: no question for a resume
        await server_says(pilot, tui_sim, "edges", shown, lambda s: s != "STOPPED")


async def test_cancel_twice_quickly_sends_one_post(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", run_id, "running")
        before = tui_sim.count(f"POST {WEXA}/cancel")
        await pilot.press("c", "y", "c", "y")
        await server_says(pilot, tui_sim, "wexa", run_id, "cancelled")
        await settle(pilot)
        await table_says(pilot, screen, "wexa", run_id, "cancelled")
        assert tui_sim.count(f"POST {WEXA}/cancel") == before + 1
        assert isinstance(app.screen, RunsScreen)


async def test_cancel_again_while_the_first_is_in_flight_sends_one_post(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "edges", run_id, "RUNNING")
        opened, seen = gate(app, "edges-sim")
        before = tui_sim.count(f"POST {EDGES}/cancel")
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: seen == [Action.CANCEL])
        await pilot.press("c", "y")  # the run is busy: refused, says why, no second question
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        assert any("in flight" in n for n in notifications(app))
        opened.set()
        await server_says(pilot, tui_sim, "edges", run_id, "STOPPED")
        await settle(pilot)
        assert seen == [Action.CANCEL]
        assert tui_sim.count(f"POST {EDGES}/cancel") == before + 1


async def test_every_run_key_works_in_the_detail_too(tui_sim: TuiSim) -> None:
    """t (retry), R (run again) and w (watch) did nothing in the detail view."""
    from runtui.tui.screens.detail import DetailScreen
    from runtui.tui.screens.execute import ExecuteScreen

    failed = tui_sim.take("b3os", "failure")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "b3os", failed, "failure")
        app.push_screen(DetailScreen(screen.table.cursor_run))  # type: ignore[arg-type]
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        before = tui_sim.posts()
        await pilot.press("t")
        await wait_for(pilot, lambda: tui_sim.posts() == before + 1, what="the retry POST")
        await pilot.press("w")  # answered, as in the table: a failed run has no end to announce
        await wait_for(pilot, lambda: any("already ended" in n for n in notifications(app)),
                       what="the answer to w")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecuteScreen), what="run again form")


async def test_run_again_with_marks_says_it_starts_from_the_cursors_run_only(tui_sim: TuiSim) -> None:
    """R opened the cursor's form with marks on other runs and said nothing: the marks
    looked used, as every other run key uses them."""
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await pilot.press("g", "space", "space")  # the first two rows marked
        marked = screen.table.marks
        subject = next(r for r in screen.table.visible_runs() if r.status.terminal and r.key not in marked)
        screen.table.move_cursor_to(subject.key)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecuteScreen), what="run again form")
        assert app.screen.run.key == subject.key  # type: ignore[attr-defined]
        assert any("the cursor's (2 marked not used)" in n for n in notifications(app))


async def test_the_detail_title_keeps_profile_and_id_and_a_finished_run_can_run_again(
        tui_sim: TuiSim) -> None:
    """At 80 columns the title held the full id, so a long workflow name pushed profile and
    id off it; a finished run's actions said "none now" while R worked."""
    from runtui.tui.screens.detail import DetailScreen

    async with tui(tui_sim.config_path) as (app, pilot, screen):
        finished = [r for r in screen.table.visible_runs() if r.status.terminal and r.provider == "edges"]
        run = max(finished, key=lambda r: len(r.workflow or ""))
        screen.table.move_cursor_to(run.key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await wait_for(pilot, lambda: "run again" in screen_text(app), what="the actions row")
        title = screen_text(app).splitlines()[0]
        assert f"{run.profile}/{display.short_id(run.id)}" in title, title


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_slash_on_the_detail_logs_tab_finds_in_the_log(tui_sim: TuiSim, size: tuple[int, int]) -> None:
    """On the Logs tab with the tab bar focused, `/` did nothing full screen and opened the
    runs filter in the split; a `/` typed in the log's search box is text."""
    from runtui.tui.widgets.log_panel import LogPanel

    async with runs_loaded(tui_sim.config_path, size=size) as (app, pilot, screen):
        run = next(r for r in screen.table.visible_runs() if r.provider == "b3os")
        screen.table.move_cursor_to(run.key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query(DetailPane)), what="the detail")
        if isinstance(app.screen, RunsScreen):
            await pilot.press("tab")  # from the table beside it to the pane's tab bar
            await wait_for(pilot, lambda: app.screen.query_one(DetailPane).has_focus_within, what="the pane")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: bool(app.screen.query(LogPanel)), what="the Logs tab")
        await pilot.press("slash", "a", "slash", "b")
        box = app.screen.query_one("#log-search", Input)
        await wait_for(pilot, lambda: box.value == "a/b", what="the search typed")
        assert app.focused is box and not screen.table.filter_text


async def test_brackets_switch_the_split_details_tabs_from_the_table(tui_sim: TuiSim) -> None:
    """At 200x50 `[` `]` did nothing until Tab moved the focus into the detail beside the
    table, and the footer showed only the table's keys: now they switch its tabs from the
    table, and the footer says so while the split is open."""
    from textual.widgets import TabbedContent

    async with runs_loaded(tui_sim.config_path, size=(200, 50)) as (app, pilot, screen):
        assert "Detail tab" not in screen_text(app).splitlines()[-1]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query(DetailPane)), what="the detail")
        tabs = app.screen.query_one(DetailPane).query_one(TabbedContent)
        first = tabs.active
        assert screen.table.has_focus
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: tabs.active != first, what="the next tab")
        assert screen.table.has_focus, "the table keeps the keys: j/k still move between runs"
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: tabs.active == first, what="back to the first tab")
        assert "] Detail tab" in screen_text(app).splitlines()[-1]


async def test_n_and_shift_n_jump_between_failed_runs(tui_sim: TuiSim) -> None:
    from runtui.model import Status

    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        runs = screen.table.visible_runs()
        failed = [r.key for r in runs if r.status is Status.FAILED]
        assert len(failed) >= 2, "the seeded world has failures"
        screen.table.move_cursor_to(runs[0].key)
        await pilot.pause()
        ahead = [k for k in failed if k != runs[0].key]  # failures below the first row, in order
        await pilot.press("n")
        assert screen.table.cursor_key == ahead[0]
        await pilot.press("n")
        assert screen.table.cursor_key == ahead[1]
        await pilot.press("N")
        assert screen.table.cursor_key == ahead[0]


async def stop_with_c(pilot: Pilot[Any], app: RuntuiApp, task: Run) -> None:
    """`c` on a task: asked first as a stop, answered yes, and stopped on the server."""
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="stop asks first")
    question = str(app.screen.question)  # type: ignore[attr-defined]
    # the task by its short id, its workflow and its profile (not its id alone)
    assert question.startswith(f"Stop task {task.id[:8]} of {task.workflow} on {task.profile}?"), question
    await pilot.press("y")
    await wait_for(pilot, lambda: (t := app.workspace.task_store.get(task.key)) is not None
                   and t.raw_status == "cancelled", what="the task stopped")


async def test_wexa_tasks_in_the_table_pause_resume_and_stop(tui_sim: TuiSim) -> None:
    """T shows the tasks (Wexa's platform page that was CLI-only); p, r and c (stop: asked
    first, it cannot be undone) drive them through the same rules and journal as runs."""
    from runtui.model import Kind

    async with tui(tui_sim.config_path) as (app, pilot, screen):
        table = screen.table
        await pilot.press("T")
        await wait_for(pilot, lambda: table.total_count > 0 and all(
            r.kind is Kind.TASK for r in table.visible_runs()), what="the tasks")
        assert "tasks (T: back to runs)" in str(screen.query_one("#summary").render())
        footer = screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: ("c", "Stop") in [(k, d) for k, d, _on in footer.shown],
                       what="the footer's c says Stop on tasks")
        from runtui.tui.screens.help import HelpScreen

        assert ("c", "Stop", "runs.cancel") in HelpScreen(screen).key_rows()  # the help too
        task = next(r for r in table.visible_runs() if r.raw_status == "paused")
        table.move_cursor_to(task.key)
        await pilot.pause()
        screen.show_detail(task)  # its execution tree, as for a run

        await wait_for(pilot, lambda: (p := next(iter(app.screen.query(DetailPane)), None)) is not None
                       and p.detail is not None and p.detail.run.kind is Kind.TASK
                       and bool(p.detail.steps), what="the task's execution tree")
        if not isinstance(app.screen, RunsScreen):
            await pilot.press("escape")
        await pilot.press("r")
        await wait_for(pilot, lambda: (t := app.workspace.task_store.get(task.key)) is not None
                       and t.raw_status == "running", what="the task running again")
        await pilot.press("p")
        await wait_for(pilot, lambda: (t := app.workspace.task_store.get(task.key)) is not None
                       and t.raw_status == "paused", what="the task paused")
        await stop_with_c(pilot, app, task)
        journal = [e for e in app.workspace.journal.entries() if e.run_id == task.id]
        assert "stop" in {e.action for e in journal}
        assert all(r.kind is Kind.RUN for r in app.workspace.store.runs.values())  # never mixed
        await pilot.press("T")
        await wait_for(pilot, lambda: all(r.kind is Kind.RUN for r in table.visible_runs()),
                       what="back to runs")
        await wait_for(pilot, lambda: ("c", "Cancel") in [(k, d) for k, d, _on in footer.shown],
                       what="and Cancel again on runs")


async def test_the_command_palette_lists_each_action_once(tui_sim: TuiSim) -> None:
    """Profiles, Workflows and Attention were listed twice: from their bindings and from
    entries of their own. One entry an action, with the line that says what it holds."""
    async with tui(tui_sim.config_path) as (app, _pilot, screen):
        commands = list(app.get_system_commands(screen))
        titles = [c.title for c in commands]
        assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
        by_title = {c.title: c.help for c in commands}
        assert by_title["Profiles"] == "Manage profiles (add, edit, test, remove) (key: P)"
        assert by_title["Messages"].startswith("What every toast said")
        assert by_title["Cancel"] == "key: c"


async def test_c_in_a_tasks_detail_stops_the_task(tui_sim: TuiSim) -> None:
    """The detail of a task said "cannot cancel: wexa tasks do not support cancel": its c
    is the list's, a stop (asked first), and the footer says so."""
    from runtui.model import Kind
    from runtui.tui.screens.detail import DetailScreen

    async with runs_loaded(tui_sim.config_path, size=(80, 24)) as (app, pilot, screen):
        table = screen.table
        await pilot.press("T")
        await wait_for(pilot, lambda: table.total_count > 0 and all(
            r.kind is Kind.TASK for r in table.visible_runs()), what="the tasks")
        task = next(r for r in table.visible_runs() if decide(r, Action.STOP))  # pending, paused…
        table.move_cursor_to(task.key)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the task's detail")
        footer = app.screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: ("c", "Stop", True) in footer.shown, what="c: Stop, allowed")
        await stop_with_c(pilot, app, task)
