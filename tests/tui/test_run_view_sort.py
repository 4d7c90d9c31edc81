"""Re-sorting reads the usual columns' values at C speed (status from the row, times
straight from the run); whatever it reads must be what `sort_key_fn` gives, or rows
placed later (one by one, by `sort_key_fn`) would land in the wrong place."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from runtui.engine.store import Delta
from runtui.model import Run, Status
from runtui.tui.widgets import run_view
from runtui.tui.widgets.run_view import RunView
from runtui.tui.widgets.sort_values import sort_key_fn

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def runs(n: int, rnd: random.Random, *, holes: bool) -> list[Run]:
    out = []
    for i in range(n):
        created: datetime | None = NOW - timedelta(seconds=rnd.choice([5, 50, 500, 5000]))  # ties
        started = created + timedelta(seconds=1) if created else None
        if holes and rnd.random() < 0.1:
            created = None  # falls back to started_at, then to the oldest time
        if holes and rnd.random() < 0.05:
            started = None
        updated = None if holes and rnd.random() < 0.1 else NOW - timedelta(seconds=rnd.randrange(100))
        if holes and created is not None and rnd.random() < 0.05:
            created = created.replace(tzinfo=None)  # naive: taken as UTC
        status = rnd.choice(list(Status))
        finished = None
        if status.terminal and started is not None and not (holes and rnd.random() < 0.05):
            finished = started + timedelta(seconds=rnd.choice([3, 30, 300]))  # ties
        name = rnd.choice(["Nightly Sync", "nightly sync", "Ärger", "billing"])
        if holes and rnd.random() < 0.1:
            name = rnd.choice([None, ""])  # the workflow id stands in
        error = rnd.choice([None, None, "Timeout", "timeout", "HTTP 500"])
        out.append(Run(profile=rnd.choice("ab"), provider="edges", id=f"r{i:04d}",
                       workflow_id=f"wf{rnd.randrange(3)}", workflow_name=name, last_error=error,
                       status=status, created_at=created, started_at=started,
                       finished_at=finished, updated_at=updated))
    return out


def expected(view: RunView, column: str, reverse: bool) -> list[str]:
    every = sorted((rec.seq, rec.run) for rec in view.rows.values())  # arrival order
    key = sort_key_fn(column, NOW)
    return [r.id for r in sorted((r for _, r in every), key=key, reverse=reverse)]


@pytest.mark.parametrize("holes", [False, True])
@pytest.mark.parametrize("column", ["status", "created", "updated", "workflow", "duration", "error"])
def test_fast_sort_values_order_and_place_later_rows_as_the_column_does(column: str, holes: bool) -> None:
    rnd = random.Random(f"{column}-{holes}")
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(400, rnd, holes=holes), NOW)
    for reverse in (True, False):
        view.sort_by(column, reverse, NOW)
        assert [r.id for r in view.visible_runs()] == expected(view, column, reverse)
        key = sort_key_fn(column, NOW)
        view.settle()
        assert all(rec.sort_value == key(rec.run) for rec in view.rows.values())
        # Later arrivals and changes go in one by one: the same order as sorting again.
        more = runs(5, rnd, holes=holes)
        fresh = [r.model_copy(update={"id": f"n{reverse}{i}"}) for i, r in enumerate(more)]
        old = rnd.choice(view.visible_runs())
        new = old.model_copy(update={"status": rnd.choice(list(Status)),
                                     "updated_at": NOW - timedelta(seconds=rnd.randrange(100))})
        view.apply_delta(Delta(added=tuple(fresh), changed=((old, new),)), NOW)
        assert [r.id for r in view.visible_runs()] == expected(view, column, reverse)


@pytest.mark.parametrize("column", ["status", "updated", "duration", "workflow"])
def test_rows_are_found_right_after_a_sort_whose_values_are_not_written_yet(column: str) -> None:
    """A re-sort leaves the rows' sort values for later (`settle`); a delta or a cursor
    lookup that comes first must still find every row where it is."""
    rnd = random.Random(column)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=True), NOW)
    view.sort_by(column, None, NOW)
    rec = rnd.choice(list(view.rows.values()))
    assert view.index_of(rec) == view.visible_runs().index(rec.run)
    view.sort_by(column, not view.reverse, NOW)  # unsettled again
    old = rnd.choice(view.visible_runs())
    new = old.model_copy(update={"status": Status.FAILED, "updated_at": NOW,
                                 "finished_at": NOW, "started_at": NOW - timedelta(hours=9)})
    gone = view.visible_runs()[-1]
    view.apply_delta(Delta(changed=((old, new),), removed=(gone,)), NOW)
    assert [r.id for r in view.visible_runs()] == expected(view, column, view.reverse)


def test_both_ways_of_sorting_by_a_key_list_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handing sorted() its keys in item order (what CPython does, checked at import) and
    sorting indexes (the fallback) give the same stable order."""
    rnd = random.Random(7)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(500, rnd, holes=False), NOW)
    rows = list(view.rows.values())
    keys = [rnd.randrange(20) for _ in rows]  # many ties: stability shows
    assert run_view._KEYS_IN_ITEM_ORDER
    for reverse in (False, True):
        fast = run_view._sorted_by(rows, keys, reverse)
        monkeypatch.setattr(run_view, "_KEYS_IN_ITEM_ORDER", False)
        assert run_view._sorted_by(rows, keys, reverse) == fast
        monkeypatch.setattr(run_view, "_KEYS_IN_ITEM_ORDER", True)
        want = [rows[i] for i in sorted(range(len(rows)), key=keys.__getitem__, reverse=reverse)]
        assert fast == want


