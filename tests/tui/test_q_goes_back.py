"""`q` in a view opened over the runs list goes back to it, as escape does there; it quits
only from the runs list. An operator in the log view pressed `q` by the reflex of less and
journalctl and was at the shell, the filter and marks lost. In a text box `q` is a q."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from runtui.tui.app import RuntuiApp
from runtui.tui.screens.attention import AttentionScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.diff import DiffScreen, ValuesScreen
from runtui.tui.screens.execute import ExecuteScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.logs import LogScreen
from runtui.tui.screens.messages import MessagesScreen
from runtui.tui.screens.profiles import ProfilesScreen
from runtui.tui.screens.runs import WIDE, RunsScreen
from runtui.tui.screens.workflows import WorkflowsScreen
from runtui.tui.widgets.detail_pane import DetailPane
from runtui.tui.widgets.keys_footer import KeysFooter
from tests.tui.conftest import TuiSim, runs_loaded, wait_for
from tests.tui.test_actions_pilot import select

FILTER = "sim"  # every profile's name holds it: the table keeps its rows


async def filtered_and_marked(pilot: Pilot[Any], screen: RunsScreen) -> set[tuple[str, str]]:
    """The state `q` must not lose: a filter typed in its box, and two marked runs."""
    await pilot.press("slash", *FILTER, "enter")
    await wait_for(pilot, lambda: screen.table.filter_text == FILTER and screen.focused is screen.table,
                   what="the filter applied")
    await pilot.press("space", "space")
    await wait_for(pilot, lambda: len(screen.table.marks) == 2, what="two runs marked")
    return set(screen.table.marks)


async def opened(pilot: Pilot[Any], kind: type[Screen[Any]]) -> Screen[Any]:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind), what=f"{kind.__name__} open")
    return pilot.app.screen


async def q_back_to(pilot: Pilot[Any], below: Screen[Any]) -> None:
    """`q`, then the screen under the one shown is back, and the app still runs."""
    app = pilot.app
    await pilot.press("q")
    await wait_for(pilot, lambda: app.return_code is not None or app.screen is below,
                   what=f"back on {type(below).__name__}")
    assert app.return_code is None, f"q quit the app instead of going back to {type(below).__name__}"


async def test_q_in_each_view_goes_back_with_the_filter_and_marks_kept(tui_sim: TuiSim) -> None:
    async with runs_loaded(tui_sim.config_path, size=(120, 36)) as (app, pilot, screen):
        marks = await filtered_and_marked(pilot, screen)
        views: list[tuple[tuple[str, ...], type[Screen[Any]]]] = [
            (("l",), LogScreen), (("enter",), DetailScreen), (("exclamation_mark",), AttentionScreen),
            (("W",), WorkflowsScreen), (("d",), DiffScreen), (("P",), ProfilesScreen),
            (("M",), MessagesScreen), (("question_mark",), HelpScreen)]
        for keys, kind in views:
            await pilot.press(*keys)
            view = await opened(pilot, kind)
            for footer in view.query(KeysFooter):  # (the boxes over the list have none)
                assert ("esc/q", "Back", True) in footer.shown, f"{kind.__name__}'s footer"
            await q_back_to(pilot, screen)
            assert screen.table.filter_text == FILTER and screen.table.marks == marks, kind.__name__

        # a view over a view: q goes back one at a time
        await pilot.press("enter")
        detail = await opened(pilot, DetailScreen)
        await pilot.press("question_mark")
        shown_help = await opened(pilot, HelpScreen)
        assert isinstance(shown_help, HelpScreen)
        assert ("esc, q", "Back", "detail.back") in shown_help.key_rows()  # the help says it
        await q_back_to(pilot, detail)
        await pilot.press("l")
        await opened(pilot, LogScreen)
        await q_back_to(pilot, detail)
        await q_back_to(pilot, screen)
        await pilot.press("d")
        diff = await opened(pilot, DiffScreen)
        await pilot.press("enter")
        await opened(pilot, ValuesScreen)
        await q_back_to(pilot, diff)
        await q_back_to(pilot, screen)
        assert screen.table.filter_text == FILTER and screen.table.marks == marks

        await pilot.press("q")  # on the runs list it quits
        await wait_for(pilot, lambda: app.return_code == 0, what="quit")


async def test_q_closes_the_split_detail_and_then_quits(tui_sim: TuiSim) -> None:
    """From WIDE columns the detail opens beside the table, in the runs screen itself."""
    async with runs_loaded(tui_sim.config_path, size=(WIDE + 10, 40)) as (app, pilot, screen):
        marks = await filtered_and_marked(pilot, screen)
        footer = screen.query_one(KeysFooter)
        assert ("q", "Quit", True) in footer.shown
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(screen.query(DetailPane)), what="the split detail")
        await wait_for(pilot, lambda: ("q", "Close the detail", True) in footer.shown, what="the footer's q")
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None or not screen.query(DetailPane),
                       what="the split closed")
        assert app.return_code is None and app.screen is screen
        assert screen.table.filter_text == FILTER and screen.table.marks == marks
        await wait_for(pilot, lambda: ("q", "Quit", True) in footer.shown, what="the footer's quit back")
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code == 0, what="quit")


async def typed_q(pilot: Pilot[Any], box: Input) -> None:
    """`q` in a focused text box is a q in it, and the view stays."""
    shown = pilot.app.screen
    await wait_for(pilot, lambda: box.has_focus, what="the text box focused")
    before = box.value
    await pilot.press("q")
    await wait_for(pilot, lambda: box.value == before + "q", what="q typed")
    assert pilot.app.screen is shown and pilot.app.return_code is None


async def test_q_in_a_text_box_types_a_q(tui_sim: TuiSim) -> None:
    async with runs_loaded(tui_sim.config_path, size=(120, 36)) as (app, pilot, screen):
        assert isinstance(app, RuntuiApp)
        await pilot.press("slash")
        await typed_q(pilot, screen.query_one("#filter", Input))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.focused is screen.table, what="the filter box closed")

        await pilot.press("l")  # the log view's find box
        logs = await opened(pilot, LogScreen)
        await pilot.press("slash")
        await typed_q(pilot, logs.query_one("#log-search", Input))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not logs.query_one("#log-search", Input).has_focus, what="find closed")
        await q_back_to(pilot, screen)

        await pilot.press("enter")  # the detail's Logs tab and its find box
        detail = await opened(pilot, DetailScreen)
        assert isinstance(detail, DetailScreen)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: bool(detail.query("#log-search")), what="the Logs tab")
        await pilot.press("slash")
        await typed_q(pilot, detail.query_one("#log-search", Input))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not detail.query_one("#log-search", Input).has_focus,
                       what="find closed")
        await q_back_to(pilot, screen)

        await select(pilot, screen, "wexa", tui_sim.take("wexa", "completed", seeded=True))
        await pilot.press("e")  # the execute form: its workflow field has the focus
        form = await opened(pilot, ExecuteScreen)
        await pilot.press("end")
        await typed_q(pilot, form.query_one(Input))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the form closed")
