"""The run table: a line-API `ScrollView` for tens of thousands of runs.

`RunTable` is the widget the screens use: its data API, keys, mouse and
messages. What it holds lives in a `RunView` (run_view.py: rows, order,
filters, marks, cursor); how it draws is `RunLines` (run_lines.py: column
layout, strips, scrolling), which it extends.

Repainting
----------
Every public mutator takes a snapshot of the window (the rows on screen, the
cursor row), changes the data, then compares the new window with the
snapshot line by line and refreshes only the lines that differ or whose row
was invalidated. Scrolling done by the table itself goes around
`ScrollView.watch_scroll_y` (which would repaint everything), so a run
inserted above the window moves nothing on screen and repaints nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Self

import msgspec
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.timer import Timer

from runtui import collector, startup
from runtui.engine.store import Delta, Key
from runtui.model import Run, Status
from runtui.tui import clock
from runtui.tui.frames import after_frame, hold_collector, repaint_now
from runtui.tui.widgets.columns import (
    BY_KEY,
    COLUMNS,
    SORT_CYCLE,
    grow_natural,
    natural_widths,
    next_change,
    time_texts,
)
from runtui.tui.widgets.run_lines import EMPTY_LINES, STATUS_CLASSES, RunLines
from runtui.tui.widgets.run_rows import RUN, Row, SearchIndex
from runtui.tui.widgets.run_view import RunView, gc_paused

__all__ = ["COLUMNS", "STATUS_CLASSES", "RunTable"]


INDEX_DELAY = 0.3
"""Quiet seconds (no re-sort, no big delta) before the search index is rebuilt: once
after a burst (e.g. pages of runs loading), not after each change. A filter that needs
the index sooner rebuilds it on the spot."""
STANDING_STEP = 0.02
"""Seconds between building two kept orders (`standing_orders`, ~15 ms each at 50,000
runs): a key pressed meanwhile is handled between them."""
PREFETCH_DELAY = 0.05
"""Seconds after an `s` before the column after it is sorted ahead of time (the frame
showing this sort is out by then; a key pressed meanwhile waits at most one sort)."""


class _Snap(msgspec.Struct, frozen=True):
    top: int
    rows: list[Row]
    cursor: Row | None
    empty: str | None  # the placeholder shown instead of rows, if any
    header: tuple[Any, ...]


class RunTable(RunLines, can_focus=True):
    """A sortable, filterable table of runs, fed whole or by store deltas."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "cursor_first", "First", show=False, id="table.first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "run-table--header",
        "run-table--cursor",
        "run-table--marked",
        "run-table--pending",
        "run-table--empty",
        *STATUS_CLASSES.values(),
    }

    DEFAULT_CSS = """
    RunTable {
        width: 1fr;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;

        & > .run-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .run-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .run-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .run-table--marked { text-style: bold; }
        & > .run-table--pending { color: $text-warning; }
        & > .run-table--empty { color: $text-muted; text-style: italic; }
        & > .run-table--status-queued { color: $text-muted; }
        & > .run-table--status-running { color: $text-primary; }
        & > .run-table--status-paused { color: $text-warning; }
        /* an orchid of its own (paused has the theme's warning colour): a plain ANSI
           magenta turned, under NO_COLOR, into a grey two shades off the background */
        & > .run-table--status-waiting { color: #d77fd7; }
        & > .run-table--status-succeeded { color: $text-success; }
        & > .run-table--status-failed { color: $text-error; }
        & > .run-table--status-cancelled { color: $text-disabled; }
        & > .run-table--status-unknown { }
    }
    """

    class Selected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: RunTable, run: Run) -> None:
            super().__init__()
            self.table = table
            self.run = run

        @property
        def control(self) -> RunTable:
            return self.table

    class CursorMoved(Message):
        """The cursor is on another run (or on none: the view is empty)."""

        def __init__(self, table: RunTable, run: Run | None) -> None:
            super().__init__()
            self.table = table
            self.run = run

        @property
        def control(self) -> RunTable:
            return self.table


    def __init__(
        self,
        runs: Iterable[Run] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        model = RunView(clock.now(), self._schedule_index)
        super().__init__(model, name=name, id=id, classes=classes, disabled=disabled)
        self._index_timer: Timer | None = None
        self._standing_timer: Timer | None = None
        self._focus_moving = False  # between a focus / blur and `_focus_changed` (see `refresh`)
        self._orders_frozen = False  # `collector.freeze_young` done after the first complete orders
        # Until the user places the cursor (a key, a click, a filter, a sort) or the first
        # listing ends (`stop_keeping_top`), the cursor stays on the top row: the pages of
        # several profiles arrive in any order, and the newest run is what a table that
        # just opened is read from. After that the cursor stays on its run (an action
        # key must reach the run the user was looking at).
        self._keep_top = True
        # Told at once when the cursor lands on another run, before the frame: what the
        # owner shows of the cursor run (its greyed-out keys) then joins the table's
        # frame. The CursorMoved message comes after it, a frame or two later.
        self.cursor_listener: Callable[[Run | None], None] | None = None
        # Told at once on Enter, while the key is handled, instead of the Selected message:
        # the detail it opens is up before the keys typed right after Enter are looked up
        # (by a message, they ran on the runs screen first: enter then l opened the log
        # under the detail).
        self.select_listener: Callable[[Run], None] | None = None
        self._prefetch_timer: Timer | None = None
        self._last_tick = 0.0
        if runs:
            self.set_runs(runs)

    # ------------------------------------------------------------------ public: data

    def set_runs(self, runs: Iterable[Run]) -> None:
        """Replace every run. Cursor, marks and pending stay on runs that remain."""
        with gc_paused():
            self._set_runs(runs)
        self._schedule_index()

    def _set_runs(self, runs: Iterable[Run]) -> None:
        snap = self._begin()
        self._model.set_runs(runs, clock.now())
        rows = self._model.rows
        self._cached = {r: None for r in self._cached if r.key in rows}
        self._natural = natural_widths(list(map(RUN, rows.values())))
        self._layout_dirty = True
        self._place_cursor(snap, "reset")
        self._commit(snap)

    def apply_delta(self, delta: Delta) -> None:
        """Merge what the store reports: added, changed (old, new) and removed runs."""
        if not delta:
            return
        snap = self._begin()
        for rec in self._model.apply_delta(delta, clock.now()):
            self._cached.pop(rec, None)
        fresh = [*(new for _, new in delta.changed), *delta.added]
        if fresh and grow_natural(self._natural, fresh):
            self._layout_dirty = True
        at_top = self._keep_top and snap.top == 0 and self._model.cursor_idx == 0
        self._place_cursor(snap, "top" if at_top else "anchor")
        self._commit(snap)

    @property
    def keeps_top(self) -> bool:
        """Runs arriving above the cursor still move it to the top row (see `__init__`)."""
        return self._keep_top

    def stop_keeping_top(self) -> None:
        """From now on the cursor stays on its run when runs arrive above it (see `__init__`)."""
        self._keep_top = False

    def start_as(self, *, sort: str, reverse: bool, active_only: bool, profile: str | None) -> None:
        """Open on the view the operator left (`view_memory`), before the first runs are in:
        unlike the keys, this leaves the cursor keeping to the top while they arrive. An
        unknown column (from an older or newer runtui) keeps the default order."""
        if sort in BY_KEY:
            self._model.sort_by(sort, reverse, clock.now())
        self._model.set_active_only(active_only)
        self._model.set_profile_filter(profile)
        self._header = None

    def set_filter(self, text: str) -> None:
        """Case-insensitive substring over profile, provider, id, workflow, status."""
        self._keep_top = False
        snap = self._begin()
        if self._model.set_filter(text):
            self._place_cursor(snap, "follow")
            self._commit(snap)
            after_frame(self, self._model.prefetch_filter, name="filter-prefetch")  # for the next keystroke

    def set_active_only(self, on: bool) -> None:
        """Show only queued, running, paused and waiting runs."""
        self._keep_top = False
        snap = self._begin()
        if self._model.set_active_only(on):
            self._place_cursor(snap, "follow")
            self._commit(snap)

    def set_profile_filter(self, profile: str | None) -> None:
        """Show one profile's runs (a k9s-like context), or all with None."""
        self._keep_top = False
        snap = self._begin()
        if self._model.set_profile_filter(profile):
            self._place_cursor(snap, "follow")
            self._commit(snap)

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by a column key; `reverse` None keeps the direction if the column is the same,
        else uses the column's natural one (newest / longest / priciest first for times and cost).
        """
        self._keep_top = False
        snap = self._begin()
        if not self._model.sort_by(column, reverse, clock.now()):
            return
        self._header = None
        self._place_cursor(snap, "top")  # a new order is read from its top
        self._commit(snap)
        self._schedule_index()

    def cycle_sort(self) -> None:
        """Sort by the next column shown (the `s` key): a column off screen would sort by
        something the user cannot see, with no arrow to say so.

        The column after it is sorted ahead of time, once this frame is out: pressing
        `s` again (looking for a column) then costs only the frame.
        """
        shown = [p.column.key for p in self._placed] or list(SORT_CYCLE)
        i = shown.index(self._model.sort) if self._model.sort in shown else -1
        self.sort_by(shown[(i + 1) % len(shown)])
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        upcoming = shown[(i + 2) % len(shown)]
        self._prefetch_timer = self.set_timer(PREFETCH_DELAY, lambda: self._prefetch_sort(upcoming),
                                              name="run-table-prefetch")

    def _prefetch_sort(self, column: str) -> None:
        self._prefetch_timer = None
        self._model.prefetch_sort(column, clock.now())

    def sort_by_position(self, position: int) -> bool:
        """Sort by the `position`-th column shown (1-based); again on the same one reverses.
        False when there is no such column."""
        shown = [p.column.key for p in self._placed]
        if not 1 <= position <= len(shown):
            return False
        key = shown[position - 1]
        self.sort_by(key, not self._model.reverse if key == self._model.sort else None)
        return True

    def reverse_sort(self) -> None:
        self.sort_by(self._model.sort, not self._model.reverse)

    def toggle_mark(self) -> None:
        """Mark or unmark the cursor run."""
        snap = self._begin()
        if self._model.toggle_mark():
            self._commit(snap)

    def clear_marks(self) -> None:
        snap = self._begin()
        if self._model.clear_marks():
            self._commit(snap)

    def marked_runs(self, *, visible_only: bool = False) -> list[Run]:
        """Marked runs in display order (also those hidden by a filter unless `visible_only`)."""
        return self._model.marked_runs(visible_only=visible_only)

    def set_pending(self, key: Key, pending: bool) -> None:
        """Show (or clear) the "action under way" mark on a run."""
        snap = self._begin()
        if self._model.set_pending(key, pending):
            self._commit(snap)

    def watch_runs(self, watched: set[Key]) -> None:
        """Share the app's set of watched runs: their rows carry a ◉."""
        self._model.watched = watched

    def restyle(self, key: Key) -> None:
        """Repaint a run's row (its watched marker changed)."""
        snap = self._begin()
        if self._model.restyle(key):
            self._commit(snap)

    def move_cursor_to(self, key: Key) -> None:
        """Put the cursor on a run (if it is in the view) and scroll it into view."""
        rec = self._model.rows.get(key)
        if rec is None:
            return
        idx = self._model.index_of(rec)
        if idx is not None:
            self._move_cursor(idx)

    def tick(self) -> None:
        """Call once a second: repaints only the clock cells whose text changed.

        Only the timed columns' cells are sent to the terminal (a few bytes per
        ticking run), and nothing at all when no visible clock text changed.
        """
        self._model.now = now = clock.now()
        view = self._model.view
        if not self._timed or not view or not self._is_ready():
            return
        if self._ensure_layout():
            return  # the whole widget is repainted anyway
        timed = self._timed
        scroll_x = self.scroll_offset.x
        cells = [(p.x - scroll_x, p.width) for p in self._placed if p.column.timed]
        top = self._top()
        regions: list[Region] = []
        now_ts = now.timestamp()
        if now_ts < self._last_tick:  # the clock went back: every row's `until` is suspect
            for rec in view[top : top + self._page()]:
                rec.until = 0.0
        self._last_tick = now_ts
        for i, rec in enumerate(view[top : top + self._page()]):
            if rec.strip is None and rec.cstrip is None:
                continue  # never painted: nothing on screen to bring up to date
            if now_ts < rec.until:
                continue  # e.g. "5m ago" until its next minute: not even worth comparing
            texts = time_texts(timed, rec.run, now)
            rec.until = next_change(timed, rec.run, now_ts)
            if texts == rec.times:
                continue
            # Only the cells whose text changed go to the terminal: a ticking
            # duration costs its own few bytes, not the row (nor the span between).
            changed = [c for c, old, new in zip(cells, rec.times, texts, strict=False) if old != new]
            if len(rec.times) != len(texts):
                changed = cells
            rec.strip = rec.cstrip = None
            regions.extend(Region(x, i + 1, w, 1) for x, w in changed)
        if regions:
            self.refresh(*regions)

    def clock_moved(self) -> None:
        """A profile's server clock offset changed (`clock.offsets`): every row's clock
        texts are judged again at the next tick."""
        for rec in self._model.view:
            rec.until = 0.0

    def counts(self) -> dict[Status, int]:
        """Runs per status over the filtered view."""
        return self._model.counts()

    # ------------------------------------------------------------------ public: state

    @property
    def cursor_run(self) -> Run | None:
        cursor = self._model.cursor
        return None if cursor is None else cursor.run

    @property
    def cursor_key(self) -> Key | None:
        cursor = self._model.cursor
        return None if cursor is None else cursor.key

    @property
    def marks(self) -> set[Key]:
        """A copy of the marked keys (use toggle_mark / clear_marks to change them)."""
        return set(self._model.marks)

    @property
    def pending(self) -> set[Key]:
        return set(self._model.pending)

    @property
    def visible_count(self) -> int:
        return len(self._model.view)

    @property
    def total_count(self) -> int:
        return len(self._model.rows)

    @property
    def filter_text(self) -> str:
        return self._model.filter_text

    @property
    def active_only(self) -> bool:
        return self._model.active_only

    @property
    def profile_filter(self) -> str | None:
        return self._model.profile

    @property
    def sort_column(self) -> str:
        return self._model.sort

    @property
    def sort_reverse(self) -> bool:
        return self._model.reverse

    @property
    def visible_columns(self) -> tuple[str, ...]:
        """Keys of the columns shown at the current width."""
        return tuple(p.column.key for p in self._placed)

    def on_screen_keys(self) -> list[Key]:
        """Keys of the rows on screen now (what the watchers keep fresh first)."""
        top = self._top()
        return [rec.run.key for rec in self._model.view[top : top + self._page()]]

    def visible_runs(self) -> list[Run]:
        """The filtered, sorted runs (O(n): for tests and exports, not per frame)."""
        return self._model.visible_runs()

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor_up(self) -> None:
        self._move_cursor(self._model.cursor_idx - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._model.cursor_idx + 1)

    def action_cursor_page_up(self) -> None:
        self._move_cursor(self._model.cursor_idx - self._page(), page=-1)

    def action_cursor_page_down(self) -> None:
        self._move_cursor(self._model.cursor_idx + self._page(), page=1)

    def action_cursor_first(self) -> None:
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self._model.view) - 1)

    def action_select(self) -> None:
        if self._model.cursor is None:
            return
        run = self._model.cursor.run
        if self.select_listener is not None:
            self.select_listener(run)
        else:
            self.post_message(self.Selected(self, run))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset
        if y == 0:
            for placed in self._placed:
                if placed.x <= x < placed.x + placed.width:
                    key = placed.column.key
                    model = self._model
                    self.sort_by(key, not model.reverse if key == model.sort else None)
                    break
            event.stop()
            return
        idx = self.scroll_offset.y + y - 1
        if 0 <= idx < len(self._model.view):
            event.stop()
            if idx == self._model.cursor_idx and event.chain >= 2:
                self.action_select()
            else:
                self._move_cursor(idx)

    # ------------------------------------------------------------------ Textual hooks

    def on_mount(self) -> None:
        # (ScrollView.on_mount runs too: Textual calls the handler of every class in the MRO.)
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._sync_virtual_size()
        self._schedule_index()

    def _on_theme_changed(self, _theme: object) -> None:
        self._restyle()

    # (Textual runs Widget's own focus, blur and click handlers after these: no super().)

    def on_focus(self, _event: events.Focus) -> None:
        self._focus_moving = True
        self.call_next(self._focus_changed)

    def on_blur(self, _event: events.Blur) -> None:
        self._focus_moving = True
        self.call_next(self._focus_changed)
        self._schedule_index(soon=True)  # (the focus may be going to a filter box)

    def focus(self, scroll_visible: bool = True) -> Self:
        """Textual's, which for a widget that has the focus already only repaints it whole
        (its `set_focus` then returns at once): a full frame for nothing, e.g. when Escape
        has given the focus back from the filter box and then asks for it again."""
        if self.is_mounted and self.screen.focused is self:
            return self
        return super().focus(scroll_visible)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """As Textual's, except the whole-table repaints a focus change asks for.

        When the focus comes or goes, Textual repaints the widget whole, twice (its focus
        handler, then the restyle of the `:focus` rules). Only the cursor row's style
        depends on the focus here (`.run-table--cursor`): every other line was drawn again
        the same and sent again, a full table (16-17 KB at 200x50, ~10 ms at 50,000 runs)
        for `/` and for the Escape that closes the filter. Such a repaint is narrowed to
        the cursor's line (or the header's when the cursor is off screen: a repaint needs a
        region, and Textual's refresh also drops the widget's cached styles, which
        `_focus_changed` then reads anew to redraw the cursor row, `RunLines._restyle`)."""
        if self._focus_moving and not regions and not layout and not recompose:
            regions = (self._cursor_line() or Region(0, 0, self.size.width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _focus_changed(self) -> None:
        """After Textual's own focus handlers (these run before them): only then is the
        `:focus` style in place. Read earlier, the cursor row took the old focus's
        colours, one change behind (a dimmed cursor in the focused table).

        Textual also repaints a widget's scrollbars whenever it restyles it, though they
        look the same; asked for when their own queue idles, that repaint missed the key's
        frame and came alone a frame later (2 KB, nothing changed). Asked for now, the
        cursor row and the scrollbars join the key's frame."""
        self._focus_moving = False
        self._restyle()
        scrollbars = [bar for shown, bar in ((self.show_vertical_scrollbar, self.vertical_scrollbar),
                                             (self.show_horizontal_scrollbar, self.horizontal_scrollbar))
                      if shown]
        repaint_now(self, *scrollbars)

    def on_resize(self, _event: events.Resize) -> None:
        self._layout_dirty = True
        self.refresh()

    # ------------------------------------------------------------------ search index

    def _schedule_index(self, *, soon: bool = False) -> None:
        """Rebuild the search index (then the kept orders) once changes stop coming (each
        call pushes that back by INDEX_DELAY: not once per page while runs load), or with
        `soon` once the screen is updated (a filter keystroke may be next)."""
        if (self._model.index.valid and self._model.standing.complete) or not self.is_mounted:
            return
        if soon:
            after_frame(self, self._build_index, name="run-table-index-soon")
        elif self._index_timer is None:
            self._index_timer = self.set_timer(INDEX_DELAY, self._on_index_timer, name="run-table-index")
        else:
            self._index_timer.reset()

    def _on_index_timer(self) -> None:
        self._index_timer = None
        self._build_index()

    def _build_index(self) -> None:
        self._model.build_index()
        if not self._model.standing.complete and self._standing_timer is None:
            self._standing_timer = self.set_timer(STANDING_STEP, self._build_standing,
                                                  name="run-table-standing")

    def _build_standing(self) -> None:
        """One kept order per step, until all are built (some may have to wait)."""
        self._standing_timer = None
        if self._index_timer is not None:
            # Changes are still coming (the index timer waits for their quiet, then starts
            # the chain again). Left to run, the chain built an order every STANDING_STEP
            # while each page of a listing dropped them again: one quiet moment in a
            # 50,000-run load, and the table re-sorted its columns to the end of it.
            return
        wait = self._model.build_standing()
        if wait is not None:
            self._standing_timer = self.set_timer(max(STANDING_STEP, wait), self._build_standing,
                                                  name="run-table-standing")
        elif not self._orders_frozen and not startup.gc_paused():
            # Once, after start-up's collection (`RuntuiApp`): the first complete set of
            # orders lives the longest.
            self._orders_frozen = True
            collector.freeze_young()

    @property
    def _index(self) -> SearchIndex:
        """The view's search index (bench/table_micro.py drops and rebuilds it)."""
        return self._model.index

    # ------------------------------------------------------------------ cursor

    def _move_cursor(self, idx: int, page: int = 0) -> None:
        self._keep_top = False
        snap = self._begin()
        if not self._model.move_cursor(idx):
            return
        if page:
            # Keep the cursor on the same screen line, the page moves under it.
            self._set_top(snap.top + page * self._page())
        self._scroll_to_cursor()
        self._commit(snap)

    def _place_cursor(self, snap: _Snap, mode: str) -> None:
        """Find the cursor again after the view changed, and the scroll position.

        * "reset" (set_runs): back to the top unless the cursor run is still there.
        * "anchor" (deltas): the first row on screen stays the first row (when the
          window was scrolled), so runs added or removed above the window move
          nothing on screen; a cursor that was on screen stays on screen; a cursor
          whose run went away stays on the same row number.
        * "follow" (filters): the cursor run keeps its screen line; if it
          was filtered out the cursor goes to the first row.
        * "top" (sort): the cursor goes to the first row, at the top.
        """
        model = self._model
        idx = model.place_cursor(mode)
        self._sync_virtual_size()
        on_screen = snap.cursor is not None and any(r is snap.cursor for r in snap.rows)
        if mode in ("reset", "top"):
            self._set_top(0)
            self._scroll_to_cursor()
        elif mode == "anchor":
            top = snap.top
            if top > 0 and snap.rows:
                anchor = model.index_of(snap.rows[0])
                if anchor is not None:
                    top = anchor
            self._set_top(top)
            if on_screen or snap.cursor is not model.cursor:
                self._scroll_to_cursor()
        else:
            if model.cursor is snap.cursor and on_screen:
                line = next(i for i, r in enumerate(snap.rows) if r is snap.cursor)
                self._set_top(idx - line)
            elif model.cursor is not snap.cursor:
                self._set_top(0)
            self._scroll_to_cursor()

    # ------------------------------------------------------------------ repaint bookkeeping

    def _begin(self) -> _Snap:
        self._model.touched.clear()
        self._model.drawn.clear()
        top = self._top()
        cursor = self._model.cursor
        if not self._is_ready():
            return _Snap(top, [], cursor, self._empty_text(), self._header_sig())
        rows = self._model.view[top : top + self._page()]
        return _Snap(top, rows, cursor, self._empty_text(), self._header_sig())

    def _commit(self, snap: _Snap) -> None:
        """Repaint what the change since `snap` altered; tell of a cursor on another run."""
        moved = self._model.cursor is not snap.cursor
        self._repaint_since(snap)
        if moved:
            if self.cursor_listener is not None:
                # The table's repaint is handed to the screen first: the listener's may
                # start the frame, and the table's lines must be in it.
                repaint_now(self)
                self.cursor_listener(self.cursor_run)
            self.post_message(self.CursorMoved(self, self.cursor_run))

    def _repaint_since(self, snap: _Snap) -> None:
        self._sync_virtual_size()
        model = self._model
        if not self._is_ready():
            self.refresh()
            return
        if self._ensure_layout():
            hold_collector(self)
            return  # the whole widget is repainted
        top = self._top()
        page = self._page()
        new_rows = model.view[top : top + page]
        old_rows = snap.rows
        oc, nc = snap.cursor, model.cursor
        touched = model.touched
        lines: list[int] = []
        if snap.header != self._header_sig():
            self._header = None
            lines.append(0)
        n_old, n_new = len(old_rows), len(new_rows)
        for i in range(max(n_old, n_new)):
            o = old_rows[i] if i < n_old else None
            n = new_rows[i] if i < n_new else None
            if o is not n or (n is not None and (n in touched or (n is oc) != (n is nc))):
                if o is n and n is not None and (n is oc) == (n is nc) and self._draws_as_before(n, n is nc):
                    continue
                lines.append(i + 1)
        if self._empty_text() != snap.empty:
            lines = sorted({*lines, *range(1, EMPTY_LINES + 1)})
        if lines:
            hold_collector(self)
            self.refresh(*_regions(sorted(lines), self.size.width))
        touched.clear()
        model.drawn.clear()

    def _draws_as_before(self, rec: Row, cursor: bool) -> bool:
        """Does a changed row, in the same place, draw the very line it was drawn with?
        (A run can change in ways the table does not show, or change and change back
        between two reads.) The new line is drawn here and kept for the repaint."""
        before = self._model.drawn.get(rec)
        old = None if before is None else before[1 if cursor else 0]
        if old is None:
            return False
        new = self._render_row(rec, cursor=cursor)
        if cursor:
            rec.cstrip = new
        else:
            rec.strip = new
        self._remember(rec)
        return bool(new == old)


def _regions(lines: list[int], width: int) -> list[Region]:
    """Contiguous screen lines as few regions."""
    regions: list[Region] = []
    start = prev = lines[0]
    for y in lines[1:]:
        if y == prev + 1:
            prev = y
            continue
        regions.append(Region(0, start, width, prev - start + 1))
        start = prev = y
    regions.append(Region(0, start, width, prev - start + 1))
    return regions
