"""The run table's view model: its rows in display order, filtered, marked, with a cursor.

Nothing here draws or knows Textual: `RunTable` (run_table.py) takes a snapshot of
the screen, asks its `RunView` for a change, then repaints the lines the change
altered. So every change here only records what it did: the rows whose look
changed (`touched`), and where the cursor went.

Data layout
-----------
* `rows`     key -> `Row` (the run plus everything derived from it), in
             arrival order; each row's `seq` numbers that order
* `_order`   every row in display order (current sort column and direction)
* `view`     the rows that pass the filters, a subsequence of `_order`
             (the very same list object when no filter is set)
* `index`    what the filters read, in flat arrays parallel to `_order`
             (see `run_rows.SearchIndex`): a filter keystroke never visits
             the rows themselves

Each `Row` stores `p`, its primary sort value for the current column, so a
row can be found in `_order`/`view` by bisection (order: `p` in the sort
direction, ties in arrival order, `seq`) and moved in O(log n) plus a memmove.
Full sorts walk the rows in arrival order, which is also their order in
memory: at 50k rows that is ~3x faster than walking them in any other order.
A full sort writes `p` back to the rows later (`settle`, before anything
looks a row up): the frame that shows the new order does not need it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import partial
from itertools import compress, repeat
from typing import TYPE_CHECKING, Any

import msgspec

from runtui import collector
from runtui.engine.store import Delta, Key
from runtui.model import Run, Status
from runtui.tui.widgets.columns import BY_KEY
from runtui.tui.widgets.run_filter import Term
from runtui.tui.widgets.run_filter import parse as parse_filter
from runtui.tui.widgets.run_filter import problems as filter_problems
from runtui.tui.widgets.run_rows import (
    ACTIVE_BY_INDEX,
    RUN,
    SORT_VALUE_OF,
    STATUS_INDEX_OF,
    STATUS_LANE,
    STATUSES,
    Row,
    SearchIndex,
)
from runtui.tui.widgets.sort_values import comparable_sort_values, every_sort_value, sort_key_fn
from runtui.tui.widgets.standing_orders import StandingOrders

if TYPE_CHECKING:
    from textual.strip import Strip

__all__ = ["INDEX_EDITS", "RunView", "gc_paused"]

INDEX_EDITS = 32
"""A delta moving more rows than this drops the search index (rebuilt later, see
run_table.INDEX_DELAY) instead of editing it row by row: each edit is a memmove of the index."""
MERGE_ARRIVALS = 200  # arrivals merged into the order in one pass rather than inserted one by one

_DESCENDING = frozenset({"created", "duration", "cost", "updated"})
_ON_THE_CLOCK = frozenset({"duration"})  # columns whose sort values depend on `now`

_Move = tuple[Row, Any, bool, int]  # row, its new sort value, was in view, old status index


class RunView:
    """The runs as the table shows them: sorted, filtered, marked, with a cursor.

    `schedule_index` is called when a change drops the search index, for the
    owner to rebuild it once changes stop coming (`build_index`).
    """

    def __init__(self, now: datetime, schedule_index: Callable[[], None]) -> None:
        self.rows: dict[Key, Row] = {}
        self._seq = 0  # the next row's arrival number
        self._order: list[Row] = []
        self.view: list[Row] = self._order
        self._counts: Counter[int] | None = Counter()  # per status index over the view; None: recount
        self._all_counts: Counter[int] = Counter()  # per status index over every run
        self.sort = "created"
        self.reverse = True
        self._key_fn: Callable[[Run], Any] = sort_key_fn(self.sort, now)
        self.filter_text = ""
        self._terms: tuple[Term, ...] = ()
        self.active_only = False
        self.profile: str | None = None
        self.index = SearchIndex()
        self._schedule_index = schedule_index
        self.marks: set[Key] = set()
        self.pending: set[Key] = set()
        self.watched: set[Key] = set()  # runs whose end is announced (`w`): the app's set
        self.cursor: Row | None = None
        self.cursor_idx = 0
        self.now = now  # the time relative texts and the duration sort are computed for
        self.touched: set[Row] = set()  # rows whose look changed since the owner last cleared it
        # What touched rows were drawn with before (plain, cursor): a row whose change
        # draws the same line again need not be sent (cleared with `touched`).
        self.drawn: dict[Row, tuple[Strip | None, Strip | None]] = {}
        # Sort values, parallel to `rows` (arrival order), or how to get them (a kept order).
        self._unsettled: list[Any] | Callable[[], list[Any]] | None = None
        self._retired: list[object] = []  # what a re-sort replaced, dropped by `settle`
        self._prefetched: _Prefetched | None = None  # the order the next `s` will likely want
        self.standing = StandingOrders()  # orders kept for the columns a run's values never move in

    # ------------------------------------------------------------------ data

    def set_runs(self, runs: Iterable[Run], now: datetime) -> None:
        """Replace every run. Cursor, marks and pending stay on runs that remain."""
        self._prefetched = None
        self.standing.drop()  # built again once changes stop (`build_standing`)
        self._unsettled = None  # values for the old rows; the re-sort below makes new ones
        self.index.forget_masks()
        self.now = now
        old_rows = self.rows
        rows: dict[Key, Row] = {}
        for run in runs:
            rec = old_rows.get((run.profile, run.id))
            if rec is None:
                rec = Row(run, self.index)
            elif rec.run is not run:
                rec.set_run(run, self.index)
                self.invalidate(rec)
            rows[rec.key] = rec
        for seq, rec in enumerate(rows.values()):
            rec.seq = seq
        self._seq = len(rows)
        self.rows = rows
        if self.cursor is not None and self.cursor.key not in rows:
            self.cursor = None
        self.marks.intersection_update(rows)
        self.pending.intersection_update(rows)
        self._all_counts = Counter(map(STATUS_INDEX_OF, rows.values()))
        self._key_fn = sort_key_fn(self.sort, now)
        self._resort()

    def apply_delta(self, delta: Delta, now: datetime) -> list[Row]:
        """Merge what the store reports: added, changed (old, new) and removed runs.

        Returns the rows that went away (for the owner to forget what it drew for them).
        """
        self.settle()
        self._prefetched = None  # sorted before this change
        self.index.forget_masks()  # a run's fields may change without its codes or place
        self.now = now
        rows = self.rows
        standing_moves = self.standing.take_out(rows, delta.removed, delta.changed)
        in_view = self._passes
        gone: list[Row] = []
        for run in delta.removed:
            rec = rows.pop(run.key, None)
            if rec is not None:
                gone.append(rec)
                self._all_counts[rec.status_index] -= 1
                self.marks.discard(rec.key)
                self.pending.discard(rec.key)
        # First sight of each touched row in this delta: its old sort value, membership, status, codes.
        before: dict[Row, tuple[Any, bool, int, bytes]] = {}
        added: dict[Row, None] = {}
        index = self.index
        for run in (*(new for _, new in delta.changed), *delta.added):
            rec = rows.get(run.key)
            if rec is None:
                rec = Row(run, index)
                rec.seq = self._seq
                self._seq += 1
                rows[rec.key] = rec
                added[rec] = None
                self._all_counts[rec.status_index] += 1
            elif rec not in added and rec not in before:
                before[rec] = (rec.sort_value, in_view(rec), rec.status_index, rec.row_code)
            if rec.run is not run:
                self._all_counts[rec.status_index] -= 1
                rec.set_run(run, index)
                self._all_counts[rec.status_index] += 1
                self.invalidate(rec)

        key_fn = self._key_fn
        moved: list[_Move] = []
        recoded: list[Row] = []  # staying where they are, with new search codes
        counts = self._counts
        for rec, (old_p, was_in, old_si, old_row_code) in before.items():
            new_p = key_fn(rec.run)
            now_in = in_view(rec)
            if new_p != old_p or was_in != now_in:
                # rec.sort_value stays old_p (its place in the lists) until the row is moved
                moved.append((rec, new_p, was_in, old_si))
                continue
            if old_row_code != rec.row_code:
                recoded.append(rec)
            if now_in and old_si != rec.status_index and counts is not None:
                counts[old_si] -= 1
                counts[rec.status_index] += 1

        work = len(gone) + len(moved) + len(added)
        # Re-sorting everything is O(n log n): worth it for over 1% of the rows. Merging
        # arrivals in is O(n), ~7 ms at 100,000 rows, when one insert moves half the
        # list (~30 us there): worth it from a couple of hundred arrivals, whatever n.
        only_arrivals = not gone and not moved
        if work > max(64, len(self._order) // 100) or (only_arrivals and len(added) > MERGE_ARRIVALS):
            with gc_paused():
                self._bulk(gone, moved, list(added))
        else:
            self._incremental(gone, moved, list(added), recoded)
        self.standing.put_back(standing_moves, list(added))
        if not self.standing.complete:
            self._schedule_index()
        return gone

    def set_filter(self, text: str) -> bool:
        """Space-separated terms, all of which must match (run_filter.py): words as
        case-insensitive substrings of profile, provider, id, workflow and status, and
        field terms (`status:`, `profile:`, `wf:`, `since:`).

        False when the view stays the same (only the text kept as typed changed).
        """
        terms = parse_filter(text)
        self.filter_text = text
        if terms == self._terms:
            return False
        self._terms = terms
        self._refilter()
        return True

    def filter_problems(self) -> tuple[str, ...]:
        """What is wrong with the filter's field terms (run_filter.problems), checked
        against every status the runs have had (none known when the index overflowed)."""
        if not self.filter_text:
            return ()
        seen = None if STATUS_LANE in self.index.overflowed else self.index.texts[0]
        return filter_problems(self.filter_text, seen)

    def set_active_only(self, on: bool) -> bool:
        """Show only queued, running, paused and waiting runs (False: already so)."""
        if on == self.active_only:
            return False
        self.active_only = on
        self._refilter()
        return True

    def set_profile_filter(self, profile: str | None) -> bool:
        """Show one profile's runs, or all with None (False: already so)."""
        if profile == self.profile:
            return False
        self.profile = profile
        self._refilter()
        return True

    def sort_by(self, column: str, reverse: bool | None, now: datetime) -> bool:
        """Sort by a column key; `reverse` None keeps the direction if the column is the same,
        else uses the column's natural one (newest / longest / priciest first for times and cost).
        False when that is the order already.
        """
        if column not in BY_KEY:
            raise ValueError(f"unknown column {column!r}")
        if reverse is None:
            reverse = self.reverse if column == self.sort else column in _DESCENDING
        if column == self.sort and reverse == self.reverse:
            return False
        # The same column the other way, by the very same values (a duration's depend on
        # `now`): the order shown, sorted again, is the new one (see `_resort`).
        flip = column == self.sort and (column not in _ON_THE_CLOCK or now == self.now
                                        or not self._any_going())
        self.now = now
        self.sort = column
        self.reverse = reverse
        self._key_fn = sort_key_fn(column, now)
        self._resort(flip=flip)
        return True

    def _any_going(self) -> bool:
        """Is any run still going (its duration grows with `now`)?"""
        return any(n and not STATUSES[si].terminal for si, n in self._all_counts.items())

    def toggle_mark(self) -> bool:
        """Mark or unmark the cursor run (False: no cursor)."""
        rec = self.cursor
        if rec is None:
            return False
        if rec.key in self.marks:
            self.marks.discard(rec.key)
        else:
            self.marks.add(rec.key)
        self.invalidate(rec)
        return True

    def clear_marks(self) -> bool:
        if not self.marks:
            return False
        for key in self.marks:
            rec = self.rows.get(key)
            if rec is not None:
                self.invalidate(rec)
        self.marks.clear()
        return True

    def marked_runs(self, *, visible_only: bool = False) -> list[Run]:
        """Marked runs in display order (also those hidden by a filter unless `visible_only`)."""
        if not self.marks:
            return []
        marks = self.marks
        source = self.view if visible_only else self._order
        return [rec.run for rec in source if rec.key in marks]

    def set_pending(self, key: Key, pending: bool) -> bool:
        """Show (or clear) the "action under way" mark on a run (False: nothing to do)."""
        if pending == (key in self.pending):
            return False
        rec = self.rows.get(key)
        if rec is None:
            return False
        if pending:
            self.pending.add(key)
        else:
            self.pending.discard(key)
        self.invalidate(rec)
        return True

    def restyle(self, key: Key) -> bool:
        """A run's marker (watched) changed outside the view: repaint its row."""
        rec = self.rows.get(key)
        if rec is None:
            return False
        self.invalidate(rec)
        return True

    def invalidate(self, rec: Row) -> None:
        """The row's look may have changed: its strips go, and its line is repainted
        (unless it draws the same as before: `drawn`)."""
        if (rec.strip is not None or rec.cstrip is not None) and rec not in self.drawn:
            self.drawn[rec] = (rec.strip, rec.cstrip)
        rec.strip = None
        rec.cstrip = None
        self.touched.add(rec)

    def counts(self) -> dict[Status, int]:
        """Runs per status over the filtered view."""
        if self._counts is None:
            self._counts = Counter(map(STATUS_INDEX_OF, self.view))
        return {STATUSES[si]: n for si, n in sorted(self._counts.items()) if n > 0}

    def visible_runs(self) -> list[Run]:
        """The filtered, sorted runs (O(n): for tests and exports, not per frame)."""
        return [rec.run for rec in self.view]

    # ------------------------------------------------------------------ cursor

    def move_cursor(self, idx: int) -> bool:
        """Put the cursor on row `idx` of the view (clamped); False when it is there already."""
        view = self.view
        if not view:
            return False
        idx = max(0, min(idx, len(view) - 1))
        if idx == self.cursor_idx and view[idx] is self.cursor:
            return False
        self.cursor_idx = idx
        self.cursor = view[idx]
        return True

    def place_cursor(self, mode: str) -> int:
        """Find the cursor's row again after the view changed; returns its index.

        The cursor stays on its run while that is in the view; else it goes to the
        same row number ("anchor": the run went away) or to the first row.
        (`RunTable._place_cursor` describes the modes.)
        """
        view = self.view
        rec = None if mode == "top" else self.cursor
        idx = None if rec is None else self.index_of(rec)
        if idx is None:
            idx = min(self.cursor_idx, len(view) - 1) if mode == "anchor" else 0
            idx = max(0, idx)
        self.cursor_idx = idx
        self.cursor = view[idx] if view else None
        return idx

    def index_of(self, rec: Row) -> int | None:
        """Where the row is in the view (None: not in it)."""
        self.settle()
        view = self.view
        i = self._find(view, rec.sort_value, rec.seq)
        if i < len(view) and view[i] is rec:
            return i
        return None

    # ------------------------------------------------------------------ ordering and filtering

    def build_index(self) -> None:
        """Rebuild the search index if a change dropped it (and settle the sort values)."""
        self.settle()
        if not self.index.valid:
            self.index.rebuild(self._order)

    def _resort(self, *, flip: bool = False) -> None:
        """Sort `_order` again for `sort` and `reverse`.

        `flip`: only the direction changed, and every row's sort value stays. Sorting the
        order shown then gives exactly what sorting the rows in arrival order gives (ties
        are in arrival order in both, and the sort keeps them so), and Timsort takes an
        order that runs the other way in one pass: a reversal of 50,000 runs by id costs
        ~3 ms instead of ~20.
        """
        # The lists the new order replaces are let go later too (`settle`): dropping
        # 50,000 references touches 50,000 objects (~0.5 ms at 50k).
        shown = self._order
        self._retired.extend((shown, self.view))
        ready, self._prefetched = self._prefetched, None
        if ready is not None and (ready.column, ready.reverse) != (self.sort, self.reverse):
            ready = None
        kept = None if flip or ready is not None else self.standing.ready(self.sort, self.reverse, self.now)
        keys: list[Any] | Callable[[], list[Any]] | None
        if ready is not None:
            self._key_fn, self.now = ready.key_fn, ready.now
            keys, self._order = ready.keys, ready.order
        elif kept is not None:
            # The values are read later, with the rows' (`settle`), off the frame's path.
            keys = partial(self._sort_values, self.sort, self._key_fn, self.now, comparable=True)
            self._order = kept
        elif flip:
            self.settle()  # (done after the frame of the last sort, unless keys came faster)
            keys, self._order = None, sorted(shown, key=SORT_VALUE_OF, reverse=self.reverse)
        else:
            keys, self._order = self._sorted(self.sort, self.reverse, self._key_fn, self.now)
        # Each row's `sort_value` is written later (`settle`): a pass over every row
        # (2-3 ms at 50,000) that the frame showing the new order does not need (a flip
        # keeps the values the rows have).
        self._unsettled = keys  # (`rows` keeps this order until a change, which settles first)
        self._reindex()

    def prefetch_filter(self) -> None:
        """Ready the search for the filter's words growing (`SearchIndex.prefetch`)."""
        if self._terms:
            self.index.prefetch(self._terms)

    def prefetch_sort(self, column: str, now: datetime) -> None:
        """Sort by `column` (its natural direction) ahead of time: the `s` key cycles
        through the columns, and the next press then only shows this order. Any change
        to the runs drops it; it is never used for another column or direction."""
        reverse = column in _DESCENDING
        if column not in BY_KEY or (column, reverse) == (self.sort, self.reverse):
            return
        if self.standing.has(column, reverse):
            return  # kept ready already
        key_fn = sort_key_fn(column, now)
        keys, order = self._sorted(column, reverse, key_fn, now)
        self._prefetched = _Prefetched(column, reverse, key_fn, now, keys, order)

    def build_standing(self) -> float | None:
        """Build one kept order that is missing (`standing_orders`). None: none is; 0.0:
        more are; else the seconds until one kept waiting may be built."""
        if self.standing.complete:
            return None
        self.settle()  # (the orders are built from `rows`, which a re-sort's values belong to)
        return self.standing.build_next(
            self.rows.values(),
            lambda column, reverse: self._sorted(column, reverse, sort_key_fn(column, self.now), self.now)[1],
            self.now)

    def _sort_values(self, column: str, key_fn: Callable[[Run], Any], now: datetime, *,
                     comparable: bool = False) -> list[Any]:
        """Every row's sort value for `column`, in arrival order. `comparable`: never a
        missing or naive time among them (a kept order's values, with no sort to find out)."""
        rows = self.rows.values()
        if column == "status":  # the status rank is the row's own status index
            return list(map(STATUS_INDEX_OF, rows))
        read = comparable_sort_values if comparable else every_sort_value
        return read(column, partial(map, RUN, rows), now, key_fn)

    def _sorted(self, column: str, reverse: bool, key_fn: Callable[[Run], Any],
                now: datetime) -> tuple[list[Any], list[Row]]:
        """Every row's sort value for `column` (arrival order), and the rows sorted."""
        rows = self.rows.values()  # arrival order: ties stay in it (the sort is stable)
        keys = self._sort_values(column, key_fn, now)
        try:
            return keys, _sorted_by(rows, keys, reverse)
        except TypeError:  # some run lacks that time (None) or has a naive one: the full key
            keys = list(map(key_fn, map(RUN, rows)))
            return keys, _sorted_by(rows, keys, reverse)

    @property
    def settled(self) -> bool:
        """False while a re-sort's leftovers wait for `settle`."""
        return self._unsettled is None and not self._retired

    def settle(self) -> None:
        """Give every row its sort value, if the last re-sort left that for later (and
        drop the lists it replaced).

        Whatever reads `sort_value` (finding a row: a delta, the cursor's place) calls
        this first; the table calls it once the new order is drawn.
        """
        keys = self._unsettled
        if keys is not None:
            self._unsettled = None
            if callable(keys):
                keys = keys()
            deque(map(setattr, self.rows.values(), repeat("sort_value"), keys), maxlen=0)
        self._retired.clear()

    def _reindex(self) -> None:
        """`_order` was rebuilt: so is the view; the search index is, now if a filter
        needs it, else later (the caller has it scheduled)."""
        self.index.invalidate()
        self._refilter()

    def _filtered(self) -> bool:
        return bool(self._terms or self.active_only or self.profile is not None)

    def _refilter(self) -> None:
        """Rebuild the view (and its counts) from `_order`."""
        if not self._filtered():
            self.view = self._order
            self._counts = Counter(self._all_counts)
            return
        order = self._order
        mask = self.index.select(order, self._terms, self.active_only, self.profile, self._passes,
                                 datetime.now(UTC))
        self.view = list(compress(order, mask))
        self._counts = self.index.counts(mask)

    def _passes(self, rec: Row) -> bool:
        if self.profile is not None and rec.run.profile != self.profile:
            return False
        if self.active_only and not ACTIVE_BY_INDEX[rec.status_index]:
            return False
        if self._terms:
            return self.index.matches(rec, self._terms, datetime.now(UTC))
        return True

    def _find(self, rows: list[Row], p: Any, seq: int) -> int:
        """Where a row with sort value `p` and arrival number `seq` is (or would go) in `rows`."""
        lo, hi = 0, len(rows)
        rev = self.reverse
        while lo < hi:
            mid = (lo + hi) // 2
            m = rows[mid]
            mp = m.sort_value
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

    def _bulk(self, gone: list[Row], moved: list[_Move], added: list[Row]) -> None:
        """Many changes: rebuild the orders (Timsort on nearly sorted data is quick)."""
        for rec, new_p, *_ in moved:
            rec.sort_value = new_p
        key_fn = self._key_fn
        for rec in added:
            rec.sort_value = key_fn(rec.run)
        if gone or moved:  # (the gone rows are already out of `rows`)
            self._order = sorted(self.rows.values(), key=SORT_VALUE_OF, reverse=self.reverse)
        else:
            # Only arrivals (a listing's pages): the order so far is one sorted run and the
            # sorted arrivals another, so Timsort merges them in one pass; and only from
            # where the first arrival goes (a listing's later pages go near the end).
            # Ties keep arrival order both ways: the order's rows all came before.
            fresh = sorted(added, key=SORT_VALUE_OF, reverse=self.reverse)
            order = self._order
            start = self._find(order, fresh[0].sort_value, fresh[0].seq)
            order[start:] = sorted([*order[start:], *fresh], key=SORT_VALUE_OF, reverse=self.reverse)
        self._reindex()
        self._schedule_index()

    def _incremental(
        self, gone: list[Row], moved: list[_Move], added: list[Row], recoded: list[Row]
    ) -> None:
        """Few changes: move rows in `_order`, the view and the index one by one."""
        order, find, index = self._order, self._find, self.index
        if index.valid and len(gone) + len(moved) + len(added) > INDEX_EDITS:
            index.invalidate()
            self._schedule_index()
        filtered = self.view is not order
        view = self.view
        counts = self._counts
        for rec in gone:
            i = find(order, rec.sort_value, rec.seq)
            del order[i]
            index.delete(i)
            if filtered:
                j = find(view, rec.sort_value, rec.seq)
                if j < len(view) and view[j] is rec:
                    del view[j]
                    if counts is not None:
                        counts[rec.status_index] -= 1
            elif counts is not None:
                counts[rec.status_index] -= 1
        for rec, new_p, was_in, old_si in moved:
            old_p = rec.sort_value
            i = find(order, old_p, rec.seq)
            del order[i]
            index.delete(i)
            if filtered and was_in:
                del view[find(view, old_p, rec.seq)]
            rec.sort_value = new_p
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
                    counts[rec.status_index] += 1
        key_fn = self._key_fn
        for rec in added:
            rec.sort_value = key_fn(rec.run)
            i = find(order, rec.sort_value, rec.seq)
            order.insert(i, rec)
            index.insert(i, rec)
            if self._passes(rec):
                if filtered:
                    view.insert(find(view, rec.sort_value, rec.seq), rec)
                if counts is not None:
                    counts[rec.status_index] += 1
        for rec in recoded:
            index.recode(find(order, rec.sort_value, rec.seq), rec)


