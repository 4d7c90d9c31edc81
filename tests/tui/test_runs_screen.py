"""The runs screen: filter, views, refresh control, marks, clipboard, help, detail, health.

The behaviour tests drive the real app over the module's simulator (see conftest.py);
the snapshot tests use fixed runs and a frozen clock (apps/runs_*.py), no network.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input

from runtui import display
from runtui.engine.health import HealthState
from runtui.engine.store import Delta
from runtui.engine.workspace import Workspace
from runtui.model import ACTIVE, Status
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.runs import GATHER_SECONDS, RunsScreen, count_wordings
from runtui.tui.widgets.detail_pane import DetailPane
from runtui.tui.widgets.fitted_line import Said, summary_text
from runtui.tui.widgets.health_bar import HealthBar
from runtui.tui.widgets.keys_footer import KeysFooter
from tests.integration.conftest import run_cli
from tests.tui.apps.runs_support import NOW
from tests.tui.conftest import TuiSim, notifications, screen_text, wait_for

APPS = Path(__file__).parent / "apps"
PROFILES = ["b3os-sim", "edges-sim", "wexa-sim"]


def config_with(sim: TuiSim, tmp: Path, *, refresh: float | None = None, extra: str = "") -> Path:
    """The simulator's config with another refresh interval and/or more profiles."""
    text = sim.config_path.read_text(encoding="utf-8")
    if refresh is not None:
        text = text.replace("refresh_seconds = 0.5", f"refresh_seconds = {refresh}")
    path = tmp / "config.toml"
    path.write_text(text + extra, encoding="utf-8")
    path.chmod(0o600)
    return path


@asynccontextmanager
async def tui(config: Path, size: tuple[int, int] = (120, 36), profiles: int = 3
              ) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], RunsScreen]]:
    app = RuntuiApp(Workspace.load(config))
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        ws = app.workspace
        await wait_for(pilot, lambda: len(ws.health) == profiles and all(
            h.state is not HealthState.LOADING for h in ws.health.values()), what="first polls")
        yield app, pilot, screen


def polls(app: RuntuiApp) -> dict[str, int]:
    return {name: w.polls for name, w in app.workspace.watchers.items()}


def summary(screen: RunsScreen) -> str:
    return str(screen.query_one("#summary").render())


def rows(screen: RunsScreen) -> list[tuple[str, str]]:
    return [r.key for r in screen.table.visible_runs()]


def raw_of(app: RuntuiApp, key: tuple[str, str]) -> str | None:
    run = app.workspace.store.get(key)
    return None if run is None else run.raw_status


async def wait_loaded(pilot: Pilot[Any], app: RuntuiApp, key: tuple[str, str]) -> None:
    await wait_for(pilot, lambda: app.workspace.store.get(key) is not None, what=f"{key} loaded")


# ---- filter and views ------------------------------------------------------------------------


