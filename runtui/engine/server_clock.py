"""Each profile's server clock: how far it is off this machine's (its answers' `Date`), and
the times of its runs counted on it. One rule for every face: a server clock 15 min ahead
showed its new runs created "in 14m50s" and its running ones at a duration of 0s, and
sorted every run of that server before the others' newer ones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

SKEW_SHOWN = 60.0  # seconds: less is the `Date` header's grain and the network's delay
SKEW_JITTER = 5.0  # seconds an offset may move before it counts as another

Offsets = Mapping[str, timedelta]
"""Per profile, how far its server's clock is ahead of this machine's (behind: negative);
a profile not in it is counted on this machine's clock."""


def kept_offsets(found: Mapping[str, float], kept: Offsets | None = None) -> dict[str, timedelta]:
    """The offsets that matter, from what the servers said (`Workspace.clock_offsets`): a
    minute or more either way, in whole seconds. One within SKEW_JITTER of the offset kept
    before (`kept`) stays as it was: the header's jitter moves no time shown."""
    offsets = {name: timedelta(seconds=round(seconds)) for name, seconds in found.items()
               if abs(seconds) >= SKEW_SHOWN}
    for name, offset in offsets.items():
        old = (kept or {}).get(name)
        if old is not None and abs((offset - old).total_seconds()) < SKEW_JITTER:
            offsets[name] = old
    return offsets


def server_now(offsets: Offsets, profile: str, now: datetime) -> datetime:
    """`now` on `profile`'s server clock: what its runs' times are compared with."""
    offset = offsets.get(profile) if offsets else None
    return now if offset is None else now + offset


def on_this_clock(offsets: Offsets, profile: str, when: datetime) -> datetime:
    """A time `profile`'s server gave, on this machine's clock: what compares it with another
    server's (two servers' times compared as given put a fast clock's runs first)."""
    offset = offsets.get(profile) if offsets else None
    return when if offset is None else when - offset
