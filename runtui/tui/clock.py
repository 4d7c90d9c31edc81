"""The time the TUI shows and judges by: one clock for the run table, the attention
queue and the workflows view, so a snapshot test freezes all of them in one place
(`clock.now = lambda: NOW`) and no screen shows another minute than its neighbour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _wall_clock() -> datetime:
    return datetime.now(UTC)


now: Callable[[], datetime] = _wall_clock
