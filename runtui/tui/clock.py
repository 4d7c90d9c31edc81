"""The time the TUI shows and judges by: one clock for the run table, the attention
queue and the workflows view, so a snapshot test freezes all of them in one place
(`clock.now = lambda: NOW`) and no screen shows another minute than its neighbour."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from runtui.engine import server_clock


def _wall_clock() -> datetime:
    return datetime.now(UTC)


now: Callable[[], datetime] = _wall_clock


# Per profile, how far its server's clock is ahead of this machine's, where it is at least
# a minute either way (`server_clock.kept_offsets`): the run table's times of its runs are
# counted on its clock.
offsets: dict[str, timedelta] = {}


def set_offsets(found: Mapping[str, float]) -> bool:
    """Keep the profiles' clock offsets that matter; whether that changed what is kept."""
    kept = server_clock.kept_offsets(found, offsets)
    changed = kept != offsets
    offsets.clear()
    offsets.update(kept)
    return changed


def server_now(profile: str, now: datetime) -> datetime:
    """`now` on `profile`'s server clock: what its runs' times are compared with."""
    if not offsets:
        return now  # nearly always: the run table asks for each of its clock cells
    return server_clock.server_now(offsets, profile, now)


def offset_seconds(profile: str) -> float:
    offset = offsets.get(profile) if offsets else None
    return 0.0 if offset is None else offset.total_seconds()
