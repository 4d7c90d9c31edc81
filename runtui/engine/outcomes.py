"""Actions whose answer was lost and whose read-back did not show them done.

The platform may have taken the action a moment later (a cancel still on its way), or
never (the request died before it arrived). The operator was told "outcome unknown"
and then nothing more: each such action is settled here by the runs the polls read
next, as soon as one shows it done, or given up on after `PATIENCE` seconds with the
state the run was last read in, so a face can say which it was.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from runtui.actions import looks_done
from runtui.engine.store import Key
from runtui.model import Action, Run

PATIENCE = 60.0
"""Seconds of polls after which an action not seen done is said not to have taken effect."""


class Settled(msgspec.Struct, frozen=True):
    """What became of one unsettled action: done (`took_effect`) or not, as `run` was read."""

    action: Action
    run: Run
    took_effect: bool


class Unsettled:
    """The unsettled actions, one per run (a new action on a run replaces the old)."""

    def __init__(self, patience: float = PATIENCE) -> None:
        self.patience = patience
        self._open: dict[Key, tuple[Action, Run, float]] = {}  # action, run as last read, deadline

    def __len__(self) -> int:
        return len(self._open)

    def watch(self, run: Run, action: Action, now: float) -> None:
        self._open[run.key] = (action, run, now + self.patience)

    def settle(self, runs: Iterable[Run], now: float) -> list[Settled]:
        """The actions `runs` (just read) show done, then those out of patience."""
        if not self._open:
            return []
        settled: list[Settled] = []
        for run in runs:
            found = self._open.get(run.key)
            if found is None:
                continue
            action, _last, deadline = found
            if looks_done(action, run):
                del self._open[run.key]
                settled.append(Settled(action, run, took_effect=True))
            else:
                self._open[run.key] = (action, run, deadline)
        for key, (action, last, deadline) in list(self._open.items()):
            if now >= deadline:
                del self._open[key]
                settled.append(Settled(action, last, took_effect=False))
        return settled
