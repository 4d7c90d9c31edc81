"""What needs a human, across every profile: the attention queue.

Built from runs the engine already has (the store, or a one-shot listing), the
profiles' health and local acknowledgements; nothing here talks HTTP. A provider
says which of its raw statuses wait on a human beyond the common `waiting`
(`Provider.waits_on_human`), so this module never names a platform.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from runtui import display
from runtui.actions import allowed_actions
from runtui.config import state_dir
from runtui.engine.ack_pruning import pruned
from runtui.engine.health import Health, HealthState
from runtui.engine.store import Key
from runtui.engine.usual_times import WorkflowKey, WorkflowTimes, workflow_key
from runtui.errors import ConfigError, RuntuiError
from runtui.model import Action, HumanRequest, Run, Status
from runtui.own_files import locked, refuse_link, write_atomic

STUCK_FLOOR = timedelta(minutes=10)  # a run is never "stuck" before this, however fast its workflow
LATE_FLOOR = timedelta(minutes=10)  # nor "late" in its queue
TROUBLE_AFTER = timedelta(minutes=1)  # a profile in error this long needs a human

class Reason(enum.StrEnum):
    WAITING = "waiting"  # waits on a human: an approval, an input, a blocked run
    FAILED = "failed"  # failed since the operator last acknowledged
    STUCK = "stuck"  # running far longer than its workflow usually takes
    LATE = "late"  # queued far longer than its workflow usually waits
    PROFILE = "profile"  # the account itself is in trouble


# The members the loops over every run compare with, as plain names: on Python 3.11 a
# read of `Status.WAITING` goes through EnumType's `__getattr__` hook, ~160 ns against
# ~10 for a name (3.12 dropped the hook). Judging a 50,000-run first listing read them
# ~200,000 times, 28% of its time.
_WAITING, _FAILED, _RUNNING, _QUEUED = Status.WAITING, Status.FAILED, Status.RUNNING, Status.QUEUED
# The order of the queue. A profile's trouble first: it explains the rest (in an outage the
# run items below it are the last snapshot read), and after twenty run items it was below
# the fold at 80x24. Then the runs, most urgent first.
_RANK = {reason: rank for rank, reason in enumerate(
    (Reason.PROFILE, Reason.WAITING, Reason.FAILED, Reason.STUCK, Reason.LATE))}


class AttentionItem(msgspec.Struct, frozen=True):
    reason: Reason
    profile: str
    provider: str
    detail: str
    run: Run | None = None
    actions: tuple[Action, ...] = ()

    def to_json(self) -> dict[str, Any]:
        run = self.run
        return {"reason": self.reason.value, "id": run.id if run else None, "profile": self.profile,
                "provider": self.provider, "status": run.status.value if run else None,
                "raw_status": run.raw_status if run else None,
                "workflow": run.workflow if run else None, "detail": self.detail,
                "actions": [a.value for a in self.actions]}


class AcknowledgementsNotKept(RuntuiError):
    """An acknowledgement applies for this session but the file could not be written (a
    read-only or full state directory): said, never a crash."""


class Acknowledgements(msgspec.Struct):
    """Failed runs the operator has seen: kept in a small local file, never sent anywhere.

    `before[profile]`: every failure that ended before this time is seen ("acknowledge
    all"); `runs[profile]`: single runs acknowledged one by one, each with when (its
    file keeps the ids under `runs`, as earlier versions read them, and the times under
    `acknowledged_at`). Several runtui processes may share the file (two TUIs, a TUI and
    `attention ack`): a save merges what the file holds, forgets what can no longer
    matter (`ack_pruning`), and `refresh` reads what the others saved. `problem`: what of
    the file could not be read (ignored, the rest kept), for the face to say once.
    """

    path: Path
    before: dict[str, str] = msgspec.field(default_factory=dict)
    runs: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)  # profile -> id -> when
    problem: str | None = None
    stamp: tuple[int, int, int] | None = None  # the file as last read or written (mtime, size, inode)

    @classmethod
    def load(cls, path: Path | None = None) -> Acknowledgements:
        acks = cls(path or state_dir() / "acknowledged.json")
        acks.refresh()
        return acks

    def refresh(self) -> bool:
        """Take in what another process saved since the file was last read or written (a
        stat when nothing changed: cheap enough for every tick). Whether anything came."""
        stamp = _file_stamp(self.path)
        if stamp is None or stamp == self.stamp:
            self.stamp = stamp
            return False
        before, runs, self.problem = _read_acknowledgements(self.path)
        self.stamp = stamp
        return self._merge(before, runs)

    def take_problem(self) -> str | None:
        """What could not be read, once: the face says it, then it is not said again."""
        problem, self.problem = self.problem, None
        return problem

    def seen(self, run: Run) -> bool:
        if run.id in self.runs.get(run.profile, ()):
            return True
        cut = self.before.get(run.profile)
        ended = run.finished_at or run.updated_at or run.created_at
        return cut is not None and ended is not None and _aware(ended) <= _cut_time(cut)

    def acknowledge(self, runs: Iterable[Run], now: datetime | None = None) -> None:
        stamp = (now or datetime.now(UTC)).isoformat()
        for run in runs:
            self.runs.setdefault(run.profile, {}).setdefault(run.id, stamp)

    def acknowledge_all(self, profiles: Iterable[str], now: datetime | None = None) -> None:
        stamp = (now or datetime.now(UTC)).isoformat()
        for profile in profiles:
            self.before[profile] = stamp
            self.runs.pop(profile, None)  # the time covers them

    def save(self, now: datetime | None = None, *, held: Mapping[str, Collection[str]] | None = None) -> None:
        """Write what is seen, merged under the config's lock with what the file holds now:
        two TUIs on one state directory each rewrote the file from their own memory, and
        the last one's `a` undid the other's "all seen". What can no longer matter is
        forgotten first (`ack_pruning`; `held`: per profile, the ids of the runs the
        caller holds, kept however old): the file only ever grew. Raises
        AcknowledgementsNotKept (what is in memory still applies)."""
        try:
            refuse_link(self.path)  # the writer below follows a link to its target
            with locked(self.path):
                before, runs, problem = _read_acknowledgements(self.path)
                self.problem = self.problem or problem
                self._merge(before, runs)
                self.runs = pruned(self.runs, self.before, now or datetime.now(UTC), held=held)
                write_atomic(self.path, json.dumps(
                    {"before": self.before, "runs": {p: list(ids) for p, ids in self.runs.items()},
                     "acknowledged_at": self.runs}, indent=1))
                self.stamp = _file_stamp(self.path)
        except OSError as exc:
            raise AcknowledgementsNotKept(
                f"cannot write {self.path}: {exc.strerror or exc}") from None
        except ConfigError as exc:  # a link planted in its place
            raise AcknowledgementsNotKept(str(exc)) from None

    def _merge(self, before: Mapping[str, str], runs: Mapping[str, Mapping[str, str]]) -> bool:
        """Take in another copy's entries: the latest `before` per profile, every run id
        (marked when either copy first marked it). Whether anything was new."""
        changed = False
        for profile, cut in before.items():
            mine = self.before.get(profile)
            if mine is None or _cut_time(cut) > _cut_time(mine):
                self.before[profile] = cut
                changed = True
        for profile, marked in runs.items():
            entries = self.runs.setdefault(profile, {})
            for run_id, when in marked.items():
                if run_id not in entries:
                    entries[run_id] = when
                    changed = True
                elif _earlier(when, entries[run_id]):
                    entries[run_id] = when
        return changed


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _earlier(one: str, other: str) -> bool:
    """Whether the time `one` is before `other` (a time that does not parse is neither)."""
    try:
        return _aware(datetime.fromisoformat(one)) < _aware(datetime.fromisoformat(other))
    except ValueError:
        return False


def _read_acknowledgements(path: Path) -> tuple[dict[str, str], dict[str, dict[str, str]], str | None]:
    """The file's readable entries, and what could not be read (None: all of it was). An
    entry that cannot be read is left out and said; it never stops the rest, and never
    hides a profile's failures (a time that does not parse covers nothing)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, {}, None
    except OSError as exc:
        return {}, {}, f"{path}: cannot read ({exc.strerror or exc}): nothing read as seen"
    except ValueError:
        return {}, {}, f"{path}: not JSON: nothing in it read as seen"
    if not isinstance(data, dict):
        return {}, {}, f"{path}: not a JSON object: nothing in it read as seen"
    bad: list[str] = []
    before = _read_before(data.get("before", {}), bad)
    runs = _read_runs(data.get("runs", {}), data.get("acknowledged_at", {}), bad)
    if not bad:
        return before, runs, None
    return before, runs, f"{path}: ignored what could not be read ({'; '.join(bad)}); the rest is kept"


