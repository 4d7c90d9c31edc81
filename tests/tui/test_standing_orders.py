"""The orders kept for every column (`standing_orders`): through every kind of delta, and
as the clock moves on, each stays exactly what sorting afresh gives, and a digit that
uses one shows, and later finds rows, as a fresh sort would."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from runtui.engine.store import Delta
from runtui.model import Cost, Run, Status
from runtui.tui.widgets import standing_orders
from runtui.tui.widgets.run_view import RunView
from runtui.tui.widgets.sort_values import sort_key_fn
from runtui.tui.widgets.standing_orders import (
    STANDING,
    UNSTEADY,
    UNSTEADY_QUIET,
    UNSTEADY_QUIET_MAX,
    StandingOrders,
)
from tests.tui.test_run_view_sort import NOW, expected, runs


def built(view: RunView) -> None:
    while view.build_standing() == 0.0:
        pass
    assert view.standing.complete


def sorted_afresh(view: RunView, column: str, reverse: bool, now: datetime) -> list[str]:
    every = sorted((rec.seq, rec.run) for rec in view.rows.values())  # arrival order
    return [r.id for r in sorted((r for _, r in every), key=sort_key_fn(column, now), reverse=reverse)]


def assert_kept_orders_are_fresh_sorts(view: RunView, now: datetime = NOW) -> None:
    for column, reverse in STANDING.items():
        kept = view.standing.ready(column, reverse, now)
        if kept is not None:
            assert [rec.run.id for rec in kept] == sorted_afresh(view, column, reverse, now), column


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def a_delta(view: RunView, rnd: random.Random, serial: int) -> Delta:
    shown = list(view.rows.values())
    picked = rnd.sample(shown, k=min(len(shown), rnd.randrange(8)))
    changed: list[tuple[Run, Run]] = []
    for rec in picked[: len(picked) // 2]:
        old = rec.run
        update: dict[str, object] = {"status": rnd.choice(list(Status))}
        what = rnd.randrange(8)
        if what == 0:
            update["workflow_name"] = rnd.choice(["Nightly Sync", "billing", None, "zeta"])
        elif what == 1:
            update["created_at"] = rnd.choice([None, NOW - timedelta(seconds=rnd.choice([5, 50, 7]))])
        elif what == 2:
            update["started_at"] = NOW - timedelta(seconds=rnd.randrange(60))
        elif what == 3:
            update["cost"] = rnd.choice([None, Cost(amount=rnd.choice([0.5, 2.0, 2.0]), unit="CU")])
        elif what == 4:
            update["last_error"] = rnd.choice([None, "Timeout", "timeout", "HTTP 502"])
        elif what == 5:
            update["updated_at"] = rnd.choice([None, NOW + timedelta(seconds=rnd.randrange(100))])
        elif what == 6:
            start = old.started_at or old.created_at
            took = timedelta(seconds=rnd.choice([3, 30, 31]))
            update["finished_at"] = None if start is None else start + took
        changed.append((old, old.model_copy(update=update)))
    removed = tuple(rec.run for rec in picked[len(picked) // 2:])
    fresh = runs(rnd.randrange(4), rnd, holes=True)
    added = tuple(r.model_copy(update={"id": f"x{serial}-{i}"}) for i, r in enumerate(fresh))
    return Delta(added=added, changed=tuple(changed), removed=removed)


@pytest.mark.parametrize("seed", range(6))
def test_kept_orders_follow_every_delta_as_a_fresh_sort(seed: int) -> None:
    rnd = random.Random(seed)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=True), NOW)
    assert not view.standing.complete  # built later, off the keys' path
    built(view)
    assert_kept_orders_are_fresh_sorts(view)
    now = NOW
    for serial in range(60):
        now += timedelta(seconds=rnd.choice([0, 1, 40, 700]))  # going runs' durations grow
        view.apply_delta(a_delta(view, rnd, serial), now)
        assert view.standing.complete  # small deltas keep them
        assert_kept_orders_are_fresh_sorts(view, now)


def test_the_duration_order_merges_going_runs_at_the_time_the_digit_is_pressed() -> None:
    rnd = random.Random(3)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(400, rnd, holes=True), NOW)
    built(view)
    going = [rec for rec in view.rows.values() if not rec.run.status.terminal and rec.run.finished_at is None]
    assert len(going) > 50  # the merge has something to do
    view.sort_by("status", False, NOW)
    for later in (0, 2, 29, 30, 31, 299, 300, 301, 4000, 86_400):  # past the fixed durations' ties
        now = NOW + timedelta(seconds=later)
        assert view.sort_by("duration", None, now)
        assert [r.id for r in view.visible_runs()] == sorted_afresh(view, "duration", True, now), later
        view.sort_by("status", False, now)


def built_on_a_clock(seed: int) -> tuple[RunView, Clock]:
    """A view of 300 runs with every order built, its orders on a clock the test moves."""
    clock = Clock()
    view = RunView(NOW, lambda: None)
    view.standing = StandingOrders(clock)
    view.set_runs(runs(300, random.Random(seed), holes=False), NOW)
    built(view)
    return view, clock


def test_a_status_change_moves_only_the_orders_of_status_update_time_and_duration() -> None:
    view, clock = built_on_a_clock(5)
    steady = [column for column in STANDING if column not in UNSTEADY]
    one = view.visible_runs()[0]
    view.apply_delta(Delta(changed=((one, one.model_copy(update={"status": Status.PAUSED,
                                                                   "updated_at": NOW})),)), NOW)
    assert view.standing.complete  # moved, by bisection
    assert_kept_orders_are_fresh_sorts(view)
    churn = [(r, r.model_copy(update={"status": Status.RUNNING, "updated_at": NOW}))
             for r in list(view.visible_runs())[:200]]  # a big delta, of statuses only
    view.apply_delta(Delta(changed=tuple(churn)), NOW)
    assert all(view.standing.has(column, STANDING[column]) for column in steady)
    assert not any(view.standing.has(column, STANDING[column]) for column in UNSTEADY)
    # Not built again at once: a backfill would drop them at every refresh.
    assert view.build_standing() == pytest.approx(UNSTEADY_QUIET)
    clock.seconds += UNSTEADY_QUIET / 2
    assert view.build_standing() == pytest.approx(UNSTEADY_QUIET / 2)
    clock.seconds += UNSTEADY_QUIET / 2
    built(view)
    assert_kept_orders_are_fresh_sorts(view)
    failing = [(r, r.model_copy(update={"last_error": "boom"})) for r in list(view.visible_runs())[:100]]
    view.apply_delta(Delta(changed=tuple(failing)), NOW)
    assert not view.standing.has("error", False)
    assert all(view.standing.has(c, r) for c, r in STANDING.items() if c != "error")
    view.build_standing()  # a steady order is built again at once
    assert view.standing.complete
    assert_kept_orders_are_fresh_sorts(view)


def test_orders_a_storm_drops_unused_wait_longer_each_time_until_a_sort_wants_one() -> None:
    """A storm: every sweep changes hundreds of statuses. The status, update time and
    duration orders were built again 10 s after each, and dropped by the next, for no digit."""
    view, clock = built_on_a_clock(7)
    flip = [Status.RUNNING, Status.PAUSED]

    def sweep(k: int) -> None:
        update = {"status": flip[k % 2], "updated_at": NOW + timedelta(seconds=k)}
        churn = [(r, r.model_copy(update=update)) for r in list(view.visible_runs())[:200]]
        view.apply_delta(Delta(changed=tuple(churn)), NOW)
        assert not any(view.standing.has(column, STANDING[column]) for column in UNSTEADY)

    waits = []
    for k in range(8):
        sweep(k)
        waits.append(view.build_standing())
        clock.seconds += waits[-1] or 0.0
        built(view)  # nobody sorts by them before the next sweep
    assert waits == [UNSTEADY_QUIET * 2 ** min(k, 5) for k in range(8)]
    assert UNSTEADY_QUIET * 2 ** 5 == UNSTEADY_QUIET_MAX
    assert view.standing.ready("status", STANDING["status"], NOW) is not None  # a digit uses one
    sweep(8)
    assert view.build_standing() == pytest.approx(UNSTEADY_QUIET)  # that one is wanted again
    assert_kept_orders_are_fresh_sorts(view)


def test_a_big_delta_drops_them_and_the_owner_is_asked_to_build_them_again() -> None:
    rnd = random.Random(9)
    asked: list[None] = []
    view = RunView(NOW, lambda: asked.append(None))
    view.set_runs(runs(300, rnd, holes=False), NOW)
    built(view)
    asked.clear()
    many = tuple(r.model_copy(update={"id": f"big{i}"})
                 for i, r in enumerate(runs(standing_orders.SMALL_DELTA + 1, rnd, holes=False)))
    view.apply_delta(Delta(added=many), NOW)
    assert not view.standing.complete and asked
    built(view)  # arrivals, not changes: none waits
    assert_kept_orders_are_fresh_sorts(view)


@pytest.mark.parametrize("column", list(STANDING))
def test_a_digit_on_a_kept_column_shows_and_finds_rows_as_a_fresh_sort(column: str) -> None:
    rnd = random.Random(column)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=True), NOW)
    view.sort_by("id" if column == "status" else "status", False, NOW)
    built(view)
    assert view.sort_by(column, None, NOW)  # its natural direction: the kept order
    assert view.reverse is STANDING[column]
    assert [r.id for r in view.visible_runs()] == expected(view, column, view.reverse)
    # A delta right away (the rows' values not written yet) finds every row where it is.
    old = rnd.choice(view.visible_runs())
    new = old.model_copy(update={"workflow_name": "moved", "created_at": NOW, "status": Status.FAILED,
                                 "cost": Cost(amount=9.0, unit="CU"), "last_error": "HTTP 500"})
    view.apply_delta(Delta(changed=((old, new),), removed=(view.visible_runs()[-1],)), NOW)
    assert [r.id for r in view.visible_runs()] == expected(view, column, view.reverse)
    key = sort_key_fn(column, NOW)
    assert all(rec.sort_value == key(rec.run) for rec in view.rows.values())
    assert_kept_orders_are_fresh_sorts(view)
