"""The current runs by (profile, id), and the deltas between refreshes.

The store is the one place that knows what changed: watchers push what they
read, listeners (the run table, notifications) receive only added / changed /
removed runs, so nothing repaints when nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import msgspec

from runtui.engine.human_waits import as_waiting
from runtui.model import Run, Status

Key = tuple[str, str]


class Delta(msgspec.Struct, frozen=True):
    added: tuple[Run, ...] = ()
    changed: tuple[tuple[Run, Run], ...] = ()  # (old, new)
    removed: tuple[Run, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


Listener = Callable[[Delta], None]


class RunStore(msgspec.Struct):
    runs: dict[Key, Run] = msgspec.field(default_factory=dict)
    _listeners: list[Listener] = msgspec.field(default_factory=list)
    # Kept up to date on every change so a poll never scans all runs of a profile.
    _active: dict[str, set[Key]] = msgspec.field(default_factory=dict)
    _counts: dict[str, int] = msgspec.field(default_factory=dict)
    # Runs a listed request asks a person about (`set_asked`) are kept as waiting, and
    # each such run as its server last said, to go back to once nobody is asked.
    _asked: set[Key] = msgspec.field(default_factory=set)
    _as_read: dict[Key, Run] = msgspec.field(default_factory=dict)
    # Why failed runs failed, read from their details where their listings said nothing
    # (`note_error`): kept on their rows across the listings that follow.
    _errors: dict[Key, str] = msgspec.field(default_factory=dict)

    def active_keys(self, profile: str) -> set[Key]:
        return set(self._active.get(profile, ()))

    def active_count(self, profile: str) -> int:
        return len(self._active.get(profile, ()))

    def count(self, profile: str) -> int:
        return self._counts.get(profile, 0)

    def _track(self, old: Run | None, new: Run | None) -> None:
        run = new or old
        if run is None:
            return
        profile = run.profile
        if old is None and new is not None:
            self._counts[profile] = self._counts.get(profile, 0) + 1
        elif new is None:
            self._counts[profile] = self._counts.get(profile, 1) - 1
        active = self._active.setdefault(profile, set())
        if new is not None and new.status.active:
            active.add(run.key)
        else:
            active.discard(run.key)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def get(self, key: Key) -> Run | None:
        return self.runs.get(key)

    def for_profile(self, profile: str) -> list[Run]:
        return [r for (p, _), r in self.runs.items() if p == profile]

    def upsert(self, runs: Iterable[Run], *, partial: bool = False) -> Delta:
        """Merge runs read from a server; unchanged ones cost nothing downstream.

        `partial` marks cheap summary reads (Edges /status, B3OS summary=true) that
        lack some fields: what they leave empty is kept from what we knew.
        """
        added: list[Run] = []
        changed: list[tuple[Run, Run]] = []
        asked = self._asked  # (empty nearly always: one look, not one per run)
        errors = self._errors  # (empty unless a failure's detail told its error)
        for run in runs:
            old = self.runs.get(run.key)
            if old is run:
                continue  # the adapter's memo saw the very same item: nothing to compare
            if partial and old is not None:
                run = fill_from(run, old)
            if asked and run.key in asked:  # only runs asked about are ever held in `_as_read`
                run = self._shown(run)
            if errors and run.last_error is None and run.key in errors:
                run = self._with_error(run)
            if old is None:
                added.append(run)
            elif old != run:
                changed.append((old, run))
            else:
                continue
            self._track(old, run)
            self.runs[run.key] = run
        return self._emit(Delta(tuple(added), tuple(changed)))

    def set_asked(self, profile: str, run_ids: Iterable[str]) -> Delta:
        """The runs of `profile` its platform lists as asking a person now (an inbox read):
        they read as waiting (runtui.engine.human_waits), the others as their server says."""
        asked = {(profile, run_id) for run_id in run_ids}
        before = {key for key in self._asked if key[0] == profile}
        self._asked = (self._asked - before) | asked
        changed: list[tuple[Run, Run]] = []
        for key in asked ^ before:
            old = self.runs.get(key)
            if old is None:
                continue
            new = self._shown(self._as_read.get(key, old))
            if new != old:
                changed.append((old, new))
                self._track(old, new)
                self.runs[key] = new
        return self._emit(Delta(changed=tuple(changed)))

    def note_error(self, read: Run) -> Delta:
        """A failed run read on its own (its detail) says why it failed where its listing
        said nothing (a B3OS list carries no node states): its row shows that error from
        now on, until the run leaves "failed" or goes."""
        old = self.runs.get(read.key)  # (a run not held, a Wexa task say, is not kept)
        if old is None or read.status is not Status.FAILED or not read.last_error:
            return Delta()
        self._errors[read.key] = read.last_error
        if old.last_error is not None:
            return Delta()
        new = self._with_error(old)
        if new is old:
            return Delta()
        self.runs[old.key] = new
        return self._emit(Delta(changed=((old, new),)))

    def _with_error(self, run: Run) -> Run:
        """`run` (its listing says no error) with the error its detail told, while it
        is still failed; a run that left "failed" forgets it."""
        if run.status is not Status.FAILED:
            self._errors.pop(run.key, None)
            return run
        return run.model_copy(update={"last_error": self._errors[run.key]})

    def shown(self, run: Run) -> Run:
        """`run` (a fresh read, say a detail's) as the store shows it: waiting when its
        platform lists it as asking a person."""
        return as_waiting(run) if run.key in self._asked else run

    def _shown(self, run: Run) -> Run:
        """`shown`, remembering the run as read when it is shown otherwise."""
        new = self.shown(run)
        if new is run:
            self._as_read.pop(run.key, None)
        else:
            self._as_read[run.key] = run
        return new

    def drop_missing(self, profile: str, keep: set[Key]) -> Delta:
        """After a complete listing: runs of `profile` it did not return are gone."""
        gone = [r for k, r in self.runs.items() if k[0] == profile and k not in keep]
        return self.remove(gone)

    def remove(self, runs: Iterable[Run]) -> Delta:
        removed = tuple(r for r in runs if self.runs.pop(r.key, None) is not None)
        for run in removed:
            self._track(run, None)
            self._as_read.pop(run.key, None)
            self._errors.pop(run.key, None)
        return self._emit(Delta(removed=removed))

    def drop_profile(self, profile: str) -> Delta:
        return self.remove(self.for_profile(profile))

    def _emit(self, delta: Delta) -> Delta:
        if delta:
            for listener in list(self._listeners):
                listener(delta)
        return delta


def fill_from(new: Run, old: Run) -> Run:
    """`new` with its empty fields taken from `old` (a summary read knows less)."""
    missing = {f.name: getattr(old, f.name) for f in msgspec.structs.fields(Run)
               if getattr(new, f.name) is None and getattr(old, f.name) is not None}
    return new.model_copy(update=missing) if missing else new