def test_runs_without_an_update_time_keep_the_updated_sort_on_its_fast_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Many runs of some platforms have no update time: the re-sort fills in the column's
    floor instead of calling `sort_key_fn` for every run (what it did on the first None)."""
    rnd = random.Random(3)
    batch = [r if i % 3 else r.model_copy(update={"updated_at": None})
             for i, r in enumerate(runs(300, rnd, holes=False))]
    view = RunView(NOW, lambda: None)
    view.set_runs(batch, NOW)
    calls = 0

    def counting(column: str, now: datetime) -> Callable[[Run], Any]:
        key = sort_key_fn(column, now)

        def counted(run: Run) -> Any:
            nonlocal calls
            calls += 1
            return key(run)
        return counted

    monkeypatch.setattr(run_view, "sort_key_fn", counting)
    for reverse in (True, False):
        view.sort_by("updated", reverse, NOW)
        assert [r.id for r in view.visible_runs()] == expected(view, "updated", reverse)
    assert calls == 0


@pytest.mark.parametrize("column", ["workflow", "error"])
def test_workflow_and_error_texts_are_casefolded_once_per_distinct_text(column: str) -> None:
    """Not once per run (`sort_key_fn`): that made a new string per run, and was half the
    time of a sort by workflow at 50,000 runs."""
    rnd = random.Random(column)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=False), NOW)
    calls = 0
    key = sort_key_fn(column, NOW)

    def counted(run: Run) -> Any:
        nonlocal calls
        calls += 1
        return key(run)

    for reverse in (True, False):
        keys, order = view._sorted(column, reverse, counted, NOW)
        assert keys == [key(rec.run) for rec in view.rows.values()]
        assert [rec.run.id for rec in order] == expected(view, column, reverse)
    assert calls == 0


def sorts_from_scratch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The columns `RunView._sorted` sorts every row by, in order, from now on."""
    sorts: list[str] = []
    full_sort = RunView._sorted

    def counted(self: RunView, col: str, reverse: bool, key_fn: Callable[[Run], Any],
                now: datetime) -> Any:
        sorts.append(col)
        return full_sort(self, col, reverse, key_fn, now)

    monkeypatch.setattr(RunView, "_sorted", counted)
    return sorts


@pytest.mark.parametrize("column", ["duration", "workflow", "updated"])
def test_an_order_sorted_ahead_of_time_is_used_only_while_nothing_changed(
        column: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`s` sorts the column after the one it shows ahead of time (`prefetch_sort`); the
    next press shows that order without sorting, unless a change came in between."""
    rnd = random.Random(column)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=True), NOW)
    sorts = sorts_from_scratch(monkeypatch)
    view.prefetch_sort(column, NOW)
    assert sorts == [column]
    view.sort_by(column, None, NOW)
    assert sorts == [column]  # shown from the order sorted ahead of time
    assert [r.id for r in view.visible_runs()] == expected(view, column, view.reverse)

    view.prefetch_sort("status", NOW)
    old = view.visible_runs()[0]
    new = old.model_copy(update={"status": Status.FAILED if old.status is not Status.FAILED
                                 else Status.SUCCEEDED})
    view.apply_delta(Delta(changed=((old, new),)), NOW)  # the status order is stale now
    view.sort_by("status", None, NOW)
    assert sorts == [column, "status", "status"]
    assert [r.id for r in view.visible_runs()] == expected(view, "status", view.reverse)
    view.prefetch_sort(column, NOW)
    view.sort_by(column, column not in ("duration", "updated"), NOW)  # the other direction
    assert sorts[-1] == column and len(sorts) == 5
    assert [r.id for r in view.visible_runs()] == expected(view, column, view.reverse)


@pytest.mark.parametrize("column", ["status", "workflow", "id", "created", "updated", "duration", "error"])
def test_the_other_way_round_sorts_the_shown_order_again_to_the_same_result(
        column: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second press on a column reverses it: the order shown is sorted again (values and
    ties as they are), never all the rows from scratch, and the result is the full sort's,
    ties in arrival order. A duration at another `now` has other values: sorted afresh."""
    rnd = random.Random(f"flip-{column}")
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(400, rnd, holes=True), NOW)
    sorts = sorts_from_scratch(monkeypatch)
    view.sort_by("profile", None, NOW)  # (the table starts sorted by created)
    view.sort_by(column, None, NOW)
    assert sorts == ["profile", column]
    del sorts[0]
    for _ in range(3):
        view.sort_by(column, not view.reverse, NOW)  # right away: values not yet settled
        assert [r.id for r in view.visible_runs()] == expected(view, column, view.reverse)
    assert sorts == [column]
    rec = rnd.choice(list(view.rows.values()))
    assert view.index_of(rec) == view.visible_runs().index(rec.run)  # later lookups hold
    later = NOW + timedelta(minutes=5)
    view.sort_by(column, not view.reverse, later)
    assert sorts == ([column, column] if column == "duration" else [column])
    want = [r.id for r in sorted(sorted(view.visible_runs(), key=lambda r: view.rows[r.key].seq),
                                 key=sort_key_fn(column, later), reverse=view.reverse)]
    assert [r.id for r in view.visible_runs()] == want


def test_durations_of_finished_runs_reverse_at_any_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a run still going has a duration that grows with `now`: when none is, a second
    press on DURATION reverses the order shown, whatever the time."""
    rnd = random.Random("finished")
    done = [r for r in runs(400, rnd, holes=True) if r.status.terminal]
    view = RunView(NOW, lambda: None)
    view.set_runs(done, NOW)
    view.sort_by("duration", None, NOW)
    monkeypatch.setattr(RunView, "_sorted", lambda *_: pytest.fail("sorted from scratch"))
    later = NOW + timedelta(hours=1)
    view.sort_by("duration", not view.reverse, later)
    assert [r.id for r in view.visible_runs()] == expected(view, "duration", view.reverse)