async def test_filter_narrows_and_escape_clears(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        total = screen.table.total_count
        height = screen.table.size.height
        await pilot.press("slash", *"edges")
        flt = screen.query_one("#filter", Input)
        bar = screen.query_one(HealthBar)
        assert flt.has_focus and flt.value == "edges"
        # The box takes the health line's place: the table keeps its height (no new layout).
        assert flt.display and not bar.display and screen.table.size.height == height
        assert 0 < screen.table.visible_count < total
        assert {p for p, _ in rows(screen)} == {"edges-sim"}
        assert "filter: edges" in summary(screen)
        await pilot.press("enter")  # back to the table, filter kept (shown in the summary)
        assert screen.table.has_focus and screen.table.filter_text == "edges"
        assert not flt.display and bar.display and "filter: edges" in summary(screen)
        await pilot.press("j")  # table keys work again, they do not type into the filter
        assert flt.value == "edges"
        await pilot.press("slash")  # the box opens again on the filter, to edit it
        assert flt.display and flt.has_focus and flt.value == "edges"
        await pilot.press("enter")
        await pilot.press("escape")
        assert screen.table.filter_text == "" and not flt.display
        assert screen.table.visible_count == screen.table.total_count
        assert "filter" not in summary(screen)

        # escape while typing clears too; a run id finds exactly that run
        run_id = tui_sim.runs("b3os", "success")[0]["id"]
        await pilot.press("slash", *run_id[:14])
        assert rows(screen) == [("b3os-sim", run_id)]
        await pilot.press("escape")
        assert screen.table.visible_count == screen.table.total_count and screen.table.has_focus


async def test_a_filter_that_looks_like_markup_is_shown_as_typed(tui_sim: TuiSim) -> None:
    """The summary repeats the filter: read as markup, "[/]" raised a MarkupError that
    ended the app on the third key, and "[b]x" showed as a bold "x"."""
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await pilot.press("slash", "left_square_bracket", "slash", "right_square_bracket")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert "filter: [/]" in summary(screen)
        await pilot.press("escape", "slash", *"[b]x")
        await pilot.pause()
        assert app.is_running and "filter: [b]x" in summary(screen)


async def test_every_state_is_on_the_summary_line_at_80_columns(tui_sim: TuiSim) -> None:
    """Refresh paused, active only, marks and a filter at once: the line used to be cut
    after the marks, and the states after them were on no line of the screen."""
    async with tui(tui_sim.config_path, size=(80, 24)) as (app, pilot, _screen):
        await pilot.press("f", "a", "space", "space", "slash", *"e", "enter")
        await pilot.pause()

        def shown() -> str:
            lines = [line for line in screen_text(app).splitlines() if "/" in line and " | " in line]
            return lines[0] if lines else ""

        await wait_for(pilot, lambda: "/e" in shown(), what="the summary with the filter")
        line = shown()
        for state in ("paused", "active", "2 marked", "/e"):
            assert state in line, (state, line)
        assert "…" not in line.split("/e")[0]  # nothing before the filter was cut
        await pilot.press("f", "a")
        await wait_for(pilot, lambda: "paused" not in shown(), what="refresh on again")
        assert "active," not in shown() and "2 marked" in shown()
        await pilot.resize_terminal(200, 40)  # wide: the fullest words
        await wait_for(pilot, lambda: "2 marked (esc clears)" in shown() and "filter: e" in shown(),
                       what="the full wording at 200 columns")


async def test_marks_the_filter_hides_are_said_on_a_narrow_line(tui_sim: TuiSim) -> None:
    """A narrow line's short form of the marks dropped "(2 hidden)": an action on the marks
    would touch runs the screen did not show, with nothing on it saying so."""
    async with tui(tui_sim.config_path, size=(66, 24)) as (app, pilot, _screen):
        await pilot.press("f", "a", "space", "space", "slash", *"zzzq", "enter")

        def shown() -> str:
            lines = [line for line in screen_text(app).splitlines() if "/zzzq" in line and " | " in line]
            return lines[0] if lines else ""

        await wait_for(pilot, lambda: "/zzzq" in shown(), what="the summary with the filter")
        assert "2 marked" in shown() and "2 hidden" in shown(), shown()
        assert "paused" in shown() and "active" in shown(), shown()


async def test_the_status_counts_fit_the_summary_line_at_80_columns(tui_sim: TuiSim) -> None:
    """At 80 columns the counts came last in their long words and were cut: "failed"
    never showed. They now shrink to symbols (`▶8 ✘11`) and every one fits."""
    async with tui(tui_sim.config_path, size=(80, 24)) as (_app, pilot, screen):
        def every_count_shown() -> bool:
            counts = {status: n for status, n in screen.table.counts().items() if n}
            shown = summary(screen).split(" | ")[-1].split()
            return len(counts) > 3 and shown == [f"{display.SYMBOL[s]}{n}" for s, n in counts.items()]

        await wait_for(pilot, every_count_shown, what="every count in symbols")
        assert "…" not in summary(screen)


def test_marks_and_a_pause_at_80_columns_take_the_short_form_not_cut_counts() -> None:
    """The line as a 50k-run profile showed it at 80 columns: with two marks it kept the long
    words (`2 marked (esc clears), 1883 need attention (!)`) and cut every count, the
    failed one too. Now the short words, and the failed count first where the rest is cut."""
    counts = [(Status.QUEUED, 1), (Status.RUNNING, 28), (Status.PAUSED, 853), (Status.WAITING, 100),
              (Status.SUCCEEDED, 11093), (Status.FAILED, 2587), (Status.CANCELLED, 2305)]
    head = [Said(("wexa-sim", "wexa-sim")), Said(("16968/50902 runs",))]
    marks = Said(("2 marked (esc clears)", "2 marked", "2 marked"))
    attention = Said(("1883 need attention (!)", "1883 need attention", "!1883"))
    for flags in ([marks, attention], [Said(("refresh paused", "paused")), marks, attention]):
        line = summary_text(head, flags, Said(count_wordings(counts)), 80)
        shown = line if cell_len(line) <= 80 else line[:79] + "…"  # as the widget cuts it
        assert "2 marked, " in shown and "!1883 | ✘2587 " in shown, shown
    wide = summary_text(head, [marks, attention], Said(count_wordings(counts)), 200)
    assert wide.endswith("| 1 queued, 28 running, 853 paused, 100 waiting, 11093 succeeded, "
                         "2587 failed, 2305 cancelled"), wide


async def test_the_detail_keys_act_on_its_run_when_the_table_hides_it(tui_sim: TuiSim) -> None:
    """With `a` (active only) a run that ended left the table while its detail was open;
    R and e from the detail then took the table's cursor run, another run and workflow."""
    from runtui.tui.screens.execute import ExecuteScreen

    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await pilot.press("a")
        await wait_for(pilot, lambda: all(not r.status.terminal for r in screen.table.visible_runs()),
                       what="active only")
        ended = next(r for r in app.workspace.store.for_profile("b3os-sim")
                     if r.status.terminal and r.workflow_id and r.workflow_id != (
                         screen.table.cursor_run.workflow_id if screen.table.cursor_run else None))
        app.push_screen(DetailScreen(ended))
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        for key in ("R", "e"):
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ExecuteScreen), what=f"the form after {key}")
            assert app.screen.query_one("#execute-workflow", Input).value == ended.workflow_id, key
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="back to the detail")


