"""The orders kept for id, workflow, profile, provider and created (`standing_orders`):
through every kind of delta each stays exactly what sorting afresh gives, and a digit
that uses one shows, and later finds rows, as a fresh sort would."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from runtui.engine.store import Delta
from runtui.model import Cost, Run, Status
from runtui.tui.widgets import standing_orders
from runtui.tui.widgets.run_view import RunView
from runtui.tui.widgets.sort_values import sort_key_fn
from runtui.tui.widgets.standing_orders import STANDING
from tests.tui.test_run_view_sort import NOW, expected, runs


def built(view: RunView) -> None:
    while view.build_standing():
        pass
    assert view.standing.complete


def assert_kept_orders_are_fresh_sorts(view: RunView) -> None:
    for column, reverse in STANDING.items():
        kept = view.standing.ready(column, reverse)
        if kept is not None:
            assert [rec.run.id for rec in kept] == expected(view, column, reverse), column


def a_delta(view: RunView, rnd: random.Random, serial: int) -> Delta:
    shown = list(view.rows.values())
    picked = rnd.sample(shown, k=min(len(shown), rnd.randrange(8)))
    changed: list[tuple[Run, Run]] = []
    for rec in picked[: len(picked) // 2]:
        old = rec.run
        update: dict[str, object] = {"status": rnd.choice(list(Status))}
        what = rnd.randrange(6)
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
    for serial in range(60):
        view.apply_delta(a_delta(view, rnd, serial), NOW)
        assert view.standing.complete  # small deltas keep them
        assert_kept_orders_are_fresh_sorts(view)


def test_a_status_change_moves_nothing_and_a_big_change_drops_only_the_orders_it_moves() -> None:
    rnd = random.Random(5)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=False), NOW)
    built(view)
    kept = {column: view.standing.ready(column, reverse) for column, reverse in STANDING.items()}
    churn = [(r, r.model_copy(update={"status": Status.RUNNING, "updated_at": NOW}))
             for r in list(view.visible_runs())[:200]]  # a big delta, of statuses only
    view.apply_delta(Delta(changed=tuple(churn)), NOW)
    assert all(view.standing.ready(c, r) is kept[c] for c, r in STANDING.items())
    failing = [(r, r.model_copy(update={"last_error": "boom"})) for r in list(view.visible_runs())[:100]]
    view.apply_delta(Delta(changed=tuple(failing)), NOW)
    assert view.standing.ready("error", False) is None
    assert all(view.standing.ready(c, r) is kept[c] for c, r in STANDING.items() if c != "error")
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
    built(view)
    assert_kept_orders_are_fresh_sorts(view)


@pytest.mark.parametrize("column", list(STANDING))
def test_a_digit_on_a_kept_column_shows_and_finds_rows_as_a_fresh_sort(column: str) -> None:
    rnd = random.Random(column)
    view = RunView(NOW, lambda: None)
    view.set_runs(runs(300, rnd, holes=True), NOW)
    view.sort_by("status", False, NOW)
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
