"""Toasts at 80x24: never over a confirmation, a bounded share of the runs table, none lost.

Fixed runs (apps/runs_support.py), no network; Textual's toasts are on (`run_test`
turns them off unless asked).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from runtui.model import HumanRequest
from runtui.tui import clock as tui_clock
from runtui.tui import toasts
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.answer import AnswerScreen
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.execute import ExecuteScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.messages import MessagesScreen
from runtui.tui.screens.profile_form import ProfileFormScreen
from runtui.tui.screens.runs import RunsScreen
from tests.tui.apps.runs_support import NOW, build_app
from tests.tui.conftest import screen_text, wait_for

APPS = Path(__file__).parent / "apps"

# What an operator's keys say at 80x24: one line, two, a long one (the copy hint), a titled one.
SAID = (
    ("", "mark two runs with space to compare them (0 marked)", "warning"),
    ("", "no column 9 at this width", "warning"),
    ("", "copied 0c9b5ed1-4b1e-4c2d-9a7f-000000000001 to tmux's paste buffer (prefix ]); "
         "`set -g set-clipboard on` also gives the terminal's clipboard", "information"),
    ("pause 0c9b5ed1", "not allowed: the run is not running", "warning"),
)


@asynccontextmanager
async def runs_80x24(size: tuple[int, int] = (80, 24)) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any]]]:
    app = build_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        yield app, pilot


def say_all(app: RuntuiApp, timeout: float = 600) -> None:
    for title, text, severity in SAID:
        app.notify(text, title=title, severity=severity, timeout=timeout)  # type: ignore[arg-type]


def rack_toasts(screen: Screen[Any]) -> list[tuple[bool, Widget]]:
    """(displayed, toast) for each toast of the screen's rack, oldest first."""
    rack = screen.query_children(toasts.RACK).first()
    return [(holder.display, toast) for holder in rack.children for toast in holder.children]


def fitted(screen: Screen[Any], count: int) -> Callable[[], bool]:
    """All `count` toasts are in the rack, laid out, the rack sized to its room and the
    shown ones fit in it (or only the newest shows) and are placed."""
    def check() -> bool:
        held = rack_toasts(screen)
        if len(held) != count or not held[-1][1].region.height:
            return False
        room = toasts.room(screen)
        limit = screen.query_children(toasts.RACK).first().styles.max_height
        if (limit.cells if limit is not None else None) != room:
            return False
        shown = [toast for displayed, toast in held if displayed]
        used = sum(toast.outer_size.height + toast.styles.margin.top for toast in shown)
        if room is not None and used > room and len(shown) > 1:
            return False
        return all(bool(toast.region.height) == displayed for displayed, toast in held)
    return check


def toast_rows(screen: Screen[Any]) -> set[int]:
    """The screen rows where a toast is drawn on top, found cell by cell."""
    width, height = screen.size
    rows = set()
    for y in range(height):
        for x in range(width):
            widget, _ = screen.get_widget_at(x, y)
            if any(type(node).__name__ == "Toast" for node in (widget, *widget.ancestors)):
                rows.add(y)
                break
    return rows


async def test_confirm_at_80x24_is_never_under_a_toast() -> None:
    async with runs_80x24() as (app, pilot):
        say_all(app)
        await wait_for(pilot, fitted(app.screen, len(SAID)), what="toasts on the runs screen")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        confirm = app.screen
        await wait_for(pilot, fitted(confirm, len(SAID)), what="toasts fitted under the dialog")
        dialog = confirm.query_one("#dialog")
        # every cell of the dialog shows the dialog, not a toast
        for y in range(dialog.region.y, dialog.region.bottom):
            for x in range(dialog.region.x, dialog.region.right):
                widget, _ = confirm.get_widget_at(x, y)
                assert widget is dialog or dialog in widget.ancestors, (x, y, widget)
        text = screen_text(app)
        assert "Cancel run" in text and "This cannot be undone." in text
        assert "No (n)" in text and "Yes (y)" in text
        # the newest toast is still there, whole, under the dialog
        shown = [toast for displayed, toast in rack_toasts(confirm) if displayed]
        assert shown and shown[-1].region.y > dialog.region.bottom
        assert "not allowed: the run is not running" in text
        # the runs screen underneath keeps its copies out of sight
        runs = app.screen_stack[0]
        assert runs.has_class("-covered")
        assert all(toast.styles.visibility == "hidden" for _, toast in rack_toasts(runs))
        # answered: the toasts are back over the runs screen
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="back to the runs")
        await wait_for(pilot, lambda: "not allowed: the run is not running" in screen_text(app),
                       what="the newest toast over the runs again")


