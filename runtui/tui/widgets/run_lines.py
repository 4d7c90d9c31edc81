"""How the run table draws: column layout, the strips of its lines, and scrolling.

`RunLines` is the line-API half of `RunTable` (run_table.py), which adds the
data API, keys and messages on top. No widget per row and no DataTable: only
the visible lines are ever rendered (from the rows of a `RunView`), and the
strips of the rows drawn recently are cached on the rows themselves.
"""

from __future__ import annotations

import textwrap
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from runtui import display
from runtui.model import Run, Status
from runtui.tui import switch
from runtui.tui.frames import collector_held, release_collector
from runtui.tui.widgets.columns import CELL_TEXT, MARK_WIDTH, Placed, fit, layout, natural_widths
from runtui.tui.widgets.quiet_scroll import scroll_quietly
from runtui.tui.widgets.run_rows import Row
from runtui.tui.widgets.run_view import RunView

__all__ = ["STATUS_CLASSES", "STRIP_CACHE_SIZE", "RunLines"]

STRIP_CACHE_SIZE = 256
"""Rows whose rendered strips are kept: the rows on screen and the last few screens
(only visible rows are ever rendered; a strip is ~0.5 KB at 200 columns)."""

EMPTY_LINES = 4  # lines an empty table's text may take (a bad filter term says what it expects)
AFTER_FRAME = 0.01
"""Seconds between drawing a change and the work it left for later. Textual's writer
thread sends the frame's bytes; work started at once holds the GIL (a collection, a
pass over every row) and the last bytes waited for it."""

STATUS_CLASSES: dict[Status, str] = {s: f"run-table--status-{s.value}" for s in Status}