async def test_a_refused_key_in_the_detail_says_why(tui_sim: TuiSim) -> None:
    """Greyed out in the detail (cancel on a finished run), a key did nothing at all."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        ended = next(r for r in app.workspace.store.for_profile("edges-sim") if r.status.terminal)
        app.push_screen(DetailScreen(ended))
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("c")
        await wait_for(pilot, lambda: any("cannot cancel" in n for n in notifications(app)),
                       what="why cancel is refused")
        assert isinstance(app.screen, DetailScreen)


async def test_toasts_from_screens_and_widgets_are_plain_text(tui_sim: TuiSim) -> None:
    """Textual's Widget.notify hands the app markup=True: a log search for "[/]" that found
    nothing ended the app (MarkupError in its toast), and "[b]x" lost its brackets."""
    from runtui.tui.screens.logs import LogScreen

    async with tui(tui_sim.config_path) as (app, pilot, screen):
        screen.notify("[b]x[/b] [link=https://evil.example]y[/link]")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="the log view")
        await pilot.press("slash", *"[/]zz-none", "enter")
        await wait_for(pilot, lambda: any("no line matches" in n for n in notifications(app)),
                       what="the no-match toast")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        said = notifications(app)
        assert ": [b]x[/b] [link=https://evil.example]y[/link]" in said
        assert ": no line matches '[/]zz-none'" in said
        assert not any(n.markup for n in app._notifications)


async def test_a_key_pressed_again_does_not_stack_the_same_toast(tui_sim: TuiSim) -> None:
    """`d` twenty times with nothing marked piled up twenty identical warnings over the
    summary; one shows while it lasts, and a different message still shows at once."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await pilot.press(*["d"] * 5)
        await wait_for(pilot, lambda: notifications(app), what="the warning")
        said = notifications(app)
        assert len(said) == 1 and "mark two runs" in said[0]
        await pilot.press("space", "d")
        await wait_for(pilot, lambda: len(notifications(app)) == 2, what="the next, different warning")
        assert "(1 marked)" in notifications(app)[1]


async def test_ctrl_c_says_how_to_quit_in_words(tui_sim: TuiSim) -> None:
    """The app's toasts are plain text, so Textual's own "Press [b]ctrl+q[/b]" showed its tags."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: notifications(app), what="the quit hint")
        assert notifications(app) == ["Do you want to quit?: Press ctrl+q to quit the app"]
        assert app.is_running


async def test_an_age_longer_than_a_clock_holds_keeps_every_run(tui_sim: TuiSim) -> None:
    """`since:9999999999w` (a held 9 key) overflowed timedelta on a keystroke and ended
    the app; any age past what a timedelta holds means "ever"."""
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        total = screen.table.total_count
        await pilot.press("slash", *"since:9999999999w")
        await pilot.pause()
        assert app.is_running and "filter: since:9999999999w" in summary(screen)
        assert screen.table.visible_count == total


async def test_a_filter_keystroke_filters_before_the_next_frame(tui_sim: TuiSim) -> None:
    """The rows follow the key in the same handler (Input.Changed would be a frame late)."""
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        await pilot.press("slash")
        flt = screen.query_one("#filter", Input)
        flt.value = "edges"  # no await: nothing else has run in between
        assert screen.table.filter_text == "edges"
        assert "filter: edges" in summary(screen)


async def test_the_changes_of_one_beat_reach_the_table_in_one_go(tui_sim: TuiSim) -> None:
    """The profiles poll on one beat and answer within milliseconds: one table update, one frame."""
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        ws = app.workspace
        await wait_for(pilot, lambda: ws.first_listings_in, what="first listings")
        await pilot.press("f")  # refresh paused: only the changes below reach the store
        await wait_for(pilot, lambda: not any(w.polling for w in ws.watchers.values()),
                       what="no poll in flight")
        batches: list[int] = []
        apply_deltas = screen._apply_deltas

        def noting(deltas: list[Delta]) -> None:
            batches.append(len(deltas))
            apply_deltas(deltas)

        screen._apply_deltas = noting  # type: ignore[method-assign]
        a, b = (next(r for r in ws.store.runs.values() if r.profile == name)
                for name in ("b3os-sim", "edges-sim"))
        ws.store.upsert([a.model_copy(update={"workflow_name": "beat-a"})])
        ws.store.upsert([b.model_copy(update={"workflow_name": "beat-b"})])
        await wait_for(pilot, lambda: batches, what="the changes applied")
        await pilot.pause()
        assert batches == [2]


async def test_the_one_second_tick_follows_the_beat_and_takes_the_gathered_changes(
        tui_sim: TuiSim) -> None:
    """Durations that tick and rows that changed are drawn in one frame, not two."""
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        loop = asyncio.get_running_loop()
        ticks: list[float] = []
        tick = screen._tick
        table_tick = screen.table.tick

        def noting() -> None:  # the table's part of the tick: looked up on every tick (the
            ticks.append(loop.time())  # screen's own method was bound by its timer at the
            table_tick()  # first tick, which a loaded machine reached before this line)

        screen.table.tick = noting  # type: ignore[method-assign]
        await wait_for(pilot, lambda: len(ticks) >= 2, what="two ticks")
        # Never before the beat's gathering ends; late only by what a loaded machine adds.
        assert all(GATHER_SECONDS - 0.005 <= t % 1.0 <= GATHER_SECONDS + 0.06 for t in ticks), ticks

        await wait_for(pilot, lambda: app.workspace.first_listings_in, what="first listings")
        await pilot.press("f")  # refresh paused: only the change below reaches the store
        await wait_for(pilot, lambda: not any(w.polling for w in app.workspace.watchers.values()),
                       what="no poll in flight")
        run = screen.table.visible_runs()[0]

        def shown_name() -> str | None:
            return next(r.workflow_name for r in screen.table.visible_runs() if r.key == run.key)

        app.workspace.store.upsert([run.model_copy(update={"workflow_name": "ticked"})])
        assert shown_name() != "ticked"  # gathered, not applied yet
        tick()
        assert shown_name() == "ticked"


async def test_a_gathered_change_the_table_cannot_take_is_said_not_lost_in_a_log(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """Applied from the event loop, a failure would only reach asyncio's log."""
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        ws = app.workspace
        await wait_for(pilot, lambda: ws.first_listings_in, what="first listings")

        def broken(_delta: Delta) -> None:
            raise RuntimeError("\x1b]0;from a server\x07")

        monkeypatch.setattr(screen.table, "apply_delta", broken)
        run = next(iter(ws.store.runs.values()))
        ws.store.upsert([run.model_copy(update={"workflow_name": "unapplied"})])
        await wait_for(pilot, lambda: any("could not take" in n for n in notifications(app)),
                       what="the failure said")
        said = next(n for n in notifications(app) if "could not take" in n)
        assert "RuntimeError" in said and "\x1b" not in said


