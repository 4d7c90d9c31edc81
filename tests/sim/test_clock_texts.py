"""The simulator's times as Edges and B3OS write them: ISO 8601, milliseconds, a Z."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runtui.sim.state import SimClock


@pytest.mark.parametrize("t", [0.0, 0.999, 1.0005, 59.9994, 86_399.5, 1e7 + 0.25])
def test_iso_is_the_millisecond_text_it_always_was(t: float) -> None:
    clock = SimClock()
    clock.base_epoch = 1_796_431_163.0
    stamp = datetime.fromtimestamp(clock.base_epoch + t, UTC)
    was = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"  # the old form
    assert clock.iso(t) == was
    assert datetime.fromisoformat(was.replace("Z", "+00:00")) <= stamp


def test_no_time_is_none() -> None:
    assert SimClock().iso(None) is None
