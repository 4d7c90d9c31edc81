"""A table of plain-text rows that draws only the rows on screen (Textual's line API).

DataTable keeps a row object, its cells and their render caches for every row it is
given, and is fed by clearing it and adding every row again: at 100,000 runs the
attention queue holds 10,000-20,000 items, and that rebuild, each second the queue
changed, took most of a core, stalled keys for seconds and kept tens of MB. Here the
owner hands over its own list of rows and a function that gives a row's cells; the
table reads the ~50 rows that show, and after a change repaints only the screen lines
whose text changed (the run table does the same, run_table.py, with far more to it).

A cell is plain text, or a Rich `Text` where its colours say something (a failure in the
workflows view): drawn as DataTable drew it, the cursor row's colour over the cell's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from runtui.tui.widgets.quiet_scroll import scroll_quietly

Cell = str | Text
Cells = Callable[[Any], Sequence[Cell]]
_Drawn = tuple[tuple[object, ...], bool, int]  # a line's cells, whether it is the cursor's, the x scroll


class RowMessage(Message):
    """Something that happened to one row of a `LineTable`."""

    def __init__(self, table: LineTable, row: int) -> None:
        super().__init__()
        self.table = table
        self.row = row

    @property
    def control(self) -> LineTable:
        return self.table


class LineTable(ScrollView, can_focus=True):
    """Rows of plain text or `Text` (server text must be made safe by the owner, e.g.
    `one_line`) under a header, with a row cursor. Line 0 is the header; row `i` is
    drawn on line `i - scroll_y + 1`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-table--header", "line-table--cursor"}
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;  /* as DataTable: a focused table looks so */
            & > .line-table--header { background-tint: $foreground 5%; }
        }
        &:focus > .line-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    class Selected(RowMessage):
        """Enter (or a click on the cursor's row) on a row."""

    class Highlighted(RowMessage):
        """The cursor went to another row (a key, a click, `move_cursor`); not sent when
        `show_rows` puts it where its row went (the owner knows that)."""

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self._rows: Sequence[Any] = ()
        self._cells: Cells = lambda _row: ()
        self._widths = tuple(cell_len(c) for c in self.columns)
        self.cursor_row = 0
        self._drawn: dict[int, _Drawn] = {}  # screen line -> what was last drawn on it

    # ---- data --------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def top(self) -> int:
        """The index of the first row on screen."""
        return self.scroll_offset.y

    def cells_at(self, row: int) -> Sequence[Cell]:
        """Row `row`'s cells, as they are drawn."""
        return self._cells(self._rows[row])

    def show_rows(self, rows: Sequence[Any], cells: Cells, widths: Sequence[int], *,
                  cursor: int, top: int) -> None:
        """Show `rows` (kept, not copied: the owner changes its list, then calls this),
        the cursor on row `cursor`, row `top` first on screen where the cursor allows.
        Only the lines whose text changed are repainted: a change off screen sends nothing."""
        widths = tuple(max(w, cell_len(c)) for w, c in zip(widths, self.columns, strict=True))
        relayout = widths != self._widths
        self._rows, self._cells, self._widths = rows, cells, widths
        self.cursor_row = max(0, min(cursor, len(rows) - 1))
        self._sync_virtual_size()
        self._set_top(top)
        self._scroll_to_cursor()
        if relayout:
            self._drawn.clear()
            self.refresh()
        else:
            self._repaint_changed()

    def move_cursor(self, *, row: int) -> None:
        """The cursor on row `row` (clamped), scrolled into view."""
        before, self.cursor_row = self.cursor_row, max(0, min(row, len(self._rows) - 1))
        self._scroll_to_cursor()
        self._repaint_changed()
        if self.cursor_row != before:
            self.post_message(self.Highlighted(self, self.cursor_row))

    # ---- keys and mouse ----------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_cursor_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.Selected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        row = self.top + offset.y - 1
        if 0 <= row < len(self._rows):
            event.stop()
            if row == self.cursor_row:
                self.action_select_cursor()
            else:
                self.move_cursor(row=row)

    # ---- drawing -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        x, width = self.scroll_offset.x, self.scrollable_content_region.width
        if y == 0:
            header = self.get_component_rich_style("line-table--header")
            return _cropped([Segment(self._header_text(), header)], header, x, width,
                            self._spans(self.columns))
        cells, cursor = self._line(y)
        self._drawn[y] = (_compared(cells), cursor, x)
        style = self.get_component_rich_style("line-table--cursor") if cursor else self.rich_style
        # DataTable's rule: on the cursor row its colour wins over a cell's own (its
        # background does not: no cell has one), bold and underline stay.
        over = Style.from_color(style.color) if cursor else Style.null()
        return _cropped(self._segments(cells, style, over), style, x, width, self._spans(cells))

    def _spans(self, cells: Sequence[Cell]) -> list[tuple[int, int]]:
        """Where each cell's text starts and ends on the line (a column's padding and a
        right-justified cell's lead are not text). A line under the last row has none."""
        spans: list[tuple[int, int]] = []
        start = 0
        for cell, w in zip(cells, self._widths, strict=False):
            length = min(cell_len(cell if isinstance(cell, str) else cell.plain), w)
            lead = w - length if isinstance(cell, Text) and cell.justify == "right" else 0
            spans.append((start + 1 + lead, start + 1 + lead + length))
            start += w + 2
        return spans

    def _line(self, y: int) -> tuple[Sequence[Cell], bool]:
        row = self.top + y - 1
        if not 0 <= row < len(self._rows):
            return (), False
        return self._cells(self._rows[row]), row == self.cursor_row

    def _header_text(self) -> str:
        return "".join(f" {set_cell_size(name, w)} "
                       for name, w in zip(self.columns, self._widths, strict=True))

    def _segments(self, cells: Sequence[Cell], style: Style, over: Style) -> list[Segment]:
        """A row's cells, each padded to its column; plain cells run together in one segment."""
        if not cells:  # a line under the last row
            return []
        segments: list[Segment] = []
        plain: list[str] = []
        for cell, w in zip(cells, self._widths, strict=True):
            if isinstance(cell, str):
                plain.append(f" {set_cell_size(cell, w)} ")
                continue
            fitted = cell.copy()
            fitted.truncate(w)
            if cell.justify == "right":  # left pad in the cell's style, right pad in the row's (DataTable)
                fitted.pad_left(w - cell_len(fitted.plain))
            plain.append(" ")
            segments.append(Segment("".join(plain), style))
            plain = [f"{' ' * (w - cell_len(fitted.plain))} "]
            console = self.app.console
            own = style + console.get_style(cell.style, default=Style.null())  # `render` leaves it out
            segments.extend(Segment(s.text, own + s.style + over if s.style else own + over)
                            for s in fitted.render(console))
        if plain:
            segments.append(Segment("".join(plain), style))
        return segments

    def _repaint_changed(self) -> None:
        """Repaint the screen lines whose text or cursor differs from what they show."""
        if not self.is_mounted:
            return
        x = self.scroll_offset.x
        changed = [y for y in range(1, self._page() + 1) if self._drawn.get(y) != self._now_drawn(y, x)]
        if changed:
            width = self.size.width
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def _now_drawn(self, y: int, x: int) -> _Drawn:
        cells, cursor = self._line(y)
        return _compared(cells), cursor, x

    # ---- scrolling ---------------------------------------------------------------------

    def _page(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _sync_virtual_size(self) -> None:
        """The rows' size. More or fewer rows under a scrollbar that stays repaint only the
        bar: set through the reactive, the new size repainted every line of the table (a
        new item far off screen rewrote the whole screen)."""
        want = Size(sum(w + 2 for w in self._widths), len(self._rows) + 1)
        old = self.virtual_size
        if old == want:
            return
        window = self.scrollable_content_region.height
        if (self.is_mounted and old.width == want.width and self.show_vertical_scrollbar
                and min(old.height, want.height) > window > 0):
            self.set_reactive(Widget.virtual_size, want)
            self.vertical_scrollbar.window_virtual_size = want.height
            return
        self.virtual_size = want

    def _scroll_to_cursor(self) -> None:
        page, top = self._page(), self.top
        if self.cursor_row < top:
            self._set_top(self.cursor_row)
        elif self.cursor_row >= top + page:
            self._set_top(self.cursor_row - page + 1)

    def _set_top(self, top: int) -> None:
        """Scroll without `ScrollView.watch_scroll_y`, which repaints every line:
        `_repaint_changed` repaints the lines that differ."""
        scroll_quietly(self, max(0, min(top, len(self._rows) + 1 - self.scrollable_content_region.height)))


def _cropped(segments: list[Segment], style: Style, x: int, width: int,
             spans: Sequence[tuple[int, int]] = ()) -> Strip:
    """One line, columns `x` to `x + width` (the header and the cursor row reach the
    right edge in `style`, as DataTable's did). A cell's text (`spans`: where each starts
    and ends) that an edge cuts shows "…" on that edge, as a cell cut to its column does:
    "3 faile" at the right edge of 80 columns read as a word, and nothing said more of it
    was to the right."""
    shown = Strip(segments).crop_extend(x, x + width, style)
    if width < 3:
        return shown
    end = x + width
    cut_left = x > 0 and any(a < x < b for a, b in spans)
    cut_right = any(a < end < b for a, b in spans)
    if not (cut_left or cut_right):
        return shown
    middle = shown.crop(1 if cut_left else 0, width - 1 if cut_right else width)
    parts = [middle]
    if cut_left:
        parts.insert(0, _ellipsis(shown, 0, style))
    if cut_right:
        parts.append(_ellipsis(shown, width - 1, style))
    return Strip.join(parts)


def _ellipsis(line: Strip, column: int, style: Style) -> Strip:
    """"…" in the style `line` has at `column` (the cursor row's colour stays)."""
    styles = [segment.style for segment in line.crop(column, column + 1)]
    return Strip([Segment("…", styles[0] if styles and styles[0] else style)])


def _compared(cells: Sequence[Cell]) -> tuple[object, ...]:
    """What a line's cells are compared by to know it changed: a `Text`'s own `==` looks
    at its words and spans, not at its style or justification."""
    return tuple(c if isinstance(c, str) else (c.plain, c.style, c.justify, tuple(c.spans)) for c in cells)