async def test_toasts_at_80x24_take_a_bounded_share_and_the_newest_show() -> None:
    async with runs_80x24() as (app, pilot):
        screen = app.screen
        say_all(app)
        await wait_for(pilot, fitted(screen, len(SAID)), what="toasts fitted")
        room = toasts.room(screen)
        assert room == 9  # 40% of 24 rows
        rows = toast_rows(screen)
        assert rows and len(rows) <= room
        # the table's upper rows (where the cursor starts) stay clear
        assert min(rows) >= screen.size.height - 1 - room
        held = rack_toasts(screen)
        assert held[-1][0] and held[-2][0]  # the two newest show
        assert not held[0][0]  # the oldest is put away
        text = screen_text(app)
        assert "not allowed: the run is not running" in text
        assert "mark two runs" not in text
        # compact: no blank lines inside a toast
        assert held[-1][1].region.height == 2  # its title and its one line


async def test_an_older_toast_comes_back_when_a_newer_one_goes() -> None:
    async with runs_80x24() as (app, pilot):
        screen = app.screen
        app.notify("no column 9 at this width", timeout=600)  # 2 rows with its margin
        app.notify("not allowed: the run is not running", title="pause a", timeout=600)  # 3
        app.notify("not allowed: the run is not running", title="pause b", timeout=600)  # 3
        app.notify("refreshing", timeout=0.5)  # 2, newest and soon gone: 10 rows > 9
        await wait_for(pilot, fitted(screen, 4), what="toasts fitted")
        assert [shown for shown, _ in rack_toasts(screen)] == [False, True, True, True]
        assert "no column 9 at this width" not in screen_text(app)
        await wait_for(pilot, lambda: "no column 9 at this width" in screen_text(app),
                       what="the older toast shown again")
        assert "refreshing" not in screen_text(app)


async def test_toasts_at_200x50_are_textuals_own() -> None:
    """Room enough: no limit, every toast shown, with Textual's padding."""
    async with runs_80x24(size=(200, 50)) as (app, pilot):
        screen = app.screen
        say_all(app)
        await wait_for(pilot, fitted(screen, len(SAID)), what="toasts shown")
        assert toasts.room(screen) is None
        held = rack_toasts(screen)
        assert all(shown for shown, _ in held)
        assert held[1][1].region.height == 3  # one line and a blank line above and below


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_no_toast_covers_the_command_palette(size: tuple[int, int]) -> None:
    """Toasts at the bottom right covered the commands being chosen in ctrl+p. While it is
    open the ones up are hidden and new ones wait (listed by M at once); all show when it closes."""
    async with runs_80x24(size=size) as (app, pilot):
        app.notify("refreshing", title="already up", timeout=600)
        await wait_for(pilot, fitted(app.screen, 1), what="a toast on the runs screen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        palette = app.screen
        await pilot.press("w", "o", "r")  # the commands it lists grow down the screen
        app.notify("a run failed", title="said meanwhile", severity="warning", timeout=600)
        await pilot.pause(0.2)
        assert "said meanwhile" in [said.title for said in app.messages]
        for y in range(size[1]):
            for x in range(size[0]):
                widget, _ = palette.get_widget_at(x, y)
                assert not any(type(w).__name__ == "Toast" for w in (widget, *widget.ancestors)), (x, y)
        text = screen_text(app)
        assert "already up" not in text and "said meanwhile" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the palette closed")
        await wait_for(pilot, lambda: all(t in screen_text(app) for t in ("said meanwhile", "already up")),
                       what="both toasts shown")


async def test_a_bulk_confirmation_that_fills_the_screen_leaves_toasts_no_room() -> None:
    async with runs_80x24() as (app, pilot):
        say_all(app)
        items = [f"cancel run {i:02d}-0c9b5ed1-4b1e-4c2d" for i in range(40)]  # more than fit
        app.push_screen(ConfirmScreen("Cancel 40 runs?", items=items))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        confirm = app.screen
        await wait_for(pilot, lambda: len(rack_toasts(confirm)) == len(SAID)
                       and rack_toasts(confirm)[-1][1].region.height > 0, what="toasts laid out")
        await pilot.pause()
        dialog = confirm.query_one("#dialog")
        assert dialog.region.height > 20
        assert not toast_rows(confirm) & set(range(dialog.region.y, dialog.region.bottom))
        assert toasts.room(confirm) == max(0, 24 - 1 - dialog.region.bottom)
        assert "Yes (y)" in screen_text(app)


ASKED = HumanRequest(run_id="394f3b98", profile="wexa-prod", provider="wexa", title="Approve the refund?",
                     fields=({"key": "note", "type": "string", "required": True, "label": "Note"},))
DIALOGS: dict[str, tuple[Callable[[RuntuiApp], Screen[Any]], str]] = {
    "help": (lambda app: HelpScreen(app.screen), "#help-box"),
    "execute": (lambda app: ExecuteScreen(["wexa-prod"]), "#execute-box"),
    "answer": (lambda app: AnswerScreen(ASKED, "wexa-prod 394f3b98"), "#answer-form"),
    "profile form": (lambda app: ProfileFormScreen(), "#form"),
}


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_every_dialog_at_80x24_is_never_under_a_toast(name: str) -> None:
    """The forms and the help: no toast over a field being typed in or a key being read."""
    make, box_id = DIALOGS[name]
    async with runs_80x24() as (app, pilot):
        say_all(app)
        app.push_screen(make(app))
        await wait_for(pilot, lambda: not isinstance(app.screen, RunsScreen), what=name)
        dialog = app.screen
        await wait_for(pilot, lambda: len(rack_toasts(dialog)) == len(SAID)
                       and dialog.query_one(box_id).region.height > 0, what="toasts and the box laid out")
        await wait_for(pilot, fitted(dialog, len(SAID)), what="toasts fitted")
        box = dialog.query_one(box_id).region
        assert box.height > 0
        assert not toast_rows(dialog) & set(range(box.y, box.bottom)), name


async def test_what_a_toast_said_is_listed_by_M_after_it_has_gone() -> None:
    """Put away for lack of room, or gone behind a confirmation: still read with M."""
    async with runs_80x24() as (app, pilot):
        say_all(app)
        await wait_for(pilot, fitted(app.screen, len(SAID)), what="toasts fitted")
        assert not rack_toasts(app.screen)[0][0]  # "mark two runs …" put away at 80x24
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        app.notify("cancel failed: 409 conflict", title="cancel 0c9b5ed1", severity="error", timeout=0.3)
        app.notify("cancel failed: 409 conflict", title="cancel 0c9b5ed1", severity="error")  # said again
        await wait_for(pilot, lambda: not any("409" in n.message for n in app._notifications),
                       what="the toast gone while the question was up")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="back to the runs")
        # Gone from the notifications is not yet gone from the screen: its toast goes at its
        # own timer's next turn, which on a loaded machine came after the list was read.
        await wait_for(pilot, lambda: "409" not in screen_text(app), what="its toast gone too")
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the messages")
        text = screen_text(app)
        assert "mark two runs with space to compare them" in text  # put away, then gone
        assert "no column 9 at this width" in text
        assert text.count("cancel failed: 409 conflict") == 1  # a repeat while it showed: once
        newest, oldest = text.index("cancel failed: 409"), text.index("mark two runs")
        assert newest < oldest
        assert "✘ error" in text and "! warning" in text
        rows = text.splitlines()
        box = app.screen.query_one("#messages-box").region
        assert all(len(row) <= 80 for row in rows) and box.right <= 80
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="closed")