class RunLines(ScrollView):
    """Renders a `RunView` line by line: the header, then one line per row of its view."""

    def __init__(
        self,
        model: RunView,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._model = model
        self._natural = natural_widths(())
        self._placed: tuple[Placed, ...] = ()
        self._timed: tuple[str, ...] = ()
        self._layout_width = -1  # the columns' width (without the scrollbar)
        self._strip_width = 0  # the strips' width (the content width, scrollbar included)
        self._styles: dict[str, Style] = {}
        self._status_cells: dict[tuple[str, int], str] = {}
        self._header: Strip | None = None
        self._cached: dict[Row, None] = {}
        self._layout_dirty = False
        self._after_frame_timer: Timer | None = None

    # ------------------------------------------------------------------ scrolling

    def _page(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _top(self) -> int:
        return self.scroll_offset.y

    def _is_ready(self) -> bool:
        return self.is_mounted and self.scrollable_content_region.height > 0

    def _scroll_to_cursor(self) -> None:
        page = self._page()
        top = self._top()
        idx = self._model.cursor_idx
        if idx < top:
            self._set_top(idx)
        elif idx >= top + page:
            self._set_top(idx - page + 1)

    def _set_top(self, top: int) -> None:
        """Scroll without `ScrollView.watch_scroll_y` repainting everything: `_commit`
        repaints the lines that differ."""
        self._sync_virtual_size()
        scroll_quietly(self, max(0, min(top, self.max_scroll_y)))

    if switch.private():  # an override of a private method: only while the switch is on

        def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                          layout: bool = True) -> bool:
            """A layout pass that leaves our size alone changes nothing here.

            ScrollView compares the layout's virtual size (the region's) with ours (the
            rows'), finds them different on every layout pass of the screen (a filter
            keystroke lays out the input box), and repaints the scrollbar a frame later:
            the filter key's last bytes came 25-30 ms after its rows, changing nothing.
            """
            if size == self._size and container_size == self.container_size:
                return False
            return super()._size_updated(size, self.virtual_size, container_size, layout)

    def _sync_virtual_size(self) -> None:
        want = Size(max(1, self._layout_width), len(self._model.view) + 1)
        if self.virtual_size == want:
            return
        if not self._is_ready():
            self.virtual_size = want
            return
        if not switch.private():
            self.virtual_size = want
            return
        # Not via the reactive: that asks for a layout, which repaints the whole widget.
        old = self.virtual_size
        self.set_reactive(Widget.virtual_size, want)
        if self._same_bar(old, want):
            # A scrollbar repaint re-renders every line beside it (the table's, at full
            # width): a 50,000-run load grew the table ~30 times with the thumb already
            # one cell at the top, ~30 frames of the whole table for an unchanged bar.
            self.vertical_scrollbar.set_reactive(ScrollBar.window_virtual_size, want.height)
            return
        self._scroll_update(want)

    def _same_bar(self, old: Size, new: Size) -> bool:
        """Whether the vertical scrollbar looks the same with `new` rows as with `old`, with
        nothing else about it changed (shown before and after, same width, same scroll
        position: growing cannot clamp it, shrinking must leave it within the new rows).
        A filter keystroke at 50,000 runs keeps a one-cell thumb where it was, and Textual's
        render of the bar's 47 lines cost 2.5 ms of the key."""
        if new.width != old.width or not self.show_vertical_scrollbar:
            return False
        bar = self.vertical_scrollbar
        window = bar.window_size
        if bar.window_virtual_size != old.height or window <= 0 or min(old.height, new.height) <= window:
            return False
        position = bar.position
        if position > new.height - window:  # the scroll position would be clamped
            return False
        before = ScrollBarRender.render_bar(window, old.height, window, position)
        after = ScrollBarRender.render_bar(window, new.height, window, position)
        return before.segments == after.segments

    # ------------------------------------------------------------------ strip cache and layout

    def _remember(self, rec: Row) -> None:
        """`rec` has a strip now; past STRIP_CACHE_SIZE rows, the longest-cached row that
        is not on screen loses its strips (a row on screen keeps them: `tick` repaints
        only rows that have one)."""
        cached = self._cached
        cached[rec] = None
        if len(cached) <= STRIP_CACHE_SIZE:
            return
        top = self._top()
        on_screen = set(self._model.view[top : top + self._page()])
        for _ in range(len(cached)):
            old = next(iter(cached))
            del cached[old]
            if old not in on_screen:
                old.strip = old.cstrip = None
                old.times = ()
                return
            cached[old] = None  # on screen: to the back of the queue

    def _restyle(self) -> None:
        """Styles may have changed (theme, CSS, focus): drop what a changed style drew.

        Focus only changes the cursor's style: then only the cursor strips go, the
        other rows keep theirs (re-rendering every visible row costs a few ms), and only
        the cursor's line is repainted (when it is on screen).
        """
        old = self._styles
        self._styles = {}
        changed = {name for name, style in old.items() if self._style(name) != style}
        if not changed:
            return
        if changed == {"run-table--cursor"}:
            for rec in self._cached:
                rec.cstrip = None
            cursor_line = self._cursor_line()
            if cursor_line is not None:
                self.refresh(cursor_line)
            return
        self._drop_strips()
        self.refresh()

    def _cursor_line(self) -> Region | None:
        """The cursor row's line on screen (the header is line 0); None when it is not on it."""
        line = self._model.cursor_idx - self._top() + 1
        if self._model.cursor is None or not 1 <= line <= self._page():
            return None
        return Region(0, line, self.size.width, 1)

    def _drop_strips(self) -> None:
        for rec in self._cached:
            rec.strip = rec.cstrip = None
        self._cached.clear()
        self._header = None

    def _ensure_layout(self) -> bool:
        """Lay the columns out again if the width or the natural widths changed.

        Returns True when it did (and asked for a full repaint).
        """
        width = self.scrollable_content_region.width
        strip_width = max(width, self.size.width)
        if width == self._layout_width and strip_width == self._strip_width and not self._layout_dirty:
            return False
        self._layout_dirty = False
        placed = layout(width, self._natural)
        if width == self._layout_width and strip_width == self._strip_width and placed == self._placed:
            return False
        self._layout_width = width
        self._strip_width = strip_width
        self._placed = placed
        self._timed = tuple(p.column.key for p in placed if p.column.timed)
        self._drop_strips()
        if self._is_ready():
            self.set_reactive(Widget.virtual_size, Size(max(1, width), len(self._model.view) + 1))
        self.refresh()
        return True

    # ------------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._ensure_layout()
        if (collector_held() or not self._model.settled) and self._after_frame_timer is None:
            self._after_frame_timer = self.set_timer(AFTER_FRAME, self._after_frame, name="after-frame")
        if switch.private():
            lines = self._plain_lines(crop)
            if lines is not None:
                return lines
        return super().render_lines(crop)

    def _plain_lines(self, crop: Region) -> list[Strip] | None:
        """`crop`'s lines as Textual's styles cache draws them for a plain widget, or None
        when this one is not plain (a border, outline, padding, tint, opacity or hatch).

        The styles cache copies every line it draws into a new strip, so the line filters
        (colours to the theme's, NO_COLOR) meet a new strip each time and never their own
        cache: two strips built per line, ~1.3 ms of every full repaint at 200x50. Here the
        row's cached strip goes to the filters itself, and a row drawn before costs two
        cache lookups. Equal to the styles cache's lines on the Textual versions the
        switch was tested with (tests/tui/test_plain_lines.py)."""
        styles = self.styles
        width = self.region.width
        if (
            self.content_region.size != self.region.size
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or any(edge for edge, _color in styles.outline)
            or (styles.has_rule("hatch") and styles.hatch != "none")
        ):
            return None
        _base, background = self.background_colors
        filters = self.get_line_filters()
        render_line = self.render_line
        strips: list[Strip] = []
        for y in crop.line_range:
            strip = render_line(y)
            if strip.cell_length != width:
                return None
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _after_frame(self) -> None:
        """What a change left for after its frame: the re-sort's leftovers (`RunView.settle`),
        then the collector (`frames.hold_collector`)."""
        self._after_frame_timer = None
        self._model.settle()
        release_collector()

    def render_line(self, y: int) -> Strip:
        if y == 0:
            return self._header_strip()
        view = self._model.view
        if not view:
            if 1 <= y <= EMPTY_LINES:
                return self._empty_strip(y - 1)
            return Strip.blank(self._strip_width, self._style("row"))
        idx = self.scroll_offset.y + y - 1
        if idx >= len(view) or idx < 0:
            return Strip.blank(self._strip_width, self._style("row"))
        rec = view[idx]
        if rec is self._model.cursor:
            strip = rec.cstrip
            if strip is None:
                strip = rec.cstrip = self._render_row(rec, cursor=True)
                self._remember(rec)
        else:
            strip = rec.strip
            if strip is None:
                strip = rec.strip = self._render_row(rec, cursor=False)
                self._remember(rec)
        return strip

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "row":
                style = self.rich_style
            elif name in ("run-table--header", "run-table--cursor", "run-table--empty"):
                style = self.get_component_rich_style(name)
            else:
                style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = style
        return style

    def _fit_status(self, text: str, width: int, run: Run) -> str:
        """Status texts are few and not ASCII (slow to measure): fit each once, in its
        short form where the long one does not fit (`run` has the same text)."""
        key = (text, width)
        cell = self._status_cells.get(key)
        if cell is None:
            if cell_len(text) > width:
                text = display.short_status_text(run)
            cell = self._status_cells[key] = fit(text, width)
        return cell

    def _header_sig(self) -> tuple[Any, ...]:
        return (self._model.sort, self._model.reverse)

    def _empty_text(self) -> str | None:
        if self._model.view:
            return None
        if self._model.rows:
            problems = self._model.filter_problems()
            if problems:  # matching nothing for a typo is not "no failed runs"
                return "bad filter: " + "; ".join(problems)
            return "no runs match the filter"
        return "no runs"

    def _header_strip(self) -> Strip:
        if self._header is not None:
            return self._header
        style = self._style("run-table--header")
        parts = [" " * MARK_WIDTH]
        x = MARK_WIDTH
        for placed in self._placed:
            col = placed.column
            title = col.title
            if col.key == self._model.sort:
                arrow = "▼" if self._model.reverse else "▲"
                # The whole title when it fits with the arrow, else cut without an ellipsis:
                # "DURATIO▼" still reads as DURATION, "DURAT… ▼" did not.
                room = placed.width - 1
                title = (title + " " + arrow if len(title) + 2 <= placed.width
                         else title[:max(0, room)] + arrow)
            parts.append(" " * (placed.x - x))
            parts.append(fit(title, placed.width, col.right))
            x = placed.x + placed.width
        width = self._strip_width
        text = "".join(parts)
        strip = Strip([Segment(text, style)]).crop_extend(0, width, style)
        self._header = strip
        return strip

    def _empty_strip(self, line: int) -> Strip:
        """Line `line` of the empty table's text, wrapped to the width (at 80 columns a
        bad filter term's known values take a second line)."""
        style = self._style("run-table--empty")
        room = max(10, self._strip_width - MARK_WIDTH - 1)
        lines = textwrap.wrap(self._empty_text() or "", room, break_on_hyphens=False)[:EMPTY_LINES]
        text = " " * MARK_WIDTH + (lines[line] if line < len(lines) else "")
        return Strip([Segment(text, style)]).crop_extend(0, self._strip_width, self._style("row"))

    def _render_row(self, rec: Row, *, cursor: bool) -> Strip:
        run = rec.run
        now = self._model.now
        key = rec.key
        marked = key in self._model.marks
        pending = key in self._model.pending
        base = self._style("row")
        if marked:
            base = base + self._style("run-table--marked")
        if cursor:
            base = base + self._style("run-table--cursor")
        watched = key in self._model.watched
        mark = ("*" if marked else "◉" if watched else " ") + ("…" if pending else " ")
        segments: list[Segment] = []
        if pending and not cursor:
            segments.append(Segment(mark, base + self._style("run-table--pending")))
            text_parts: list[str] = []
        else:
            text_parts = [mark]
        x = len(mark)
        times: list[str] = []
        for placed in self._placed:
            col = placed.column
            text = CELL_TEXT[col.key](run, now)
            if col.timed:
                times.append(text)
            gap = " " * (placed.x - x)
            if col.key == "status":
                cell = self._fit_status(text, placed.width, run)
                text_parts.append(gap)
                lead = "".join(text_parts)
                text_parts = []
                if lead.strip():
                    segments.append(Segment(lead, base))
                else:
                    # Blank lead-in takes the status style (only its colour differs,
                    # and spaces show no colour): one style run less per row.
                    cell = lead + cell
                style = base + self._style(STATUS_CLASSES[run.status])
                if cursor:
                    style = style + self._style("run-table--cursor")
                segments.append(Segment(cell, style))
            else:
                text_parts.append(gap)
                text_parts.append(fit(text, placed.width, col.right))
            x = placed.x + placed.width
        width = self._strip_width
        if x < width:
            text_parts.append(" " * (width - x))
        if text_parts:
            segments.append(Segment("".join(text_parts), base))
        if cursor:  # the cursor's colours cover the status colour: one style run
            segments = list(Segment.simplify(segments))
        times_now = tuple(times)
        if times_now != rec.times:
            # the other variant (cursor / not cursor) shows older clock texts
            rec.strip = rec.cstrip = None
            rec.times = times_now
            rec.until = 0.0
        strip = Strip(segments, max(x, width))
        if x > width:
            strip = strip.crop(0, width)
        return strip