class _Prefetched(msgspec.Struct, frozen=True):
    """An order computed ahead of time (`RunView.prefetch_sort`), with what it was made of."""

    column: str
    reverse: bool
    key_fn: Callable[[Run], Any]
    now: datetime
    keys: list[Any]  # parallel to the view's `rows` (arrival order)
    order: list[Row]


def _sorted_by(rows: Collection[Row], keys: list[Any], reverse: bool) -> list[Row]:
    """`rows` sorted by `keys` (parallel to them), stable, without visiting the rows."""
    if _KEYS_IN_ITEM_ORDER:
        # sorted() asks for each item's key once, in list order: the key function can
        # hand out the keys one by one (the row it is given is not even read).
        return sorted(rows, key=partial(next, iter(keys)), reverse=reverse)
    order = sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)
    return list(map(list(rows).__getitem__, order))


def _keys_asked_in_item_order() -> bool:
    """Does this Python's sorted() ask for keys once per item, in list order (CPython
    does)? Checked once, on a list where any other order gives another answer."""
    items = list(range(64))
    keys = [(i * 37) % 64 for i in items]
    want = sorted(items, key=keys.__getitem__, reverse=True)
    try:
        return sorted(items, key=partial(next, iter(keys)), reverse=True) == want
    except Exception:  # any surprise means: do not rely on it
        return False


_KEYS_IN_ITEM_ORDER = _keys_asked_in_item_order()


def gc_paused() -> AbstractContextManager[None]:
    """No cyclic GC while building tens of thousands of objects at once.

    Each collection triggered mid-build would walk every run in memory; at
    50k runs that was over half of `set_runs`. The objects are collected (or
    not) once, afterwards.
    """
    return collector.paused("table build")
