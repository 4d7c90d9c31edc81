"""The collector's holders: it runs again when the last one lets go, and a collector
someone else turned off stays off."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from runtui import collector


def _let_go() -> None:
    while collector.held():
        for reason in list(collector._holders):
            collector.release(reason)


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """No holds and the collector on, before and after: an app an earlier test ended before
    its first load was in leaves start-up's hold behind in this process, and a hold
    already there keeps `hold` from turning the collector off."""
    _let_go()
    gc.enable()
    yield
    _let_go()
    gc.enable()


def test_the_collector_runs_again_when_the_last_holder_lets_go() -> None:
    collector.hold("start-up")
    collector.hold("frame")
    collector.release("start-up")
    assert not gc.isenabled() and collector.held("frame") and not collector.held("start-up")
    collector.release("frame")
    assert gc.isenabled() and not collector.held()


def test_holds_of_one_reason_nest_and_an_extra_release_does_nothing() -> None:
    with collector.paused("build"), collector.paused("build"):
        assert not gc.isenabled()
    assert gc.isenabled()
    collector.release("build")
    collector.hold("frame")
    collector.release("build")
    assert not gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    gc.disable()
    collector.hold("frame")
    collector.release("frame")
    assert not gc.isenabled()


class _Node:
    """A GC-tracked object that can refer to itself."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def test_freeze_young_collects_young_garbage_and_freezes_what_lives() -> None:
    gc.disable()  # no collection of its own between building and freezing
    gc.unfreeze()
    try:
        alive = [_Node() for _ in range(100)]
        cycle = _Node()
        cycle.other = cycle  # garbage only the cyclic collector can free
        gone = weakref.ref(cycle)
        del cycle
        collector.freeze_young()
        assert gone() is None  # collected, not frozen with the rest
        assert gc.get_freeze_count() >= len(alive)
        assert all(gc.is_tracked(node) for node in alive)
    finally:
        gc.unfreeze()
