"""Who keeps Python's cyclic garbage collector off, and the one place that turns it back on.

Several parts pause it for a while, each for its own reason: start-up (until the
first load is in, `runtui.startup`), the run table between a change and its frame
(`runtui.tui.frames`), and a build of tens of thousands of rows (`paused`). Each
holds it under a name; the collector runs again when the last holder lets go, and
only if it was this module that stopped it (a collector someone else turned off
stays off).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

_holders: Counter[str] = Counter()
_stopped_here = False  # this module turned the collector off (and so turns it on again)


def hold(reason: str) -> None:
    """Keep the collector off until `release(reason)` (holds of one reason nest)."""
    global _stopped_here
    if not _holders and gc.isenabled():
        gc.disable()
        _stopped_here = True
    _holders[reason] += 1


def release(reason: str) -> None:
    """Undo one `hold(reason)`; nothing when `reason` holds nothing."""
    global _stopped_here
    if _holders[reason] <= 0:
        del _holders[reason]
        return
    _holders[reason] -= 1
    if not _holders[reason]:
        del _holders[reason]
    if not _holders and _stopped_here:
        _stopped_here = False
        gc.enable()


def held(reason: str | None = None) -> bool:
    """Is the collector held for `reason` (None: for any reason)?"""
    return _holders[reason] > 0 if reason is not None else bool(_holders)


@contextmanager
def paused(reason: str) -> Iterator[None]:
    """Held for the length of a `with` block."""
    hold(reason)
    try:
        yield
    finally:
        release(reason)


def freeze_young() -> None:
    """Collect the young generations once and move what lives on out of the collector's sight.

    For structures built to last after the one collection of start-up's load (the run
    table's kept orders: lists of 100,000 rows and their keys). Left young, each
    collection walks them again: 20 and 29 ms pauses a few seconds after a 100,000-run
    load, on whatever key was pressed then. Young garbage is collected first, so only
    what is alive is frozen.
    """
    gc.collect(1)
    gc.freeze()
