"""Actions whose answer was lost and whose read-back did not show them done.

The platform may have taken the action a moment later (a cancel still on its way), or
never (the request died before it arrived). The operator was told "outcome unknown"
and then nothing more: each such action is settled here by what the next reads show
(the runs the polls read, the workflows' triggers the workflows view reads), as soon
as one shows it done, or given up on after `PATIENCE` seconds with the state it was
last read in, so a face can say which it was.

One mechanism for runs and workflow-level triggers: what an action was taken on (its
"subject") is told apart by `key`, and `done` says whether a read of it shows the action.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import msgspec

from runtui.actions import looks_done
from runtui.model import Action, Run

PATIENCE = 60.0
"""Seconds of reads after which an action not seen done is said not to have taken effect."""

S = TypeVar("S")
"""What an action was taken on: a run, a workflow's trigger."""


class Settled(msgspec.Struct, Generic[S], frozen=True):
    """What became of one unsettled action: done (`took_effect`) or not, as `subject` was
    last read; `read_again`: a read after the action's own read-back saw it (if not, the
    outcome is still unknown: nothing read it since)."""

    action: Action
    subject: S
    took_effect: bool
    read_again: bool = True


class _Open(msgspec.Struct, Generic[S]):
    action: Action
    last: S  # as last read
    deadline: float
    read_again: bool = False


class Unsettled(Generic[S]):
    """The unsettled actions, one per subject (a new action on it replaces the old)."""

    def __init__(self, done: Callable[[Action, S], bool], key: Callable[[S], Hashable],
                 patience: float = PATIENCE) -> None:
        self.done = done
        self.key = key
        self.patience = patience
        self._open: dict[Hashable, _Open[S]] = {}

    def __len__(self) -> int:
        return len(self._open)

    def watch(self, subject: S, action: Action, now: float) -> None:
        self._open[self.key(subject)] = _Open(action, subject, now + self.patience)

    def settle(self, read: Iterable[S], now: float) -> list[Settled[S]]:
        """The actions what was just `read` shows done, then those out of patience."""
        if not self._open:
            return []
        settled: list[Settled[S]] = []
        for subject in read:
            key = self.key(subject)
            found = self._open.get(key)
            if found is None:
                continue
            if self.done(found.action, subject):
                del self._open[key]
                settled.append(Settled(found.action, subject, took_effect=True))
            else:
                found.last, found.read_again = subject, True
        for key, found in list(self._open.items()):
            if now >= found.deadline:
                del self._open[key]
                settled.append(Settled(found.action, found.last, took_effect=False,
                                       read_again=found.read_again))
        return settled


def run_outcomes(patience: float = PATIENCE) -> Unsettled[Run]:
    """Per-run actions, settled by the runs the polls read."""
    return Unsettled(looks_done, lambda run: run.key, patience)
