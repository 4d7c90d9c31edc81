"""Keys typed ahead: read in one burst with the key that opens a screen or a form.

Typed fast (or pasted, or over a laggy SSH link) the keys after `e` arrive in the same
terminal read as the `e`. Textual queues them all on the widget focused when they are
read (the run table) and looks their bindings up only once they bubble back to the app,
after the `e` has opened the form. They must land where the user meant them: in the
form's first field, and never act on the runs table underneath. `pilot.press` waits for
idle after each key, so these tests queue the keys at once (`type_in_one_burst`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TabbedContent, TextArea

from runtui.model import Run, StartRequest
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.attention import AttentionScreen, QueueTable
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.execute import ExecuteScreen
from runtui.tui.screens.logs import LogScreen
from runtui.tui.screens.profile_form import ProfileFormScreen
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.screens.workflows import WorkflowsScreen
from tests.tui.conftest import TuiSim, notifications, runs_loaded, type_in_one_burst, wait_for

SIZE = (80, 24)  # the operators' terminal: the detail opens as a screen of its own


@asynccontextmanager
async def runs_screen(config: Path) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], RunsScreen]]:
    """The real app over the simulator, every profile loaded, the cursor on a finished
    (not Wexa: a created Wexa execution starts on `e`) run."""
    async with runs_loaded(config, size=SIZE) as (app, pilot, screen):
        screen.table.move_cursor_to(finished_run(screen).key)
        await pilot.pause()
        yield app, pilot, screen


def finished_run(screen: RunsScreen) -> Run:
    return next(r for r in screen.table.visible_runs() if r.status.terminal and r.provider != "wexa")


async def settled(pilot: Pilot[Any]) -> None:
    for _ in range(5):
        await pilot.pause(0.02)


async def typed_until(pilot: Pilot[Any], opened: type[Screen[Any]], *keys: str) -> Screen[Any]:
    """`keys` in one read, then the screen they open, once what they typed has landed."""
    app = pilot.app
    type_in_one_burst(app, *keys)
    await wait_for(pilot, lambda: isinstance(app.screen, opened), what=opened.__name__)
    await settled(pilot)
    return app.screen


async def test_text_typed_right_after_e_goes_into_the_workflow_field(tui_sim: TuiSim) -> None:
    """The form focused its field a turn after it mounted: "xyz" came back to the app
    with nothing focused and was lost."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        cursor = screen.table.cursor_key
        await typed_until(pilot, ExecuteScreen, "e", "x", "y", "z")
        field = app.screen.query_one("#execute-workflow", Input)
        # (the run's workflow id was selected on focus: typed slowly, "xyz" replaces it too)
        assert app.focused is field and field.value == "xyz"
        assert screen.table.cursor_key == cursor and not screen.table.filter_text
        assert notifications(app) == []  # (y is the table's "copy id")


async def test_text_typed_right_after_run_again_goes_into_the_inputs(tui_sim: TuiSim) -> None:
    """Run again focuses the inputs box, a TextArea: typed ahead, its text was lost."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, _screen):
        await typed_until(pilot, ExecuteScreen, "R", "x", "y")
        area = app.screen.query_one("#execute-inputs", TextArea)
        assert app.focused is area and "xy" in area.text
        assert notifications(app) == []


async def test_a_name_typed_right_after_a_goes_into_the_profile_form(tui_sim: TuiSim) -> None:
    """P then a then a name, in one read: the form focused its scroll box first and the
    name a turn later, so the name was lost."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, _screen):
        await typed_until(pilot, ProfileFormScreen, "P", "a", "x", "y")
        name = app.screen.query_one("#name", Input)
        assert app.focused is name and name.value == "xy"