async def test_the_messages_keep_only_the_newest_and_make_server_text_harmless(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toasts, "KEPT", 5)
    async with runs_80x24() as (app, pilot):
        for i in range(7):
            app.notify(f"said {i}", timeout=1)
        app.notify("\x1b[31mred[/] [link=http://x]y[/link]", title="server\x07 [b]bold[/b]")
        said = list(app.messages)
        assert len(said) == 5
        assert said[0].text == "said 3"
        assert "\x1b" not in said[-1].text and "\x07" not in said[-1].title
        assert "[/]" in said[-1].text  # plain text, not markup
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the messages")
        text = screen_text(app)
        assert "[link=http://x]y[/link]" in text and "[b]bold[/b]" in text



async def test_a_toast_raised_while_the_messages_show_joins_them() -> None:
    async with runs_80x24() as (app, pilot):
        app.notify("first word", timeout=1)
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the messages")
        listed = app.screen
        assert isinstance(listed, MessagesScreen) and "Messages (1," in screen_text(app)
        app.notify("a later word", title="refresh", timeout=1)
        await wait_for(pilot, lambda: "Messages (2," in screen_text(app), what="the new one listed")
        assert [said.text for said in listed.said] == ["first word", "a later word"]

async def test_the_messages_scroll_with_the_tables_keys() -> None:
    """Only PgUp/PgDn scrolled a long list: j, k, g and G did nothing."""
    async with runs_80x24() as (app, pilot):
        for i in range(40):
            app.notify(f"word {i}", timeout=1)
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the messages")
        box = app.screen.query_one("#messages-box")
        await wait_for(pilot, lambda: box.max_scroll_y > 0, what="a list taller than its box")
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: box.scroll_y == 2, what="two lines down")
        await pilot.press("G")
        await wait_for(pilot, lambda: box.scroll_y == box.max_scroll_y, what="the oldest")
        await pilot.press("k")
        await wait_for(pilot, lambda: box.scroll_y == box.max_scroll_y - 1, what="one line up")
        await pilot.press("g")
        await wait_for(pilot, lambda: box.scroll_y == 0, what="the newest")


# ---- snapshot -------------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui_clock, "now", lambda: NOW)


def test_snapshot_confirm_over_toasts_80x24(snap_compare: Callable[..., bool], frozen: None) -> None:
    """"Cancel run …?" with four toasts up: the question and y/n whole, the newest toast under it."""
    async def toasts_then_cancel(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, RuntuiApp)
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        say_all(app)
        await wait_for(pilot, fitted(app.screen, len(SAID)), what="toasts on the runs screen")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await wait_for(pilot, fitted(app.screen, len(SAID)), what="toasts fitted under the dialog")

    assert snap_compare(APPS / "runs_app.py", terminal_size=(80, 24), run_before=toasts_then_cancel)