def _read_before(raw: Any, bad: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        bad.append("`before`: not an object")
        return {}
    before: dict[str, str] = {}
    for profile, text in raw.items():
        when = _parse_cut(text)
        if when is None:
            bad.append(f"`before` of {profile}: not a time")
        else:
            before[str(profile)] = when.isoformat()
    return before


def _read_runs(raw: Any, raw_times: Any, bad: list[str]) -> dict[str, dict[str, str]]:
    """The run ids marked seen, each with when (`acknowledged_at`; an id without a time, as
    earlier versions wrote them, or with one that does not parse: now)."""
    if not isinstance(raw, dict):
        bad.append("`runs`: not an object")
        return {}
    times = raw_times if isinstance(raw_times, dict) else {}
    now = datetime.now(UTC).isoformat()
    runs: dict[str, dict[str, str]] = {}
    for profile, ids in raw.items():
        if not isinstance(ids, list):
            bad.append(f"`runs` of {profile}: not a list")
            continue
        kept = [run_id for run_id in ids if isinstance(run_id, str) and run_id]
        if len(kept) < len(ids):
            bad.append(f"`runs` of {profile}: {len(ids) - len(kept)} not a run id")
        marked = times.get(profile)
        marked = marked if isinstance(marked, dict) else {}
        runs[str(profile)] = {run_id: _time_text(marked.get(run_id)) or now for run_id in kept}
    return runs


def _time_text(text: Any) -> str | None:
    """`text` as a time with its offset (one without is UTC), or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        return _aware(datetime.fromisoformat(text)).isoformat()
    except ValueError:
        return None


def _parse_cut(text: Any) -> datetime | None:
    """A `before` time. One without an offset (what a person typing it writes) is the local
    time: runtui shows every clock time in the local zone, as `date` does, so that is
    the time the person read. Compared as it was, it raised TypeError, and the queue left
    out every item of that profile without a word."""
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.astimezone()


def _cut_time(text: str) -> datetime:
    """A `before` time read back (always written with its offset; one made in memory by a
    caller without one is taken as UTC, as `_aware` takes a run's)."""
    return _aware(datetime.fromisoformat(text))


def build_queue(runs: Iterable[Run], *, health: Mapping[str, Health] | None = None,
                acks: Acknowledgements | None = None,
                waiting_at: Mapping[Key, list[str]] | None = None,
                failed_why: Mapping[Key, str] | None = None,
                waits_on_human: Mapping[str, frozenset[str]] | None = None,
                read_only: Mapping[str, bool] | None = None,
                requests: Mapping[Key, HumanRequest] | None = None,
                troubles: Mapping[str, list[str]] | None = None,
                now: datetime | None = None,
                trouble_after: timedelta = TROUBLE_AFTER,
                times: WorkflowTimes | None = None,
                clock_offsets: Mapping[str, timedelta] | None = None) -> list[AttentionItem]:
    """Every item that needs a human: profile trouble first, then the runs' items, most
    urgent reason first, newest first within it.

    `waits_on_human`: per provider, raw statuses (lower-case) that wait on a person
    although their common status is not `waiting` (e.g. a paused run asking for input).
    `trouble_after`: how long a profile must be in error to count (a one-shot command,
    which cannot know for how long, passes zero). `times`: the workflows' usual times,
    when not computed from `runs` themselves (the live queue judges a few runs
    against everything it knows). `requests`: what a platform lists apart from
    run statuses (Wexa's inbox), by run; such a run waits on a human whatever its
    status says. `troubles`: per profile, what its adapter sees wrong with the
    account (a Prefect work pool with no worker while runs are due). `clock_offsets`:
    per profile, how far its server's clock is ahead of `now`; its runs are judged on it
    (a waiting run "waits … in 10m50s", a stuck one judged 15 min late). `failed_why`:
    why failed runs whose listing says nothing failed, read from their detail
    (`failure_reason`).
    """
    now = now or datetime.now(UTC)
    local_now = now
    runs = list(runs)
    human = waits_on_human or {}
    items: list[AttentionItem] = []
    history = times if times is not None else WorkflowTimes.of(runs)

    def item(reason: Reason, run: Run, detail: str) -> AttentionItem:
        only_read = bool((read_only or {}).get(run.profile, False))
        return AttentionItem(reason, run.profile, run.provider, detail, run,
                             tuple(allowed_actions(run, read_only=only_read)))

    for run in runs:
        if clock_offsets:
            now = local_now + clock_offsets.get(run.profile, _NO_OFFSET)
        status = run.status
        raw = (run.raw_status or "").lower()
        asked = (requests or {}).get(run.key)
        if asked is not None and not status.terminal:
            items.append(item(Reason.WAITING, run, asked.title))
        elif status is _WAITING or raw in human.get(run.provider, frozenset()):
            steps = (waiting_at or {}).get(run.key)
            since = display.relative(run.updated_at or run.started_at or run.created_at, now)
            where = f"waits at {', '.join(steps)}" if steps else f"{run.raw_status or run.status.value}"
            where += f", {since}" if since else ""
            items.append(item(Reason.WAITING, run, where))
        elif status is _FAILED and not (acks is not None and acks.seen(run)):
            # What its detail said first: the failed steps by name, where the run's error
            # (its listing's, or its detail's kept on the row) names none.
            why = (failed_why or {}).get(run.key) or run.last_error
            items.append(item(Reason.FAILED, run, why or "failed"))
        elif status is _RUNNING and run.started_at is not None:
            cutoff = _cutoff(status, history, workflow_key(run), now)
            if cutoff is not None and _aware(run.started_at) < cutoff:
                took = now - _aware(run.started_at)
                p95_s = history.usual_duration(workflow_key(run)) or 0.0
                items.append(item(Reason.STUCK, run, f"running {_minutes(took)}, usually under "
                                                     f"{_minutes(timedelta(seconds=p95_s))} (p95)"))
        elif status is _QUEUED and run.created_at is not None:
            cutoff = _cutoff(status, history, workflow_key(run), now)
            if cutoff is not None and _aware(run.created_at) < cutoff:
                waited = now - _aware(run.created_at)
                items.append(item(Reason.LATE, run, f"queued {_minutes(waited)}, not started"))
    now = local_now
    troubled: dict[str, list[str]] = {p: list(m) for p, m in (troubles or {}).items() if m}
    for profile, state in sorted((health or {}).items()):
        if state.state in (HealthState.ERROR, HealthState.RATE_LIMITED, HealthState.CONFIG):
            began = state.since or now
            if state.state is HealthState.CONFIG or now - _aware(began) >= trouble_after:
                troubled.setdefault(profile, []).insert(0, state.describe(now))
    for profile, messages in sorted(troubled.items()):
        provider = next((r.provider for r in runs if r.profile == profile), "")
        items.append(AttentionItem(Reason.PROFILE, profile, provider, "; ".join(messages)))
    items.sort(key=order_key)
    return items


def order_key(item: AttentionItem) -> tuple[int, float, str, str]:
    """Where an item goes in the queue: most urgent reason first, newest first within
    it, then by profile and run id, so that a list kept in this order can take one
    changed item at its place (a bisection) and ties never move between two reads."""
    run = item.run
    return _RANK[item.reason], -stamp(run), item.profile, run.id if run is not None else ""


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def stamp(run: Run | None) -> float:
    """When a run last moved (its end, else its start, else its creation), in seconds:
    the queue's newest-first order; 0 without any time."""
    when = None if run is None else (run.finished_at or run.started_at or run.created_at)
    return 0.0 if when is None else _aware(when).timestamp()


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


class AttentionQueue:
    """The queue kept live from the store's deltas, for the TUI.

    A delta re-judges only the runs it carries (and keeps the workflows' usual times,
    `usual_times`), and `tick()` re-judges the running and queued runs that the clock
    can have changed the verdict of (stuck and late), the waiting ones (their text says
    since when) and the profiles' health. `on_new`
    hears about items that appeared while the app ran (a status change or a clock
    verdict), not about the backlog found by the first listing.
    """

    STATS_EVERY = 60.0

    def __init__(self, *, acks: Acknowledgements | None = None,
                 waits_on_human: Mapping[str, frozenset[str]] | None = None,
                 read_only: Mapping[str, bool] | None = None,
                 on_new: Callable[[AttentionItem], None] | None = None) -> None:
        self.acks = acks
        self.waits_on_human = dict(waits_on_human or {})
        self.read_only = dict(read_only or {})
        self.on_new = on_new
        self.items: dict[tuple[str, str], AttentionItem] = {}  # (profile, run id or "")
        self._runs: dict[Key, Run] = {}
        self._clocked: dict[Key, Run] = {}  # the running and queued ones, for the clock's tick
        self._health: dict[str, Health] = {}
        self._requests: dict[Key, HumanRequest] = {}
        self._troubles: dict[str, list[str]] = {}
        self._waiting_at: dict[Key, list[str]] = {}
        self._failed_why: dict[Key, str] = {}  # failures read apart from listings: why (or "")
        self._times = WorkflowTimes()
        # Per profile, how far its server's clock is ahead of ours (where it matters): its
        # runs are judged on its clock. Set by the face that learns it.
        self.clock_offsets: dict[str, timedelta] = {}
        # Runs that come in bulk (a listing) are read into the times all at once, at most
        # every STATS_EVERY seconds; live changes, one by one (`WorkflowTimes.put`).
        self._times_behind = False
        self._times_read_at: datetime | None = None

    def __len__(self) -> int:
        return len(self.items)

    def sorted_items(self) -> list[AttentionItem]:
        return sorted(self.items.values(), key=order_key)

    def apply(self, added: Iterable[Run], changed: Iterable[Run], removed: Iterable[Run], *,
              live: bool = True, now: datetime | None = None) -> None:
        """Fold one store delta in; `live=False` for the first listing (no `on_new`)."""
        now = now or datetime.now(UTC)
        runs, clocked = self._runs, self._clocked
        touched = [*added, *changed]
        if not live and touched:
            self._times_behind = True
        times = None if self._times_behind else self._times
        for run in removed:
            old = runs.pop(run.key, None)
            if times is not None:
                times.put(old, None)
            clocked.pop(run.key, None)
            self.items.pop(run.key, None)
            self._waiting_at.pop(run.key, None)
            self._failed_why.pop(run.key, None)
        for run in touched:
            key = run.key
            if times is not None:
                times.put(runs.get(key), run)
            runs[key] = run
            if run.status in _CLOCKED:
                clocked[key] = run
            else:
                clocked.pop(key, None)
        self._judge(touched, now, live=live)

    def set_requests(self, profile: str, requests: Iterable[HumanRequest], *,
                     now: datetime | None = None, live: bool = True) -> None:
        """Replace `profile`'s listed requests (an inbox poll) and re-judge the runs they touch."""
        fresh = {(r.profile, r.run_id): r for r in requests if r.profile == profile}
        touched = {k for k in self._requests if k[0] == profile} | set(fresh)
        self._requests = {k: r for k, r in self._requests.items() if k[0] != profile} | fresh
        runs = [self._runs[k] for k in touched if k in self._runs]
        self._judge(runs, now or datetime.now(UTC), live=live)

    def set_troubles(self, profile: str, messages: list[str], *, now: datetime | None = None,
                     live: bool = True) -> None:
        """Replace what `profile`'s adapter sees wrong with the account (polled)."""
        self._troubles[profile] = list(messages)
        self._judge_profiles(now or datetime.now(UTC), live=live)

    def set_waiting_at(self, key: Key, steps: list[str], *, now: datetime | None = None) -> None:
        """Where a waiting run waits (its detail's waiting steps), read apart from listings."""
        self._waiting_at[key] = list(steps)
        run = self._runs.get(key)
        if run is not None:
            self._judge([run], now or datetime.now(UTC), live=False)

    def waiting_at_known(self, key: Key) -> bool:
        return key in self._waiting_at

    def set_failed_why(self, key: Key, why: str, *, now: datetime | None = None) -> None:
        """Why a failed run failed (`failure_reason` of its detail; "" when it says nothing),
        read once apart from listings: a failed run does not change."""
        self._failed_why[key] = why
        run = self._runs.get(key)
        if run is not None:
            self._judge([run], now or datetime.now(UTC), live=False)

    def failed_why_known(self, key: Key) -> bool:
        return key in self._failed_why

    def request_for(self, key: Key) -> HumanRequest | None:
        return self._requests.get(key)

    def set_health(self, health: Health, *, now: datetime | None = None, live: bool = True) -> None:
        self._health[health.profile] = health
        self._judge_profiles(now or datetime.now(UTC), live=live)

    def tick(self, now: datetime | None = None, *, reword: bool | Collection[Key] = True) -> None:
        """Re-judge what the clock alone can change: which running and queued runs are
        stuck or late, profile trouble and, unless `reword` is false (or empty), the text
        of the items that counts minutes ("running 42 min", "waits at approve, 3h"): of
        every item, or of the items of the runs `reword` names.

        Only a list of the items shows that text, and only its rows on screen: at 50,000
        runs ~8,000 wait and re-wording them (and the stuck ones) took 15-25 ms of every
        tick while nobody looked, 40-60 ms at 100,000. The screen that lists them calls
        `reword` when it shows, then names the runs of its rows on screen.
        """
        now = now or datetime.now(UTC)
        self._catch_up_times(now)
        due = {run.key: run for run in self._due(now)}
        if reword:
            due.update((run.key, run) for run in self._worded(None if reword is True else reword))
        self._judge(list(due.values()), now, live=True)
        self._judge_profiles(now, live=True)

    def reword(self, now: datetime | None = None, keys: Collection[Key] | None = None) -> None:
        """Say again how long each item's run (or each of `keys`') has waited, run or
        queued (the ticks' `reword=False` left the text as it was judged)."""
        self._judge(self._worded(keys), now or datetime.now(UTC), live=True)

    def _worded(self, keys: Collection[Key] | None = None) -> list[Run]:
        """The runs of the items (all, or `keys`') whose text counts time."""
        items = self.items
        chosen = items.values() if keys is None else [i for k in keys if (i := items.get(k)) is not None]
        return [item.run for item in chosen if item.reason in _CLOCK_WORDED and item.run is not None]

    @property
    def times(self) -> WorkflowTimes:
        """The workflows' usual times the runs are judged against."""
        return self._times

    def catch_up(self, now: datetime | None = None) -> None:
        """Read every run into the workflows' times now, if runs came in bulk since they
        last were (a listing is in: its p95s should not wait for the next minute)."""
        if self._times_behind:
            self._times = WorkflowTimes.of(self._runs.values())
            self._times_read_at = now or datetime.now(UTC)
            self._times_behind = False

    def _catch_up_times(self, now: datetime) -> None:
        """`catch_up`, unless the times were read less than STATS_EVERY ago (not once per
        page of a listing)."""
        read_at = self._times_read_at
        if read_at is None or (now - read_at).total_seconds() >= self.STATS_EVERY:
            self.catch_up(now)

    def _due(self, now: datetime) -> list[Run]:
        """The running and queued runs whose verdict the clock may have changed: those now
        past their workflow's usual time (stuck, late) and those no longer past it (the
        usual times moved). The others, most of them, would be judged the same again:
        judging each of 12,500 running runs cost ~100 ms a tick at 50,000 runs."""
        items, requests, times = self.items, self._requests, self._times
        human, offsets = self.waits_on_human, self.clock_offsets
        cutoffs: dict[tuple[Status, WorkflowKey], datetime | None] = {}
        due: list[Run] = []
        for key, run in self._clocked.items():
            has_item = key in items
            asks_a_human = (run.raw_status or "").lower() in human.get(run.provider, ())
            if key in requests or asks_a_human:
                if not has_item:  # waits on a person: once judged, only its text can change
                    due.append(run)  # (judged in full: `build_queue`)
                continue
            since = run.started_at if run.status is _RUNNING else run.created_at
            if since is None:
                if has_item:
                    due.append(run)
                continue
            workflow = workflow_key(run)  # (its profile's): one offset per key
            cut = (run.status, workflow)
            if cut in cutoffs:
                cutoff = cutoffs[cut]
            else:
                at = now + offsets.get(run.profile, _NO_OFFSET) if offsets else now
                cutoff = cutoffs[cut] = _cutoff(run.status, times, workflow, at)
            past = cutoff is not None and _aware(since) < cutoff
            if past != has_item:
                due.append(run)
        return due

    def keep_profiles(self, profiles: Collection[str]) -> None:
        """Forget every profile not in `profiles` (removed or renamed in the config): its
        items, runs, health and polled requests and trouble. Nothing else would ever
        resolve them, and they stayed in the queue and its count for good."""
        kept = set(profiles)
        gone = [key for key in self._runs if key[0] not in kept]
        for key in gone:
            del self._runs[key]
            self._clocked.pop(key, None)
            self._waiting_at.pop(key, None)
            self._failed_why.pop(key, None)
        if gone:
            self._times_behind = True  # the usual times are read again without them
        self.items = {k: i for k, i in self.items.items() if k[0] in kept}
        self._requests = {k: r for k, r in self._requests.items() if k[0] in kept}
        self._health = {p: h for p, h in self._health.items() if p in kept}
        self._troubles = {p: m for p, m in self._troubles.items() if p in kept}
        self.read_only = {p: r for p, r in self.read_only.items() if p in kept}

    def acknowledge(self, runs: Iterable[Run]) -> None:
        """The runs are seen, and leave the queue even when the file cannot keep that
        (then AcknowledgementsNotKept is raised last, for the face to say)."""
        if self.acks is not None:
            runs = list(runs)
            self.acks.acknowledge(runs)
            for run in runs:
                item = self.items.get(run.key)
                if item is not None and item.reason is Reason.FAILED:
                    del self.items[run.key]
            self.acks.save(held=self._held())

    def acknowledge_all(self, now: datetime | None = None) -> int:
        """Every failure so far is seen; how many items that took out of the queue. Done
        for this session even when the file cannot keep it (AcknowledgementsNotKept is
        raised last: the count is `failure_count()` before the call)."""
        if self.acks is None:
            return 0
        self.acks.acknowledge_all({p for p, _ in self._runs}, now)
        before = len(self.items)
        self.items = {k: i for k, i in self.items.items() if i.reason is not Reason.FAILED}
        self.acks.save(now, held=self._held())
        return before - len(self.items)

    def _held(self) -> dict[str, set[str]]:
        """The ids of the runs held, per profile whose listing has ended whole at least
        once: their acknowledgements are kept however old. A profile still loading is left
        out, so none of its old entries is forgotten for a run not read yet."""
        listed = {p for p, health in self._health.items() if health.last_ok is not None}
        held: dict[str, set[str]] = {p: set() for p in listed}
        for profile, run_id in self._runs:
            if profile in listed:
                held[profile].add(run_id)
        return held

    def read_acknowledgements(self) -> bool:
        """Take in what another runtui saved in the acknowledgements file (two TUIs, or
        `attention ack` beside the TUI), and drop the failures it marks as seen. Whether
        anything changed. A stat of the file when nothing did."""
        acks = self.acks
        if acks is None or not acks.refresh():
            return False
        self.items = {k: i for k, i in self.items.items()
                      if not (i.reason is Reason.FAILED and i.run is not None and acks.seen(i.run))}
        return True

    def failure_count(self) -> int:
        """Failures not seen yet: what `acknowledge_all` would take out."""
        return sum(item.reason is Reason.FAILED for item in self.items.values())

    def _judge(self, runs: list[Run], now: datetime, *, live: bool) -> None:
        self._catch_up_times(now)
        verdicts = build_queue(runs, acks=self.acks, waits_on_human=self.waits_on_human,
                               read_only=self.read_only, requests=self._requests,
                               waiting_at=self._waiting_at, failed_why=self._failed_why,
                               now=now, times=self._times,
                               clock_offsets=self.clock_offsets)
        judged = {i.run.key: i for i in verdicts if i.run is not None}
        for run in runs:
            item = judged.get(run.key)
            before = self.items.get(run.key)
            if item is None:
                self.items.pop(run.key, None)
                continue
            if item == before:
                continue  # the same verdict and words: kept, so a reader sees what changed by identity
            self.items[run.key] = item
            if live and self.on_new is not None and (before is None or before.reason is not item.reason):
                self.on_new(item)

    def _judge_profiles(self, now: datetime, *, live: bool) -> None:
        verdicts = build_queue([], health=self._health, troubles=self._troubles, now=now, times=self._times)
        fresh = {(i.profile, ""): i for i in verdicts}
        for key in [k for k in self.items if k[1] == "" and k not in fresh]:
            del self.items[key]
        for key, item in fresh.items():
            if key not in self.items and live and self.on_new is not None:
                self.on_new(item)
            self.items[key] = item


_CLOCKED = frozenset({Status.RUNNING, Status.QUEUED})
_NO_OFFSET = timedelta(0)
_CLOCK_WORDED = frozenset({Reason.WAITING, Reason.STUCK, Reason.LATE})  # their text counts time


def _cutoff(status: Status, times: WorkflowTimes, workflow: WorkflowKey, now: datetime) -> datetime | None:
    """Runs of `workflow` in `status` that started (running) or were queued (queued) before
    this are stuck or late at `now` (None: none can be): past the floor and past the
    workflow's p95. The one rule `build_queue` and the tick's `_due` both judge by."""
    if status is _RUNNING:
        usual = times.usual_duration(workflow)
        return None if usual is None else now - max(STUCK_FLOOR, timedelta(seconds=usual))
    return now - max(LATE_FLOOR, timedelta(seconds=times.usual_wait(workflow) or 0.0))
