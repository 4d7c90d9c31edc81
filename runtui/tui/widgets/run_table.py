"""The run table: a line-API `ScrollView` for tens of thousands of runs.

No widget per row and no DataTable: the runs live in plain lists, only the
visible lines are ever rendered, the strips of the rows drawn recently are
cached, and every change repaints only the screen lines whose content actually
changed.

Data layout
-----------
* `_rows`    key -> `Row` (the run plus everything derived from it), in
             arrival order; each row's `seq` numbers that order
* `_order`   every row in display order (current sort column and direction)
* `_view`    the rows that pass the filters, a subsequence of `_order`
             (the very same list object when no filter is set)
* `_index`   what the filters read, in flat arrays parallel to `_order`
             (see `run_rows.SearchIndex`): a filter keystroke never visits
             the rows themselves

Each `Row` stores `p`, its primary sort value for the current column, so a
row can be found in `_order`/`_view` by bisection (order: `p` in the sort
direction, ties in arrival order, `seq`) and moved in O(log n) plus a memmove.
Full sorts walk the rows in arrival order, which is also their order in
memory: at 50k rows that is ~3x faster than walking them in any other order.

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

import gc
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress, repeat
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from runtui.engine.store import Delta, Key
from runtui.model import Run, Status
from runtui.tui.widgets.columns import (
    BY_KEY,
    CELL_TEXT,
    COLUMNS,
    MARK_WIDTH,
    SORT_CYCLE,
    Placed,
    fit,
    grow_natural,
    layout,
    natural_widths,
    sort_key_fn,
    time_texts,
)
from runtui.tui.widgets.run_rows import (
    ACTIVE_BY_INDEX,
    P_OF,
    RUN,
    SI_OF,
    STATUSES,
    Row,
    SearchIndex,
)

__all__ = ["RunTable", "clock"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


clock: Callable[[], datetime] = _utcnow
"""Where the table reads the time; tests replace it to freeze relative times."""

STRIP_CACHE_SIZE = 256
"""Rows whose rendered strips are kept: the rows on screen and the last few screens
(only visible rows are ever rendered; a strip is ~0.5 KB at 200 columns)."""

INDEX_DELAY = 0.3
"""Quiet seconds (no re-sort, no big delta) before the search index is rebuilt: once
after a burst (e.g. pages of runs loading), not after each change. A filter that needs
the index sooner rebuilds it on the spot."""

INDEX_EDITS = 32
"""A delta moving more rows than this drops the search index (rebuilt later, see
INDEX_DELAY) instead of editing it row by row: each edit is a memmove of the index."""

STATUS_CLASSES: dict[Status, str] = {s: f"run-table--status-{s.value}" for s in Status}

_Move = tuple[Row, Any, bool, int]  # row, its new sort value, was in view, old status index


@dataclass(frozen=True)
class _Snap:
    top: int
    rows: list[Row]
    cursor: Row | None
    empty: str | None  # the placeholder shown instead of rows, if any
    header: tuple[Any, ...]


class RunTable(ScrollView, can_focus=True):
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
        & > .run-table--status-waiting { color: ansi_bright_magenta; }
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
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._rows: dict[Key, Row] = {}
        self._seq = 0  # the next row's arrival number
        self._order: list[Row] = []
        self._view: list[Row] = self._order
        self._counts: Counter[int] | None = Counter()  # per status index over the view; None: recount
        self._all_counts: Counter[int] = Counter()  # per status index over every run
        self._sort = "created"
        self._reverse = True
        self._key_fn: Callable[[Run], Any] = sort_key_fn(self._sort, _utcnow())
        self._filter_text = ""
        self._needle = ""
        self._active_only = False
        self._profile: str | None = None
        self._index = SearchIndex()
        self._index_timer: Timer | None = None
        self._marks: set[Key] = set()
        self._pending: set[Key] = set()
        self._cursor: Row | None = None
        self._cursor_idx = 0
        self._now = clock()
        self._natural = natural_widths(())
        self._placed: tuple[Placed, ...] = ()
        self._timed: tuple[str, ...] = ()
        self._layout_width = -1  # the columns' width (without the scrollbar)
        self._strip_width = 0  # the strips' width (the content width, scrollbar included)
        self._styles: dict[str, Style] = {}
        self._status_cells: dict[tuple[str, int], str] = {}
        self._header: Strip | None = None
        self._cached: dict[Row, None] = {}
        self._touched: set[Row] = set()
        self._layout_dirty = False
        if runs:
            self.set_runs(runs)

    # ------------------------------------------------------------------ public: data

    def set_runs(self, runs: Iterable[Run]) -> None:
        """Replace every run. Cursor, marks and pending stay on runs that remain."""
        with _gc_paused():
            self._set_runs(runs)
        self._schedule_index()

    def _set_runs(self, runs: Iterable[Run]) -> None:
        snap = self._begin()
        self._now = clock()
        old_rows = self._rows
        rows: dict[Key, Row] = {}
        for run in runs:
            rec = old_rows.get((run.profile, run.id))
            if rec is None:
                rec = Row(run, self._index)
            elif rec.run is not run:
                rec.set_run(run, self._index)
                self._invalidate(rec)
            rows[rec.key] = rec
        for seq, rec in enumerate(rows.values()):
            rec.seq = seq
        self._seq = len(rows)
        self._rows = rows
        if self._cursor is not None and self._cursor.key not in rows:
            self._cursor = None
        self._marks.intersection_update(rows)
        self._pending.intersection_update(rows)
        self._cached = {r: None for r in self._cached if r.key in rows}
        self._all_counts = Counter(map(SI_OF, rows.values()))
        self._natural = natural_widths(list(map(RUN, rows.values())))
        self._layout_dirty = True
        self._key_fn = sort_key_fn(self._sort, self._now)
        self._resort()
        self._place_cursor(snap, "reset")
        self._commit(snap)

    def apply_delta(self, delta: Delta) -> None:
        """Merge what the store reports: added, changed (old, new) and removed runs."""
        if not delta:
            return
        snap = self._begin()
        self._now = clock()
        rows = self._rows
        in_view = self._passes
        gone: list[Row] = []
        for run in delta.removed:
            rec = rows.pop(run.key, None)
            if rec is not None:
                gone.append(rec)
                self._all_counts[rec.si] -= 1
                self._marks.discard(rec.key)
                self._pending.discard(rec.key)
                self._cached.pop(rec, None)
        # First sight of each touched row in this delta: its old sort value, membership, status, codes.
        before: dict[Row, tuple[Any, bool, int, bytes]] = {}
        added: dict[Row, None] = {}
        fresh: list[Run] = []
        index = self._index
        for run in (*(new for _, new in delta.changed), *delta.added):
            rec = rows.get(run.key)
            if rec is None:
                rec = Row(run, index)
                rec.seq = self._seq
                self._seq += 1
                rows[rec.key] = rec
                added[rec] = None
                self._all_counts[rec.si] += 1
            elif rec not in added and rec not in before:
                before[rec] = (rec.p, in_view(rec), rec.si, rec.cb)
            if rec.run is not run:
                self._all_counts[rec.si] -= 1
                rec.set_run(run, index)
                self._all_counts[rec.si] += 1
                self._invalidate(rec)
            fresh.append(run)
        if fresh and grow_natural(self._natural, fresh):
            self._layout_dirty = True

        key_fn = self._key_fn
        moved: list[_Move] = []
        recoded: list[Row] = []  # staying where they are, with new search codes
        counts = self._counts
        for rec, (old_p, was_in, old_si, old_cb) in before.items():
            new_p = key_fn(rec.run)
            now_in = in_view(rec)
            if new_p != old_p or was_in != now_in:
                # rec.p stays old_p (its place in the lists) until the row is moved
                moved.append((rec, new_p, was_in, old_si))
                continue
            if old_cb != rec.cb:
                recoded.append(rec)
            if now_in and old_si != rec.si and counts is not None:
                counts[old_si] -= 1
                counts[rec.si] += 1

        work = len(gone) + len(moved) + len(added)
        if work > max(64, len(self._order) // 100):
            with _gc_paused():
                self._bulk(gone, moved, list(added))
        else:
            self._incremental(gone, moved, list(added), recoded)
        self._place_cursor(snap, "anchor")
        self._commit(snap)

    def set_filter(self, text: str) -> None:
        """Case-insensitive substring over profile, provider, id, workflow, status."""
        needle = text.strip().lower()
        self._filter_text = text
        if needle == self._needle:
            return
        snap = self._begin()
        self._needle = needle
        self._refilter()
        self._place_cursor(snap, "follow")
        self._commit(snap)

    def set_active_only(self, on: bool) -> None:
        """Show only queued, running, paused and waiting runs."""
        if on == self._active_only:
            return
        snap = self._begin()
        self._active_only = on
        self._refilter()
        self._place_cursor(snap, "follow")
        self._commit(snap)

    def set_profile_filter(self, profile: str | None) -> None:
        """Show one profile's runs (a k9s-like context), or all with None."""
        if profile == self._profile:
            return
        snap = self._begin()
        self._profile = profile
        self._refilter()
        self._place_cursor(snap, "follow")
        self._commit(snap)

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by a column key; `reverse` None keeps the direction if the column is the same,
        else uses the column's natural one (newest / longest / priciest first for times and cost).
        """
        if column not in BY_KEY:
            raise ValueError(f"unknown column {column!r}")
        if reverse is None:
            reverse = self._reverse if column == self._sort else column in _DESCENDING
        if column == self._sort and reverse == self._reverse:
            return
        snap = self._begin()
        self._now = clock()
        self._sort = column
        self._reverse = reverse
        self._key_fn = sort_key_fn(column, self._now)
        self._resort()
        self._header = None
        self._place_cursor(snap, "follow")
        self._commit(snap)
        self._schedule_index()

    def cycle_sort(self) -> None:
        """Sort by the next column (the `s` key)."""
        i = SORT_CYCLE.index(self._sort)
        self.sort_by(SORT_CYCLE[(i + 1) % len(SORT_CYCLE)])

    def toggle_mark(self) -> None:
        """Mark or unmark the cursor run."""
        rec = self._cursor
        if rec is None:
            return
        snap = self._begin()
        if rec.key in self._marks:
            self._marks.discard(rec.key)
        else:
            self._marks.add(rec.key)
        self._invalidate(rec)
        self._commit(snap)

    def clear_marks(self) -> None:
        if not self._marks:
            return
        snap = self._begin()
        for key in self._marks:
            rec = self._rows.get(key)
            if rec is not None:
                self._invalidate(rec)
        self._marks.clear()
        self._commit(snap)

    def marked_runs(self, *, visible_only: bool = False) -> list[Run]:
        """Marked runs in display order (also those hidden by a filter unless `visible_only`)."""
        if not self._marks:
            return []
        marks = self._marks
        source = self._view if visible_only else self._order
        return [rec.run for rec in source if rec.key in marks]

    def set_pending(self, key: Key, pending: bool) -> None:
        """Show (or clear) the "action under way" mark on a run."""
        if pending == (key in self._pending):
            return
        rec = self._rows.get(key)
        if rec is None:
            return
        snap = self._begin()
        if pending:
            self._pending.add(key)
        else:
            self._pending.discard(key)
        self._invalidate(rec)
        self._commit(snap)

    def move_cursor_to(self, key: Key) -> None:
        """Put the cursor on a run (if it is in the view) and scroll it into view."""
        rec = self._rows.get(key)
        if rec is None:
            return
        idx = self._index_of(rec)
        if idx is not None:
            self._move_cursor(idx)

    def tick(self) -> None:
        """Call once a second: repaints only the clock cells whose text changed.

        Only the timed columns' cells are sent to the terminal (a few bytes per
        ticking run), and nothing at all when no visible clock text changed.
        """
        self._now = now = clock()
        if not self._timed or not self._view or not self._is_ready():
            return
        if self._ensure_layout():
            return  # the whole widget is repainted anyway
        timed = self._timed
        scroll_x = self.scroll_offset.x
        cells = [(p.x - scroll_x, p.width) for p in self._placed if p.column.timed]
        top = self._top()
        regions: list[Region] = []
        for i, rec in enumerate(self._view[top : top + self._page()]):
            if rec.strip is None and rec.cstrip is None:
                continue  # never painted: nothing on screen to bring up to date
            texts = time_texts(timed, rec.run, now)
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

    def counts(self) -> dict[Status, int]:
        """Runs per status over the filtered view."""
        if self._counts is None:
            self._counts = Counter(map(SI_OF, self._view))
        return {STATUSES[si]: n for si, n in sorted(self._counts.items()) if n > 0}

    # ------------------------------------------------------------------ public: state

    @property
    def cursor_run(self) -> Run | None:
        return None if self._cursor is None else self._cursor.run

    @property
    def cursor_key(self) -> Key | None:
        return None if self._cursor is None else self._cursor.key

    @property
    def marks(self) -> set[Key]:
        """A copy of the marked keys (use toggle_mark / clear_marks to change them)."""
        return set(self._marks)

    @property
    def pending(self) -> set[Key]:
        return set(self._pending)

    @property
    def visible_count(self) -> int:
        return len(self._view)

    @property
    def total_count(self) -> int:
        return len(self._rows)

    @property
    def filter_text(self) -> str:
        return self._filter_text

    @property
    def active_only(self) -> bool:
        return self._active_only

    @property
    def profile_filter(self) -> str | None:
        return self._profile

    @property
    def sort_column(self) -> str:
        return self._sort

    @property
    def sort_reverse(self) -> bool:
        return self._reverse

    @property
    def visible_columns(self) -> tuple[str, ...]:
        """Keys of the columns shown at the current width."""
        return tuple(p.column.key for p in self._placed)

    def on_screen_keys(self) -> list[Key]:
        """Keys of the rows on screen now (what the watchers keep fresh first)."""
        top = self._top()
        return [rec.run.key for rec in self._view[top : top + self._page()]]

    def visible_runs(self) -> list[Run]:
        """The filtered, sorted runs (O(n): for tests and exports, not per frame)."""
        return [rec.run for rec in self._view]

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor_idx - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor_idx + 1)

    def action_cursor_page_up(self) -> None:
        self._move_cursor(self._cursor_idx - self._page(), page=-1)

    def action_cursor_page_down(self) -> None:
        self._move_cursor(self._cursor_idx + self._page(), page=1)

    def action_cursor_first(self) -> None:
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self._view) - 1)

    def action_select(self) -> None:
        if self._cursor is not None:
            self.post_message(self.Selected(self, self._cursor.run))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset
        if y == 0:
            for placed in self._placed:
                if placed.x <= x < placed.x + placed.width:
                    key = placed.column.key
                    self.sort_by(key, not self._reverse if key == self._sort else None)
                    break
            event.stop()
            return
        idx = self.scroll_offset.y + y - 1
        if 0 <= idx < len(self._view):
            event.stop()
            if idx == self._cursor_idx and event.chain >= 2:
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

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._restyle()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._restyle()
        self._schedule_index(soon=True)  # (the focus may be going to a filter box)

    def _on_resize(self, event: events.Resize) -> None:
        self._layout_dirty = True
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._ensure_layout()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if y == 0:
            return self._header_strip()
        view = self._view
        if not view:
            if y == 1:
                return self._empty_strip()
            return Strip.blank(self._strip_width, self._style("row"))
        idx = self.scroll_offset.y + y - 1
        if idx >= len(view) or idx < 0:
            return Strip.blank(self._strip_width, self._style("row"))
        rec = view[idx]
        if rec is self._cursor:
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

    # ------------------------------------------------------------------ ordering and filtering

    def _resort(self) -> None:
        rows = list(self._rows.values())  # arrival order: ties stay in it (the sort is stable)
        # rec.p = key_fn(rec.run) for every row, without a Python-level loop
        deque(map(setattr, rows, repeat("p"), map(self._key_fn, map(RUN, rows))), maxlen=0)
        self._order = sorted(rows, key=P_OF, reverse=self._reverse)
        self._reindex()

    def _reindex(self) -> None:
        """`_order` was rebuilt: so is the view; the search index is, now if a filter
        needs it, else later (the caller calls `_schedule_index`)."""
        self._index.invalidate()
        self._refilter()

    def _schedule_index(self, *, soon: bool = False) -> None:
        """Rebuild the search index once changes stop coming (each call pushes that back
        by INDEX_DELAY: not once per page while runs load), or with `soon` once the screen
        is updated (a filter keystroke may be next)."""
        if self._index.valid or not self.is_mounted:
            return
        if soon:
            self.call_after_refresh(self._build_index)
        elif self._index_timer is None:
            self._index_timer = self.set_timer(INDEX_DELAY, self._on_index_timer, name="run-table-index")
        else:
            self._index_timer.reset()

    def _on_index_timer(self) -> None:
        self._index_timer = None
        self._build_index()

    def _build_index(self) -> None:
        if not self._index.valid:
            self._index.rebuild(self._order)

    def _filtered(self) -> bool:
        return bool(self._needle or self._active_only or self._profile is not None)

    def _refilter(self) -> None:
        """Rebuild the view (and its counts) from `_order`."""
        if not self._filtered():
            self._view = self._order
            self._counts = Counter(self._all_counts)
            return
        order = self._order
        mask = self._index.select(order, self._needle, self._active_only, self._profile, self._passes)
        self._view = list(compress(order, mask))
        self._counts = self._index.counts(mask)

    def _passes(self, rec: Row) -> bool:
        if self._profile is not None and rec.run.profile != self._profile:
            return False
        if self._active_only and not ACTIVE_BY_INDEX[rec.si]:
            return False
        if self._needle:
            return self._index.matches(rec, self._needle)
        return True

    def _find(self, rows: list[Row], p: Any, seq: int) -> int:
        """Where a row with sort value `p` and arrival number `seq` is (or would go) in `rows`."""
        lo, hi = 0, len(rows)
        rev = self._reverse
        while lo < hi:
            mid = (lo + hi) // 2
            m = rows[mid]
            mp = m.p
            if mp == p:
                before = m.seq < seq
            elif rev:
                before = mp > p
            else:
                before = mp < p
            if before:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _index_of(self, rec: Row) -> int | None:
        view = self._view
        i = self._find(view, rec.p, rec.seq)
        if i < len(view) and view[i] is rec:
            return i
        return None

    def _bulk(self, gone: list[Row], moved: list[_Move], added: list[Row]) -> None:
        """Many changes: rebuild the orders (Timsort on nearly sorted data is quick)."""
        del gone  # already out of _rows
        for rec, new_p, *_ in moved:
            rec.p = new_p
        key_fn = self._key_fn
        for rec in added:
            rec.p = key_fn(rec.run)
        self._order = sorted(self._rows.values(), key=P_OF, reverse=self._reverse)
        self._reindex()
        self._schedule_index()

    def _incremental(
        self, gone: list[Row], moved: list[_Move], added: list[Row], recoded: list[Row]
    ) -> None:
        """Few changes: move rows in `_order`, the view and the index one by one."""
        order, find, index = self._order, self._find, self._index
        if index.valid and len(gone) + len(moved) + len(added) > INDEX_EDITS:
            index.invalidate()
            self._schedule_index()
        filtered = self._view is not order
        view = self._view
        counts = self._counts
        for rec in gone:
            i = find(order, rec.p, rec.seq)
            del order[i]
            index.delete(i)
            if filtered:
                j = find(view, rec.p, rec.seq)
                if j < len(view) and view[j] is rec:
                    del view[j]
                    if counts is not None:
                        counts[rec.si] -= 1
            elif counts is not None:
                counts[rec.si] -= 1
        for rec, new_p, was_in, old_si in moved:
            old_p = rec.p
            i = find(order, old_p, rec.seq)
            del order[i]
            index.delete(i)
            if filtered and was_in:
                del view[find(view, old_p, rec.seq)]
            rec.p = new_p
            i = find(order, new_p, rec.seq)
            order.insert(i, rec)
            index.insert(i, rec)
            now_in = self._passes(rec)
            if filtered and now_in:
                view.insert(find(view, new_p, rec.seq), rec)
            if counts is not None:
                if was_in:
                    counts[old_si] -= 1
                if now_in:
                    counts[rec.si] += 1
        key_fn = self._key_fn
        for rec in added:
            rec.p = key_fn(rec.run)
            i = find(order, rec.p, rec.seq)
            order.insert(i, rec)
            index.insert(i, rec)
            if self._passes(rec):
                if filtered:
                    view.insert(find(view, rec.p, rec.seq), rec)
                if counts is not None:
                    counts[rec.si] += 1
        for rec in recoded:
            index.recode(find(order, rec.p, rec.seq), rec)

    # ------------------------------------------------------------------ cursor and scrolling

    def _page(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _top(self) -> int:
        return self.scroll_offset.y

    def _is_ready(self) -> bool:
        return self.is_mounted and self.scrollable_content_region.height > 0

    def _move_cursor(self, idx: int, page: int = 0) -> None:
        view = self._view
        if not view:
            return
        idx = max(0, min(idx, len(view) - 1))
        old = self._cursor
        if idx == self._cursor_idx and view[idx] is old:
            return
        snap = self._begin()
        self._cursor_idx = idx
        self._cursor = view[idx]
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
        * "follow" (sort, filters): the cursor run keeps its screen line; if it
          was filtered out the cursor goes to the first row.
        """
        view = self._view
        rec = self._cursor
        idx = None if rec is None else self._index_of(rec)
        if idx is None:
            idx = min(self._cursor_idx, len(view) - 1) if mode == "anchor" else 0
            idx = max(0, idx)
        self._cursor_idx = idx
        self._cursor = view[idx] if view else None
        self._sync_virtual_size()
        on_screen = snap.cursor is not None and any(r is snap.cursor for r in snap.rows)
        if mode == "reset":
            self._set_top(0)
            self._scroll_to_cursor()
        elif mode == "anchor":
            top = snap.top
            if top > 0 and snap.rows:
                anchor = self._index_of(snap.rows[0])
                if anchor is not None:
                    top = anchor
            self._set_top(top)
            if on_screen or snap.cursor is not self._cursor:
                self._scroll_to_cursor()
        else:
            if self._cursor is snap.cursor and on_screen:
                line = next(i for i, r in enumerate(snap.rows) if r is snap.cursor)
                self._set_top(idx - line)
            elif self._cursor is not snap.cursor:
                self._set_top(0)
            self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        page = self._page()
        top = self._top()
        idx = self._cursor_idx
        if idx < top:
            self._set_top(idx)
        elif idx >= top + page:
            self._set_top(idx - page + 1)

    def _set_top(self, top: int) -> None:
        """Scroll without `ScrollView.watch_scroll_y` repainting everything: `_commit`
        repaints the lines that differ."""
        self._sync_virtual_size()
        top = max(0, min(top, self.max_scroll_y))
        if top == self.scroll_offset.y:
            return
        self.set_reactive(Widget.scroll_y, float(top))
        self.set_reactive(Widget.scroll_target_y, float(top))
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = top

    def _sync_virtual_size(self) -> None:
        want = Size(max(1, self._layout_width), len(self._view) + 1)
        if self.virtual_size == want:
            return
        if not self._is_ready():
            self.virtual_size = want
            return
        # Not via the reactive: that asks for a layout, which repaints the whole widget.
        self.set_reactive(Widget.virtual_size, want)
        self._scroll_update(want)

    # ------------------------------------------------------------------ repaint bookkeeping

    def _begin(self) -> _Snap:
        self._touched.clear()
        top = self._top()
        if not self._is_ready():
            return _Snap(top, [], self._cursor, self._empty_text(), self._header_sig())
        rows = self._view[top : top + self._page()]
        return _Snap(top, rows, self._cursor, self._empty_text(), self._header_sig())

    def _commit(self, snap: _Snap) -> None:
        self._sync_virtual_size()
        if self._cursor is not snap.cursor:
            self.post_message(self.CursorMoved(self, self.cursor_run))
        if not self._is_ready():
            self.refresh()
            return
        if self._ensure_layout():
            return  # the whole widget is repainted
        top = self._top()
        page = self._page()
        new_rows = self._view[top : top + page]
        old_rows = snap.rows
        oc, nc = snap.cursor, self._cursor
        touched = self._touched
        lines: list[int] = []
        if snap.header != self._header_sig():
            self._header = None
            lines.append(0)
        n_old, n_new = len(old_rows), len(new_rows)
        for i in range(max(n_old, n_new)):
            o = old_rows[i] if i < n_old else None
            n = new_rows[i] if i < n_new else None
            if o is not n or (n is not None and (n in touched or (n is oc) != (n is nc))):
                lines.append(i + 1)
        if self._empty_text() != snap.empty and 1 not in lines:
            lines.append(1)
        if lines:
            self.refresh(*_regions(sorted(lines), self.size.width))
        self._touched.clear()

    def _invalidate(self, rec: Row) -> None:
        rec.strip = None
        rec.cstrip = None
        self._touched.add(rec)

    def _remember(self, rec: Row) -> None:
        """`rec` has a strip now; past STRIP_CACHE_SIZE rows, the longest-cached row that
        is not on screen loses its strips (a row on screen keeps them: `tick` repaints
        only rows that have one)."""
        cached = self._cached
        cached[rec] = None
        if len(cached) <= STRIP_CACHE_SIZE:
            return
        top = self._top()
        bottom = top + self._page()
        for _ in range(len(cached)):
            old = next(iter(cached))
            del cached[old]
            i = self._index_of(old)
            if i is None or not top <= i < bottom:
                old.strip = old.cstrip = None
                old.times = ()
                return
            cached[old] = None  # on screen: to the back of the queue

    def _restyle(self) -> None:
        """Styles may have changed (theme, CSS, focus): drop what a changed style drew.

        Focus only changes the cursor's style: then only the cursor strips go, the
        other rows keep theirs (re-rendering every visible row costs a few ms).
        """
        old = self._styles
        self._styles = {}
        changed = {name for name, style in old.items() if self._style(name) != style}
        if not changed:
            return
        if changed == {"run-table--cursor"}:
            for rec in self._cached:
                rec.cstrip = None
            self.refresh()
            return
        self._drop_strips()
        self.refresh()

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
            self.set_reactive(Widget.virtual_size, Size(max(1, width), len(self._view) + 1))
        self.refresh()
        return True

    # ------------------------------------------------------------------ rendering

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

    def _fit_status(self, text: str, width: int) -> str:
        """Status texts are few and not ASCII (slow to measure): fit each once."""
        key = (text, width)
        cell = self._status_cells.get(key)
        if cell is None:
            cell = self._status_cells[key] = fit(text, width)
        return cell

    def _header_sig(self) -> tuple[Any, ...]:
        return (self._sort, self._reverse)

    def _empty_text(self) -> str | None:
        if self._view:
            return None
        if self._rows:
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
            if col.key == self._sort:
                arrow = " ▼" if self._reverse else " ▲"
                title = fit(title, max(0, placed.width - 2)).rstrip() + arrow
            parts.append(" " * (placed.x - x))
            parts.append(fit(title, placed.width, col.right))
            x = placed.x + placed.width
        width = self._strip_width
        text = "".join(parts)
        strip = Strip([Segment(text, style)]).crop_extend(0, width, style)
        self._header = strip
        return strip

    def _empty_strip(self) -> Strip:
        style = self._style("run-table--empty")
        text = " " * MARK_WIDTH + (self._empty_text() or "")
        return Strip([Segment(text, style)]).crop_extend(0, self._strip_width, self._style("row"))

    def _render_row(self, rec: Row, *, cursor: bool) -> Strip:
        run = rec.run
        now = self._now
        key = rec.key
        marked = key in self._marks
        base = self._style("row")
        if marked:
            base = base + self._style("run-table--marked")
        if cursor:
            base = base + self._style("run-table--cursor")
        mark = ("*" if marked else " ") + ("…" if key in self._pending else " ")
        segments: list[Segment] = []
        if key in self._pending and not cursor:
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
                cell = self._fit_status(text, placed.width)
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
        strip = Strip(segments, max(x, width))
        if x > width:
            strip = strip.crop(0, width)
        return strip


_DESCENDING = frozenset({"created", "duration", "cost", "updated"})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while building tens of thousands of objects at once.

    Each collection triggered mid-build would walk every run in memory; at
    50k runs that was over half of `set_runs`. The objects are collected (or
    not) once, afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


__all__ += ["COLUMNS", "STATUS_CLASSES"]
