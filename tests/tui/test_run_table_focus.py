"""The run table's focus handling: one focus change, one message; the cursor shows focus."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from runtui.model import Status
from runtui.tui.widgets import run_table
from runtui.tui.widgets.run_table import RunTable
from tests.tui.test_run_table import make_run


class FocusApp(App[None]):
    """A run table and a text box; counts the focus messages that reach the app."""

    def __init__(self) -> None:
        super().__init__()
        self.descendant_focus: list[object] = []
        self.descendant_blur: list[object] = []

    def compose(self) -> ComposeResult:
        yield Input(id="other")
        yield RunTable([make_run(i, Status.RUNNING if i % 2 else Status.FAILED) for i in range(5)],
                       id="table")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "table":
            self.descendant_focus.append(event.widget)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id == "table":
            self.descendant_blur.append(event.widget)


async def test_one_focus_change_posts_one_descendant_focus() -> None:
    """RunTable used to call Widget's private focus handler itself, which Textual calls
    too: every focus change of the table reached its parents twice."""
    app = FocusApp()
    async with app.run_test(size=(100, 12)) as pilot:
        app.query_one("#other", Input).focus()
        await pilot.pause()
        app.descendant_focus.clear()
        app.query_one(RunTable).focus()
        await pilot.pause()
        assert len(app.descendant_focus) == 1
        app.query_one("#other", Input).focus()
        await pilot.pause()
        assert len(app.descendant_blur) == 1


async def test_the_cursor_row_follows_focus() -> None:
    """The cursor has one colour focused and another blurred (the table's CSS): the
    cached cursor line must be redrawn on each change."""
    app = FocusApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(RunTable)
        table.focus()
        await pilot.pause()
        focused = table.render_line(1)
        app.query_one("#other", Input).focus()
        await pilot.pause()
        blurred = table.render_line(1)
        assert focused.text == blurred.text
        assert list(focused) != list(blurred)  # same text, other style
        table.focus()
        await pilot.pause()
        assert list(table.render_line(1)) == list(focused)


class TallApp(App[None]):
    """Enough runs for a vertical scrollbar, and a text box to take the focus."""

    def compose(self) -> ComposeResult:
        yield Input(id="other")
        yield RunTable([make_run(i) for i in range(60)], id="table")


async def test_a_focus_change_asks_for_the_scrollbar_repaint_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual repaints the scrollbars on every restyle of the table (each focus change);
    left to their own idle, those repaints came a frame after the key's (a 2 KB write
    that changed nothing). The table asks for them, and for its own (the cursor row's
    colours follow the focus), after Textual's focus handlers."""
    asked: list[object] = []
    monkeypatch.setattr(run_table, "repaint_now", lambda *widgets: asked.extend(widgets))
    app = TallApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(RunTable)
        assert table.show_vertical_scrollbar
        for target in (table, app.query_one("#other", Input), table):
            asked.clear()
            target.focus()
            await pilot.pause()
            assert asked == [table, table.vertical_scrollbar]