async def test_a_beat_gathered_before_t_stays_out_of_the_tasks_table(tui_sim: TuiSim) -> None:
    """T swaps the table to the task store: run changes still waiting for their frame were
    applied to the task rows, and a run stayed among the tasks until the app restarted."""
    from runtui.model import Kind

    async with tui(tui_sim.config_path) as (app, pilot, screen):
        ws = app.workspace
        await pilot.press("f")  # refresh paused: only the change below reaches the store
        await wait_for(pilot, lambda: not any(w.polling for w in ws.watchers.values()),
                       what="no poll in flight")
        run = next(iter(ws.store.runs.values()))
        ws.store.upsert([run.model_copy(update={"workflow_name": "gathered"})])
        screen.action_toggle_tasks()  # within the gathering window, as a T typed then
        await wait_for(pilot, lambda: screen.table.total_count > 0, what="the tasks")
        await wait_for(pilot, lambda: not screen._gathered, what="the beat applied")
        await pilot.pause()
        assert all(r.kind is Kind.TASK for r in screen.table.visible_runs())
        assert run.key not in {r.key for r in screen.table.visible_runs()}


async def test_the_watchers_are_told_what_is_on_screen(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path, size=(120, 24)) as (app, pilot, screen):
        await wait_for(pilot, lambda: app.workspace.focus == set(screen.table.on_screen_keys()),
                       what="focus = rows on screen")
        first = set(screen.table.on_screen_keys())
        assert first and len(first) < screen.table.total_count
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: app.workspace.focus == set(screen.table.on_screen_keys()),
                       what="focus follows the scroll")
        assert app.workspace.focus != first
        assert all(w._focus <= app.workspace.focus for w in app.workspace.watchers.values())


async def test_the_watchers_are_told_the_marked_runs_apart_from_the_screen(tui_sim: TuiSim) -> None:
    """Marked runs off screen are what a bulk action touches: the watchers keep them fresh
    within a few ticks (not every tick: 500 marks paged the whole active list each tick)."""
    async with tui(tui_sim.config_path, size=(120, 24)) as (app, pilot, screen):
        await wait_for(pilot, lambda: bool(screen.table.on_screen_keys()), what="rows")
        await pilot.press("g", "space")
        marked = set(screen.table.marks)
        assert len(marked) == 1
        await pilot.press("pagedown", "pagedown")
        await wait_for(pilot, lambda: app.workspace.marked == marked
                       and app.workspace.focus == set(screen.table.on_screen_keys()),
                       what="the marks told apart from the rows on screen")
        assert not marked & app.workspace.focus
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.workspace.marked == set(), what="the marks cleared")


async def test_a_key_that_moves_the_cursor_greys_out_the_footers_keys_before_its_frame(
        tui_sim: TuiSim) -> None:
    """`a` from a finished run to an active one: the footer follows the new cursor run while
    the key is handled (the table's cursor listener), so the frame that shows the rows
    shows its keys; the CursorMoved message came a frame or two after (~30 ms at 50,000)."""
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        table = screen.table
        for _ in range(table.visible_count):
            if table.cursor_run is not None and table.cursor_run.status.terminal:
                break
            await pilot.press("down")
        assert table.cursor_run is not None and table.cursor_run.status.terminal
        await pilot.pause()
        footer = screen.query_one(KeysFooter)
        before = footer.shown
        screen.action_active_only()  # as the binding does, and nothing awaited after it
        run = table.cursor_run
        assert run is not None and not run.status.terminal
        assert footer.shown != before  # (cancel, at least, comes back for an active run)
        assert [enabled for _key, _what, enabled in footer.shown if _what in ("Cancel", "Pause")] == [
            bool(screen.check_action("run_action", (what.lower(),)))
            for _key, what, _enabled in footer.shown if what in ("Cancel", "Pause")]
        assert "active only" in summary(screen)


async def test_active_only_sort_and_profile_scope(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        table = screen.table
        total = table.total_count
        await pilot.press("a")
        assert table.active_only and "active only" in summary(screen)
        assert 0 < table.visible_count < total
        assert all(r.status in ACTIVE for r in table.visible_runs())
        await pilot.press("a")
        assert table.visible_count == total

        first = (table.sort_column, table.sort_reverse)
        order = rows(screen)
        await pilot.press("s")
        assert (table.sort_column, table.sort_reverse) != first
        assert set(rows(screen)) == set(order) and rows(screen) != order
        assert "▲" in screen_text(pilot.app) or "▼" in screen_text(pilot.app)

        seen = []
        for _ in range(len(PROFILES) + 1):
            await pilot.press("o")
            seen.append(screen.profile_filter)
            if screen.profile_filter:
                assert {p for p, _ in rows(screen)} == {screen.profile_filter}
                assert summary(screen).startswith(f"{screen.profile_filter} |")
        assert seen == [*PROFILES, None]
        assert table.visible_count == total and "all profiles" in summary(screen)


# ---- refresh control -------------------------------------------------------------------------


async def test_ctrl_r_polls_now(tui_sim: TuiSim, tmp_path: Path) -> None:
    async with tui(config_with(tui_sim, tmp_path, refresh=60)) as (app, pilot, _screen):
        before = polls(app)
        assert set(before) == set(PROFILES)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: all(n > before[k] for k, n in polls(app).items()), what="polls")
        assert any("refreshing" in n for n in notifications(app))


