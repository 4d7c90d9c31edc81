"""The plain-text table of the workflows view and the attention queue, in a tiny app."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from runtui.tui.widgets.line_table import LineTable

COLUMNS = ("NAME", "FLAGS")
ROWS = [("short", "3 failed in a row"), ("other", "ok"), ("third", "")]


class TableApp(App[None]):
    CSS = "LineTable { width: 20; height: 6; scrollbar-size: 0 0; }"

    def compose(self) -> ComposeResult:
        yield LineTable(COLUMNS)


def line_text(table: LineTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def shown(app: App[None], pilot: Pilot[None]) -> LineTable:
    """The app's table, showing ROWS (the cursor on the last row, off the lines tested)."""
    await pilot.pause()
    table = app.query_one(LineTable)
    table.show_rows(ROWS, lambda row: row, (5, 17), cursor=2, top=0)
    await pilot.pause()
    return table


async def scrolled(table: LineTable, pilot: Pilot[None], x: int) -> None:
    table.scroll_to(x=x, animate=False, immediate=True)
    await pilot.pause()


async def test_a_cell_an_edge_cuts_shows_an_ellipsis_there() -> None:
    """20 columns of a 26-column line: the first row's FLAGS text runs past the right edge
    and ends in "…", not in a cut word. A cell that ends before the edge, the header, and
    a cell cut on the left once scrolled right are each drawn as they should be."""
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = await shown(app, pilot)
        assert line_text(table, 0) == " NAME   FLAGS       "
        assert line_text(table, 1) == " short  3 failed in…"
        assert line_text(table, 2) == " other  ok          "
        await scrolled(table, pilot, 3)
        assert line_text(table, 1) == "…rt  3 failed in a …"
        assert line_text(table, 2) == "…er  ok             "


class NarrowApp(TableApp):
    CSS = "LineTable { width: 12; height: 6; scrollbar-size: 0 0; }"


async def test_the_right_edge_cut_is_marked_whatever_the_left_edge_cuts() -> None:
    """12 columns of the 26-column line, scrolled: the right edge cuts the FLAGS text
    whether the left edge falls in the gap before it or in the same cell's text."""
    app = NarrowApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = await shown(app, pilot)
        await scrolled(table, pilot, 6)
        assert line_text(table, 1) == "  3 failed …"  # the left edge in the gap: no "…" there
        await scrolled(table, pilot, 9)
        assert line_text(table, 1) == "…failed in …"  # one cell cut by both edges
