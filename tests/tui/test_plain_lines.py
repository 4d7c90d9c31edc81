"""The run table's own line drawing (`RunLines._plain_lines`) against Textual's styles cache.

With the switch on, the table hands its cached row strips to the line filters itself
instead of going through Textual's styles cache (which copies every line into a new
strip). What reaches the compositor must be exactly what the styles cache would have
drawn, in every state the table can be in; a widget that is not plain (padding, tint,
opacity) is left to the styles cache.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.filter import Monochrome
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from runtui.model import Status
from runtui.tui import switch
from runtui.tui.widgets.run_table import RunTable
from tests.tui.test_run_table import Clock, clock, make_run  # noqa: F401  (the clock fixture)

pytestmark = pytest.mark.skipif(not switch.private(), reason="the table's own drawing is a private path")


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RunTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(RunTable)
        statuses = [Status.RUNNING, Status.FAILED, Status.SUCCEEDED, Status.WAITING, Status.QUEUED]
        table.set_runs([make_run(i, statuses[i % len(statuses)]) for i in range(120)])
        table.focus()


def stock_lines(table: RunTable, crop: Region) -> list[Strip]:
    """What Textual's styles cache draws (every line marked dirty first, so none is reused)."""
    table.refresh()
    return Widget.render_lines(table, crop)


def same(ours: list[Strip] | None, theirs: list[Strip]) -> bool:
    assert ours is not None, "the table should draw its own lines here"
    return [list(s) for s in ours] == [list(s) for s in theirs] and [
        s.cell_length for s in ours
    ] == [s.cell_length for s in theirs]


async def test_lines_equal_the_styles_cache_in_every_state() -> None:
    async with TableApp().run_test(size=(140, 30)) as pilot:
        table = pilot.app.query_one(RunTable)
        await pilot.pause()
        whole = Region(0, 0, table.size.width, table.size.height)
        assert same(table._plain_lines(whole), stock_lines(table, whole))

        await pilot.press("down", "down", "space", "down")  # a marked row, the cursor below it
        assert same(table._plain_lines(whole), stock_lines(table, whole))

        await pilot.press("pagedown")  # rows never drawn before
        assert same(table._plain_lines(whole), stock_lines(table, whole))

        part = Region(5, 3, 40, 6)  # a partial update: some columns of some lines
        assert same(table._plain_lines(part), stock_lines(table, part))

        table.blur()  # the cursor's unfocused colours
        await pilot.pause()
        assert same(table._plain_lines(whole), stock_lines(table, whole))

        pilot.app.theme = "textual-light"  # another theme: new colours, a new ANSI filter
        await pilot.pause()
        assert same(table._plain_lines(whole), stock_lines(table, whole))


async def test_lines_equal_the_styles_cache_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with TableApp().run_test(size=(100, 20)) as pilot:
        table = pilot.app.query_one(RunTable)
        await pilot.pause()
        assert any(isinstance(f, Monochrome) for f in table.get_line_filters())
        whole = Region(0, 0, table.size.width, table.size.height)
        assert same(table._plain_lines(whole), stock_lines(table, whole))


async def test_a_row_drawn_before_costs_no_new_strip() -> None:
    async with TableApp().run_test(size=(100, 20)) as pilot:
        table = pilot.app.query_one(RunTable)
        await pilot.pause()
        whole = Region(0, 0, table.size.width, table.size.height)
        first = table._plain_lines(whole)
        again = table._plain_lines(whole)
        assert first is not None and again is not None
        # the row's strip and its filtered copy are both reused: nothing built for them
        assert all(a is b for a, b in zip(first[1:], again[1:], strict=True))


@pytest.mark.parametrize("css", ["padding: 0 1;", "tint: red 20%;", "opacity: 50%;", "outline: solid red;"])
async def test_a_table_that_is_not_plain_is_left_to_the_styles_cache(css: str) -> None:
    async with TableApp().run_test(size=(100, 20)) as pilot:
        table = pilot.app.query_one(RunTable)
        table.set_styles(css)
        await pilot.pause()
        whole = Region(0, 0, table.size.width, table.size.height)
        assert table._plain_lines(whole) is None
        ours = table.render_lines(whole)
        assert [list(s) for s in ours] == [list(s) for s in stock_lines(table, whole)]