async def test_f_pauses_auto_refresh(tui_sim: TuiSim) -> None:
    subject = tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        key = ("wexa-sim", subject)
        await wait_for(pilot, lambda: raw_of(app, key) == "running")
        await pilot.press("f")
        assert screen.frozen and "refresh paused" in summary(screen)
        await pilot.pause(0.1)  # a poll already in flight may still land
        frozen = polls(app)
        tui_sim.force("wexa", subject, "paused")
        tui_sim.tick(30)
        await pilot.pause(1.5)  # three refresh intervals: an observation window, not a sync
        assert polls(app) == frozen
        assert raw_of(app, key) == "running"
        await pilot.press("ctrl+r")  # asked for: one read, and auto refresh stays paused
        await wait_for(pilot, lambda: raw_of(app, key) == "paused", what="the asked read")
        await wait_for(pilot, lambda: not any(w.polling for w in app.workspace.watchers.values()),
                       what="the asked read done")
        asked = polls(app)
        assert all(n == frozen[k] + 1 for k, n in asked.items())
        tui_sim.force("wexa", subject, "running")
        tui_sim.tick(30)
        await pilot.pause(1.5)  # three refresh intervals again: no poll unasked
        assert polls(app) == asked and raw_of(app, key) == "paused"
        await pilot.press("f")
        assert not screen.frozen and "refresh paused" not in summary(screen)
        await wait_for(pilot, lambda: all(n > asked[k] for k, n in polls(app).items()),
                       what="polls again after un-pausing")


async def test_the_detail_says_refresh_is_paused_and_follows_it(tui_sim: TuiSim) -> None:
    """With `f` the detail went on saying "every 2s" (and reading): it now says the pause."""
    subject = tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path, size=(200, 50)) as (app, pilot, screen):
        key = ("wexa-sim", subject)
        await wait_for(pilot, lambda: raw_of(app, key) == "running")
        screen.table.move_cursor_to(key)
        await pilot.press("f", "enter")
        await wait_for(pilot, lambda: "refresh paused, ^r reads" in screen_text(app), what="its word")
        await pilot.press("f")
        await wait_for(pilot, lambda: "· every " in screen_text(app), what="refresh on again")


async def test_cursor_and_marks_survive_refreshes(tui_sim: TuiSim) -> None:
    cursor_id = tui_sim.take("edges", "RUNNING")
    marked_id = tui_sim.take("b3os", "running")
    changing = tui_sim.take("wexa", "running")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        table = screen.table
        for key in (("edges-sim", cursor_id), ("b3os-sim", marked_id), ("wexa-sim", changing)):
            await wait_loaded(pilot, app, key)
        table.move_cursor_to(("b3os-sim", marked_id))
        await pilot.press("space")
        table.move_cursor_to(("edges-sim", cursor_id))
        await pilot.pause()
        before = polls(app)
        index = rows(screen).index(("edges-sim", cursor_id))
        tui_sim.force("wexa", changing, "paused")  # a row changes, and a new one lands on top
        slug = tui_sim.catalog()["edges"]["flows"][1]["slug"]
        res = await asyncio.to_thread(run_cli, tui_sim, "runs", "execute", "-p", "edges-sim",
                                      "--workflow", slug, "--json")
        new_key = ("edges-sim", res.json()["new_run_id"])
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: raw_of(app, ("wexa-sim", changing)) == "paused")
        await wait_for(pilot, lambda: new_key in rows(screen), what="new run listed")
        assert rows(screen).index(("edges-sim", cursor_id)) == index + 1
        await wait_for(pilot, lambda: all(n >= before[k] + 2 for k, n in polls(app).items()), what="polls")
        assert table.cursor_key == ("edges-sim", cursor_id)
        assert table.marks == {("b3os-sim", marked_id)}
        assert "*" in next(line for line in screen_text(app).splitlines() if marked_id[:12] in line)[:3]


