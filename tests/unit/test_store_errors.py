"""A failure's error read from its detail stays on its row across the listings that follow
(a B3OS listing carries no node states, so it never says why a run failed)."""

from __future__ import annotations

from runtui.engine.store import Delta, RunStore
from runtui.model import Status
from tests.fakes import make_run


def _store_with_failure() -> tuple[RunStore, list[Delta]]:
    store = RunStore()
    deltas: list[Delta] = []
    store.upsert([make_run(1, Status.FAILED), make_run(2, Status.FAILED)])
    store.subscribe(deltas.append)
    return store, deltas


def test_the_detail_s_error_reaches_the_row_and_its_listeners() -> None:
    store, deltas = _store_with_failure()
    store.note_error(make_run(1, Status.FAILED).model_copy(update={"last_error": "node send: gas"}))
    row = store.get(("p", "run-1"))
    assert row is not None and row.last_error == "node send: gas"
    assert [(old.last_error, new.last_error) for old, new in deltas[0].changed] == [(None, "node send: gas")]
    other = store.get(("p", "run-2"))
    assert other is not None and other.last_error is None


def test_the_next_listing_that_says_nothing_keeps_the_error_and_changes_nothing() -> None:
    store, deltas = _store_with_failure()
    store.note_error(make_run(1, Status.FAILED).model_copy(update={"last_error": "boom"}))
    delta = store.upsert([make_run(1, Status.FAILED), make_run(2, Status.FAILED)])
    assert not delta
    row = store.get(("p", "run-1"))
    assert row is not None and row.last_error == "boom"
    assert len(deltas) == 1


def test_a_listing_s_own_error_wins_over_the_detail_s() -> None:
    store, _ = _store_with_failure()
    store.note_error(make_run(1, Status.FAILED).model_copy(update={"last_error": "from detail"}))
    store.upsert([make_run(1, Status.FAILED).model_copy(update={"last_error": "from listing"})])
    row = store.get(("p", "run-1"))
    assert row is not None and row.last_error == "from listing"


def test_a_run_that_leaves_failed_forgets_the_error() -> None:
    store, _ = _store_with_failure()
    store.note_error(make_run(1, Status.FAILED).model_copy(update={"last_error": "boom"}))
    store.upsert([make_run(1, Status.RUNNING)])
    store.upsert([make_run(1, Status.FAILED)])
    row = store.get(("p", "run-1"))
    assert row is not None and row.last_error is None


def test_a_read_that_is_not_a_failure_with_an_error_changes_nothing() -> None:
    store, deltas = _store_with_failure()
    store.note_error(make_run(1, Status.FAILED))
    store.note_error(make_run(2, Status.SUCCEEDED).model_copy(update={"last_error": "stale"}))
    store.note_error(make_run(3, Status.FAILED).model_copy(update={"last_error": "not listed"}))
    assert deltas == []
    assert [run.last_error for run in store.runs.values()] == [None, None]


def test_an_error_of_a_run_the_store_does_not_hold_is_not_kept() -> None:
    store, _ = _store_with_failure()
    store.note_error(make_run(3, Status.FAILED).model_copy(update={"last_error": "a task's"}))
    delta = store.upsert([make_run(3, Status.FAILED)])
    assert [run.last_error for run in delta.added] == [None]


def test_a_removed_run_forgets_the_error() -> None:
    store, _ = _store_with_failure()
    store.note_error(make_run(1, Status.FAILED).model_copy(update={"last_error": "boom"}))
    store.drop_profile("p")
    store.upsert([make_run(1, Status.FAILED)])
    row = store.get(("p", "run-1"))
    assert row is not None and row.last_error is None