async def test_a_greyed_key_typed_ahead_is_the_forms_not_the_tables(tui_sim: TuiSim) -> None:
    """"p" is greyed out on a finished run; the runs screen answers a greyed key by saying
    why (its on_key). Typed right after `e`, the "p" still passed through the runs screen,
    which took it: "cannot pause" under the form, and the "p" missing from the field."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, _screen):
        await typed_until(pilot, ExecuteScreen, "e", "p", "x")
        assert app.screen.query_one("#execute-workflow", Input).value == "px"
        assert notifications(app) == []


async def test_keys_typed_right_after_enter_are_the_details(tui_sim: TuiSim) -> None:
    """Enter opened the detail by a message, after the keys behind it were looked up on
    the runs screen: enter then l opened the log under the detail, enter then escape left
    the detail open (the escape was the runs screen's)."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        await typed_until(pilot, LogScreen, "enter", "l")
        assert [type(s) for s in app.screen_stack[-3:]] == [RunsScreen, DetailScreen, LogScreen]
        type_in_one_burst(app, "escape", "escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the runs")
        shown: list[type[Screen[Any]]] = []
        app.screen_change_signal.subscribe(app, lambda s: shown.append(type(s)), immediate=True)
        type_in_one_burst(app, "enter", "escape")
        await wait_for(pilot, lambda: shown == [DetailScreen, RunsScreen], timeout=5,
                       what="the detail opened, then closed by the escape")


async def test_words_typed_right_after_slash_in_the_log_go_into_its_search(tui_sim: TuiSim) -> None:
    """The log's search box was focused a turn after `/`: "xy" read with it was lost."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, _screen):
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="the log")
        await settled(pilot)
        type_in_one_burst(app, "slash", "x", "y")
        await settled(pilot)
        box = app.screen.query_one("#log-search", Input)
        assert app.focused is box and box.value == "xy"


async def test_slash_typed_right_after_l_opens_the_logs_search(tui_sim: TuiSim) -> None:
    """`/` is a priority key of the runs screen, looked up as it is read: read with the `l`
    (still on its way to the app), it opened the runs filter under the log, and "xy" went
    into that hidden box. It is the log's: its search opens and takes "xy"."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        await typed_until(pilot, LogScreen, "l", "slash", "x", "y")
        box = app.screen.query_one("#log-search", Input)
        assert app.focused is box and box.value == "xy"
        assert not screen.query_one("#filter", Input).display and not screen.table.filter_text
        assert screen.focused is screen.table


async def test_slash_typed_right_after_l_in_the_detail_opens_the_logs_search(tui_sim: TuiSim) -> None:
    """The detail's `l` then `/`: the log focused its view a turn after it mounted, after
    the `/` had opened the search: "x" went to the view, and the box lost the focus."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, _screen):
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await settled(pilot)
        await typed_until(pilot, LogScreen, "l", "slash", "x")
        box = app.screen.query_one("#log-search", Input)
        assert app.focused is box and box.value == "x"


@pytest.mark.parametrize(("opener", "opened"), [("enter", DetailScreen), ("W", WorkflowsScreen)])
async def test_slash_typed_right_after_a_screen_opens_is_not_the_runs_filter(
        tui_sim: TuiSim, opener: str, opened: type[Screen[Any]]) -> None:
    """Enter (the detail at 80 columns) or W then `/`: neither screen has a `/`, and the
    runs filter opened underneath, to be found open (and focused) on the way back."""
    async with runs_screen(tui_sim.config_path) as (_app, pilot, screen):
        await typed_until(pilot, opened, opener, "slash", "x")
        assert not screen.query_one("#filter", Input).display and not screen.table.filter_text
        assert screen.focused is screen.table


async def test_slash_typed_right_after_e_goes_into_the_workflow_field(tui_sim: TuiSim) -> None:
    """In the form `/` is text: typed ahead it was the runs screen's filter, and the keys
    after it went into that box, not the field."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        await typed_until(pilot, ExecuteScreen, "e", "slash", "x")
        assert app.screen.query_one("#execute-workflow", Input).value == "/x"
        assert not screen.query_one("#filter", Input).display and not screen.table.filter_text


async def test_enter_in_the_filter_waits_for_the_keys_typed_before_it(tui_sim: TuiSim) -> None:
    """Enter is a priority key too: it closed the box while a backspace read before it was
    still on its way, and the backspace, looked up on the table, was lost ("ab", not "a")."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        await pilot.press("slash")
        flt = screen.query_one("#filter", Input)
        assert app.focused is flt
        type_in_one_burst(app, "a", "b", "backspace", "enter")
        await wait_for(pilot, lambda: not flt.display, what="the box closed")
        await settled(pilot)
        assert flt.value == "a" and screen.table.filter_text == "a"
        assert screen.focused is screen.table


async def test_a_paste_read_with_slash_goes_into_the_filter(tui_sim: TuiSim) -> None:
    """A paste read while the `/` waits for the keys before it waits too: it is the box's,
    not the table's (the table has the focus until the `/` is read again)."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        type_in_one_burst(app, "slash")
        app.post_message(events.Paste("failed"))
        flt = screen.query_one("#filter", Input)
        await wait_for(pilot, lambda: flt.value == "failed", what="the pasted filter")
        assert app.focused is flt and screen.table.filter_text == "failed"


async def test_f2_in_the_form_starts_what_was_typed_before_it(tui_sim: TuiSim) -> None:
    """F2 is a priority key: typed (or pasted) right after the workflow, it started the
    run before the field had taken the last keys, with a workflow id cut short."""
    async with runs_screen(tui_sim.config_path) as (app, pilot, screen):
        started: list[StartRequest] = []

        async def start(_profile: str, request: StartRequest) -> str | None:
            started.append(request)
            return None

        screen.control.start = start  # type: ignore[method-assign,assignment]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecuteScreen), what="the form")
        await settled(pilot)
        type_in_one_burst(app, "x", "y", "z", "f2")
        await wait_for(pilot, lambda: bool(started), what="the run started")
        assert [r.workflow_id for r in started] == ["xyz"]


async def test_a_tab_key_typed_right_after_enter_switches_the_details_tab(tui_sim: TuiSim) -> None:
    """`]` is the detail pane's, found through the focus: the detail focused its tab bar a
    turn after it mounted, so a `]` read with the Enter found no binding and was lost."""
    async with runs_screen(tui_sim.config_path) as (_app, pilot, _screen):
        detail = await typed_until(pilot, DetailScreen, "enter", "right_square_bracket")
        assert isinstance(detail, DetailScreen)
        assert detail.pane.query_one(TabbedContent).active == "tab-steps"


async def test_a_cursor_key_typed_right_after_bang_moves_the_queues_cursor(tui_sim: TuiSim) -> None:
    """`!` then `down`: the queue's table took the focus a turn late and the key was lost."""
    async with runs_screen(tui_sim.config_path) as (_app, pilot, _screen):
        queue = await typed_until(pilot, AttentionScreen, "exclamation_mark", "down", "down")
        assert queue.query_one(QueueTable).cursor_row == 2


def test_text_widgets_are_told_apart_without_importing_text_area() -> None:
    from textual.widget import Widget
    from textual.widgets import Input, Static, TextArea

    from runtui.tui.app import takes_typing

    class Inputs(TextArea):  # a form's own kind of TextArea
        pass

    class TextAreaLookalike(Widget):  # not textual's: its keys are not text
        pass

    TextAreaLookalike.__name__ = "TextArea"
    assert takes_typing(Input()) and takes_typing(TextArea()) and takes_typing(Inputs())
    assert not takes_typing(Static()) and not takes_typing(TextAreaLookalike()) and not takes_typing(None)