async def test_mark_on_a_vanished_run_is_dropped(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        table = screen.table
        done = [r for r in table.visible_runs() if r.status.terminal]
        gone, kept = done[0], done[1]
        for run in (gone, kept):
            table.move_cursor_to(run.key)
            await pilot.press("space")
        assert table.marks == {gone.key, kept.key}
        await pilot.press("f")  # no poll may bring it back: the server still has it
        await wait_for(pilot, lambda: not any(w.polling for w in app.workspace.watchers.values()),
                       what="polls settled")
        app.workspace.store.remove([gone])  # what a full listing does when the server lost it
        # The change reaches the table with the rest of its beat (RunsScreen._on_delta).
        await wait_for(pilot, lambda: table.marks == {kept.key}, what="the mark dropped")
        assert gone.key not in rows(screen)
        assert table.marked_runs() == [kept]


# ---- clipboard, help, detail -----------------------------------------------------------------


async def test_y_copies_the_run_id(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        run = screen.table.cursor_run
        assert run is not None
        await pilot.press("y")
        assert app.clipboard == run.id
        assert any(run.id in n for n in notifications(app))


async def test_w_marks_a_watched_run_and_w_again_stops(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        table = screen.table
        active = next(r for r in table.visible_runs() if not r.status.terminal)
        table.move_cursor_to(active.key)
        await pilot.press("w")
        assert active.key in app.watched
        await wait_for(pilot, lambda: any(line.startswith("◉") and display.short_id(active.id) in line
                                          for line in screen_text(app).splitlines()), what="◉ on the row")
        await pilot.press("w")
        assert active.key not in app.watched
        await wait_for(pilot, lambda: not any(line.startswith("◉") for line in screen_text(app).splitlines()),
                       what="the ◉ gone")
        done = next(r for r in table.visible_runs() if r.status.terminal)
        table.move_cursor_to(done.key)
        await pilot.press("w")
        assert done.key not in app.watched  # a finished run has nothing left to announce
        assert any("already ended" in n for n in notifications(app))


async def test_help_lists_every_binding_id(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path, size=(120, 50)) as (app, pilot, _screen):
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        # every row, those below the fold too (the help scrolls: j, k, pgdn)
        text = "\n".join("  ".join(row) for row in help_screen.key_rows())
        ids = [b.id for b in RunsScreen.BINDINGS if isinstance(b, Binding) and b.id]
        assert len(ids) == len(RunsScreen.BINDINGS)
        ids += ["app.quit", "app.help", "app.profiles"]
        ids = [re.sub(r"_[1-9]$", "_1…9", i) for i in ids]  # numbered keys share one row
        assert "1-9" in text
        missing = [i for i in ids if i not in text]
        assert not missing, missing
        assert text.index("runs.execute") < text.index("table.cursor_up")  # the screen's keys first
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen))



async def test_help_does_not_say_enter_closes_a_filter_box_that_is_closed(tui_sim: TuiSim) -> None:
    """The help (opened from the table: `?` in the filter box is text) listed Enter as
    "Close filter box" with no box open; the row says when it does that, and Enter's
    own row (the table's) says what it does then."""
    async with tui(tui_sim.config_path, size=(120, 50)) as (app, pilot, screen):
        assert not screen.query_one("#filter", Input).display
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {ident: what for _keys, what, ident in help_screen.key_rows()}
        assert rows["runs.filter_done"].startswith("Filter box:")
        assert rows["table.select"] == "Open the run's detail"
        assert "Close filter box" not in screen_text(app)
        idents = [ident for _keys, _what, ident in help_screen.key_rows()]
        table_rows = [i for i in idents if i.startswith("table.")]
        assert len(table_rows) == len(set(table_rows)) and "table.cursor_up/down" not in idents, idents


async def test_the_workflows_help_lists_only_its_own_keys(tui_sim: TuiSim) -> None:
    """It began with the run filter's words and ended with the run table's keys."""
    async with tui(tui_sim.config_path, size=(120, 50)) as (app, pilot, _screen):
        await pilot.press("W")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WorkflowsScreen", what="workflows")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        text = screen_text(app)
        assert "workflows.pause" in text
        assert "Filter (/)" not in text and "table.select" not in text
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {ident: (keys, what) for keys, what, ident in help_screen.key_rows()}
        assert rows["workflows.open"] == ("⏎", "The run table, filtered to this workflow")
        for ident, keys in [("workflows.back", "esc, q"), ("workflows.down", "j"), ("workflows.up", "k"),
                            ("workflows.first", "g"), ("workflows.last", "G")]:
            assert rows[ident][0] == keys, ident


async def test_the_help_scrolls_with_j_k_g_G_as_every_list_does(tui_sim: TuiSim) -> None:
    """At 80x24 the list is longer than its box, and only PgDn/End/Home moved it."""
    async with tui(tui_sim.config_path, size=(80, 24)) as (app, pilot, _screen):
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        box = app.screen.query_one("#help-box")
        await wait_for(pilot, lambda: box.max_scroll_y > 2, what="a list longer than its box")
        await pilot.press("G")
        await wait_for(pilot, lambda: box.scroll_y == box.max_scroll_y, what="G: the bottom")
        await pilot.press("k")
        await wait_for(pilot, lambda: box.scroll_y == box.max_scroll_y - 1, what="k: one line up")
        await pilot.press("g")
        await wait_for(pilot, lambda: box.scroll_y == 0, what="g: the top")
        await pilot.press("j")
        await wait_for(pilot, lambda: box.scroll_y == 1, what="j: one line down")
        assert isinstance(app.screen, HelpScreen)  # none of them closed it

async def test_enter_opens_detail_full_screen_when_narrow(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path, size=(120, 36)) as (app, pilot, screen):
        run = screen.table.cursor_run
        assert run is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        pane = app.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail is not None, what="detail read")
        assert pane.run is not None and pane.run.key == run.key
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_enter_opens_detail_beside_the_table_when_wide(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path, size=(160, 40)) as (app, pilot, screen):
        first = screen.table.cursor_run
        assert first is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(screen.query(DetailPane)))
        assert app.screen is screen
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail is not None and pane.detail.run.id == first.id)
        assert screen.table.region.width < 160 and pane.region.x >= screen.table.region.right
        await pilot.press("down")  # the pane follows the cursor
        second = screen.table.cursor_run
        assert second is not None and second.key != first.key
        await wait_for(pilot, lambda: pane.run is not None and pane.run.key == second.key)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.query(DetailPane))
        assert screen.table.has_focus


# ---- live data and health --------------------------------------------------------------------


async def test_the_cursor_stops_keeping_to_the_top_once_every_profile_has_loaded(
        tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: all(h.state is not HealthState.LOADING
                                          for h in app.workspace.health.values()),
                       what="every profile loaded")
        await pilot.pause()
        assert not screen.table.keeps_top


async def test_new_runs_appear_without_restart(tui_sim: TuiSim) -> None:
    slug = tui_sim.catalog()["edges"]["flows"][0]["slug"]
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        known = tui_sim.ids("edges")
        res = await asyncio.to_thread(run_cli, tui_sim, "runs", "execute", "-p", "edges-sim",
                                      "--workflow", slug, "--json")
        assert res.code == 0, res.err
        new_id = res.json()["new_run_id"]
        assert new_id and new_id not in known
        await wait_for(pilot, lambda: ("edges-sim", new_id) in rows(screen), what="new run in the table")
        assert new_id[:8] in screen_text(app)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_health_bar_shows_a_dead_profile_while_others_stay_ok(tui_sim: TuiSim, tmp_path: Path) -> None:
    extra = f"""
[profiles.edges-down]
provider = "edges"
base_url = "http://127.0.0.1:{closed_port()}/edges/v1"
api_key_env = "RUNTUI_SIM_EDGES_KEY"
"""
    config = config_with(tui_sim, tmp_path, extra=extra)
    async with tui(config, size=(200, 40), profiles=4) as (app, pilot, _screen):
        health = app.workspace.health
        await wait_for(pilot, lambda: health["edges-down"].state is HealthState.ERROR, what="error health")
        await wait_for(pilot, lambda: all(health[p].state is HealthState.OK for p in PROFILES))
        bar = app.screen.query_one(HealthBar)
        await wait_for(pilot, lambda: "✘ edges-down error" in str(bar.render()))
        text = str(bar.render())
        for name in PROFILES:
            assert f"● {name} ok" in text
        assert not app.workspace.store.for_profile("edges-down")


async def test_the_summary_says_the_rows_of_a_profile_down_are_stale(tui_sim: TuiSim, tmp_path: Path) -> None:
    """In an outage the rows looked live: only the health line, cut at 80 columns, said
    the reads failed. The summary line says so, within the profile scope shown."""
    extra = f"""
[profiles.edges-down]
provider = "edges"
base_url = "http://127.0.0.1:{closed_port()}/edges/v1"
api_key_env = "RUNTUI_SIM_EDGES_KEY"
"""
    config = config_with(tui_sim, tmp_path, extra=extra)
    async with tui(config, size=(80, 24), profiles=4) as (app, pilot, screen):
        await wait_for(pilot, lambda: app.workspace.health["edges-down"].state is HealthState.ERROR)
        await wait_for(pilot, lambda: " runs | stale: 1 down, " in summary(screen), what="stale")
        while screen.profile_filter != "b3os-sim":
            await pilot.press("o")
        await wait_for(pilot, lambda: summary(screen).startswith("b3os-sim |"))
        assert "stale" not in summary(screen)
        while screen.profile_filter != "edges-down":
            await pilot.press("o")
        await wait_for(pilot, lambda: "stale: 1 profile down" in summary(screen), what="its own scope")


async def test_a_server_clock_ahead_is_said_and_its_runs_times_count_on_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server clock 15 min ahead (the sim's clock, at real speed, says it in `Date`)
    showed its new runs created "in 14m50s" and a running one's DURATION stuck at 0s."""
    import httpx
    import msgspec

    from runtui.model import Status
    from runtui.sim.config import SimConfig
    from runtui.sim.server import SimServer, write_config
    from runtui.tui.widgets.columns import CELL_TEXT, next_change

    with SimServer(SimConfig(seed=5, runs=30, spawn_every=0)) as server:
        for key, value in write_config(tmp_path / "config.toml", server.url, server.config).items():
            monkeypatch.setenv(key, value)
        sim = httpx.Client(base_url=f"{server.url}/_sim")
        some = next(r["id"] for r in sim.get("/runs/edges").json())
        assert sim.post("/tick", json={"seconds": 900}).is_success
        try:
            async with tui(tmp_path / "config.toml", size=(200, 40)) as (app, pilot, _screen):
                # One server (the sim) for three profiles: each said once, together when their
                # first answers came within the same second.
                def told(name: str) -> int:
                    return sum(name in n.split(":")[0] and "15m ahead of this machine's" in n
                               for n in notifications(app))

                await wait_for(pilot, lambda: all(told(p) for p in PROFILES), what="said")
                assert [told(p) for p in PROFILES] == [1, 1, 1]
                assert any(n.startswith("b3os-sim, edges-sim, wexa-sim: their clocks are 15m ahead")
                           or n.startswith("edges-sim's clock is 15m ahead") for n in notifications(app))
                run = app.workspace.store.get(("edges-sim", some))
                assert run is not None
                # A run the server created and started at its now, seen 6 s later here: it
                # was created "in 14m54s" and had run 0s.
                now = tui_clock.now()
                server_now = now + timedelta(seconds=900)
                fresh = msgspec.structs.replace(run, status=Status.RUNNING, created_at=server_now,
                                                started_at=server_now, finished_at=None)
                later = now + timedelta(seconds=6)
                assert CELL_TEXT["created"](fresh, later) == "<1m ago"
                assert CELL_TEXT["duration"](fresh, later) == "5s"
                assert next_change(["duration"], fresh, later.timestamp()) <= later.timestamp() + 5
        finally:
            tui_clock.set_offsets({})
            sim.close()


# ---- snapshots (fixed runs, frozen clock) ----------------------------------------------------


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui_clock, "now", lambda: NOW)


async def _ready(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen))


def test_snapshot_runs_120x36(snap_compare: Callable[..., bool], frozen: None) -> None:
    assert snap_compare(APPS / "runs_app.py", terminal_size=(120, 36), run_before=_ready)


def test_snapshot_runs_80x24(snap_compare: Callable[..., bool], frozen: None) -> None:
    assert snap_compare(APPS / "runs_app.py", terminal_size=(80, 24), run_before=_ready)


def test_snapshot_filter_80x24(snap_compare: Callable[..., bool], frozen: None) -> None:
    """The filter box open on the bottom line, in the health line's place."""
    async def filter_wexa(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await pilot.press("slash", *"wexa")
        await wait_for(pilot, lambda: "/wexa" in str(pilot.app.screen.query_one("#summary").render()))

    assert snap_compare(APPS / "runs_app.py", terminal_size=(80, 24), run_before=filter_wexa)


def test_snapshot_confirm_cancel(snap_compare: Callable[..., bool], frozen: None) -> None:
    async def cancel_first(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RunsScreen)
        assert screen.table.cursor_run is not None and screen.table.cursor_run.status.value == "running"
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))

    assert snap_compare(APPS / "runs_app.py", terminal_size=(120, 36), run_before=cancel_first)


def test_snapshot_help(snap_compare: Callable[..., bool], frozen: None) -> None:
    async def help_open(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(APPS / "runs_app.py", terminal_size=(120, 36), run_before=help_open)


def test_snapshot_health_config_error(snap_compare: Callable[..., bool], frozen: None) -> None:
    assert snap_compare(APPS / "runs_health_error_app.py", terminal_size=(180, 30), run_before=_ready)


def test_screenshot_export_names_are_flat_stable_and_unique(tmp_path: Path) -> None:
    from tests.tui.conftest import SNAPSHOTS, export_screenshots, screenshot_name

    src = tmp_path / "snaps"
    (src / "test_runs_screen").mkdir(parents=True)
    (src / "test_runs_screen" / "test_snapshot_runs_120x36.svg").write_text("<svg/>")
    (src / "test_new_thing").mkdir()
    (src / "test_new_thing" / "test_snapshot_x.svg").write_text("<svg>x</svg>")
    written = export_screenshots(src, tmp_path / "shots")
    assert written == ["new_thing_snapshot_x.svg", "runs_120x36.svg"]
    assert (tmp_path / "shots" / "runs_120x36.svg").read_text() == "<svg/>"
    names = [screenshot_name(p) for p in SNAPSHOTS.rglob("*.svg")]
    assert len(names) == len(set(names))


async def test_a_filter_term_that_cannot_match_says_why(tui_sim: TuiSim) -> None:
    """`/since:abc` or `/st:failde` showed "no runs match the filter": on call a typo read
    as "no failed runs". At 80x24 the table says what is wrong and what the term expects."""
    async with tui(tui_sim.config_path, size=(80, 24)) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count > 0, what="runs")

        async def filtered(text: str) -> str:
            await pilot.press("slash", *text, "enter")
            await wait_for(pilot, lambda: screen.table.filter_text == text and screen.table.has_focus)
            await pilot.pause()
            shown = screen_text(app)
            await pilot.press("escape")  # clears the filter
            await wait_for(pilot, lambda: not screen.table.filter_text, what="the filter cleared")
            return shown

        shown = await filtered("since:abc")
        assert "bad filter: since: expects 30s, 10m, 2h, 1d or 1w, not 'abc'" in shown
        assert "no runs match" not in shown

        shown = await filtered("st:failde")
        assert "bad filter: unknown status 'failde'" in shown and "no runs match" not in shown
        # the statuses it knows, whole, on the lines under it
        text = " ".join(line.strip() for line in shown.splitlines())
        assert "queued, running, paused, waiting, succeeded, failed, cancelled, unknown, partial)" in text

        # a platform's own status is a status; a good term that matches nothing says so plainly
        raw = next(r.raw_status for r in app.workspace.store.runs.values() if r.provider == "edges"
                   and r.raw_status)
        assert raw
        assert "bad filter" not in await filtered(f"st:{raw.lower()}")
        shown = await filtered("st:fail wf:no-such-workflow-here")
        assert "no runs match the filter" in shown and "bad filter" not in shown


async def test_a_profile_in_error_stays_readable_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The health line's "✘ PROFILE error" was a plain red: under NO_COLOR a grey two
    shades off the bar's background, the one line that says a profile is not read."""
    from tests.tui.apps.runs_support import build_app
    from tests.tui.conftest import grey_contrast, styles_holding

    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
    app = build_app(broken=True)
    async with app.run_test(size=(180, 30)) as pilot:
        await wait_for(pilot, lambda: "✘ flows-staging" in screen_text(app), what="the profile in error")
        plain = grey_contrast(styles_holding(app, "STATUS")[0])  # the table's header
        styles = styles_holding(app, "✘ flows-staging")
        assert styles
        for style in styles:
            assert grey_contrast(style) >= plain * 0.5, (style, plain)
            assert style.bold, style


async def test_a_waiting_run_stays_readable_without_colour(tui_sim: TuiSim,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The status that most needs a person was a plain ANSI magenta: under NO_COLOR a grey
    two shades off the table's background, while every other status read."""
    from tests.tui.conftest import grey_contrast, styles_holding

    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await pilot.press("slash", *"st:waiting", "enter")
        await wait_for(pilot, lambda: bool(styles_holding(app, "◔ waiting")), what="a waiting row")
        plain = grey_contrast(styles_holding(app, "-sim")[0])
        for style in styles_holding(app, "◔ waiting"):
            assert grey_contrast(style) >= plain * 0.5, (style, plain)
