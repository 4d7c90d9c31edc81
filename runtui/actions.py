"""The allowed-actions rules: (provider, kind, raw status) -> actions, with reasons.

Each adapter declares its own `ActionTable` (raw statuses are its platform's words).

Both faces ask `decide()`; neither hard-codes a rule. The read-only gate lives
here too, so a read-only profile loses every mutating action in one place
(as k9s's ClearDanger does).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import force_setattr

from runtui.model import Action, Kind, Run, Status

if TYPE_CHECKING:
    from runtui.workflow_model import Trigger


class Decision(msgspec.Struct, frozen=True):
    action: Action
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


class Interim(msgspec.Struct, frozen=True):
    """A raw state an action's read-back may show on its way to the asked end (Prefect's
    CANCELLING after a cancel): said as `word` ("cancelling") with `why`, so a successful
    action never reads as its common status ("running"), which looks like a failure."""

    word: str
    why: str


class ActionTable(msgspec.Struct, frozen=True):
    """Raw status (case-insensitive) -> actions a run in that status accepts.

    `per_kind` lets one provider hold separate rules for runs and tasks.
    `can_execute` says whether the provider can start new runs at all.
    """

    provider: str
    per_kind: Mapping[Kind, Mapping[str, frozenset[Action]]]
    can_execute: bool = True
    notes: Mapping[Action, str] = msgspec.field(default_factory=dict)
    statuses: Mapping[str, Status] = msgspec.field(default_factory=dict)
    """Raw status (lower case) -> common status, so refusals speak in common words."""
    workflow_rules: Mapping[str, frozenset[Action]] = msgspec.field(default_factory=dict)
    """A trigger's raw state (B3OS workflow status, Edges schedule status, …) -> the
    workflow-level actions it takes. Empty: the platform has no workflow-level control."""
    workflow_note: str = ""
    """What a workflow-level pause means on this platform, or why there is none."""
    interim: Mapping[Action, Mapping[str, Interim]] = msgspec.field(default_factory=dict)
    """Action -> raw status (any case) that means "on its way to the end it asked for"."""
    caveats: Mapping[Action, str] = msgspec.field(default_factory=dict)
    """Action -> what the platform really does with it where that is not what its name
    promises (Prefect's pause does not stop the flow's code): said before it is sent,
    with its outcome, and in the command's help. Not a refusal (`notes` are)."""
    _lower: Mapping[Kind, Mapping[str, frozenset[Action]]] = msgspec.field(default_factory=dict)
    """`per_kind` with its raw statuses in lower case, built from it (whatever is passed)."""

    def __post_init__(self) -> None:
        lowered = {k: {s.lower(): a for s, a in rules.items()} for k, rules in self.per_kind.items()}
        force_setattr(self, "_lower", lowered)

    def allowed_on_trigger(self, state: str | None) -> frozenset[Action]:
        rules = {s.lower(): a for s, a in self.workflow_rules.items()}
        return rules.get(_norm(state), frozenset())

    def allowed(self, kind: Kind, raw_status: str | None) -> frozenset[Action]:
        rules: Mapping[str, frozenset[Action]] = self._lower.get(kind, {})
        return rules.get(_norm(raw_status), frozenset())

    def sources(self, kind: Kind, action: Action) -> list[str]:
        """Statuses from which `action` is allowed, for refusal messages: the common ones
        ("running, paused") where the table knows them, else the platform's own."""
        raw = [s for s, acts in self.per_kind.get(kind, {}).items() if action in acts]
        common = {s.lower(): c for s, c in self.statuses.items()}
        if common and all(s.lower() in common for s in raw):
            return [c.value for c in sorted({common[s.lower()] for s in raw})]
        return raw


def interim_of(action: Action, run: Run) -> Interim | None:
    """What `run`'s raw status means right after `action`, when it is on its way to the end
    the action asked for rather than there yet (the platform's table says which)."""
    table = table_for(run.provider)
    if table is None:
        return None
    found = {s.lower(): i for s, i in table.interim.get(action, {}).items()}
    return found.get(_norm(run.raw_status))


def caveat_of(action: Action, provider: str) -> str | None:
    """What `provider`'s platform does with `action` that its name does not promise."""
    table = table_for(provider)
    return None if table is None else table.caveats.get(action)


def _norm(raw: str | None) -> str:
    return "" if raw is None else raw.strip().lower()


def table_rows(rows: Iterable[tuple[str, Iterable[Action]]]) -> dict[str, frozenset[Action]]:
    return {status: frozenset(actions) for status, actions in rows}


A = Action
_TABLES: dict[str, ActionTable] = {}


def register_table(table: ActionTable) -> None:
    """Each adapter declares its table beside its parsing; the registry registers it when the
    adapter is loaded, so this module never imports a provider."""
    _TABLES[table.provider] = table


def table_for(provider: str) -> ActionTable | None:
    """The table of a loaded provider; None for one that was never loaded (no actions)."""
    return _TABLES.get(provider)


PER_RUN = (A.START, A.PAUSE, A.RESUME, A.CANCEL, A.RETRY, A.STOP)


def on_kind(action: Action, run: Run) -> Action:
    """The action a key means on this run: `c` (cancel) on a task stops it, the platform's
    word for ending a task (the runs list maps it in tasks scope; the detail asks here)."""
    return Action.STOP if action is Action.CANCEL and run.kind is Kind.TASK else action


def decide(run: Run, action: Action, *, read_only: bool = False, busy: bool = False) -> Decision:
    """May `action` be sent for `run` now? Says why not in words a user can act on."""
    if read_only:
        return Decision(action, False, "profile is read-only")
    if busy:
        return Decision(action, False, "another action on this run is still in flight")
    table = table_for(run.provider)
    if table is None:
        return Decision(action, False, f"no actions known for provider {run.provider!r}")
    if action is A.EXECUTE:
        if table.can_execute:
            return Decision(action, True)
        return Decision(action, False, f"{run.provider} runs cannot be started from runtui")
    allowed = table.allowed(run.kind, run.raw_status)
    if action in allowed:
        return Decision(action, True)
    if action in table.notes:
        return Decision(action, False, table.notes[action])
    sources = table.sources(run.kind, action)
    if not sources:
        return Decision(action, False, f"{run.provider} {run.kind.value}s do not support {action.value}")
    return Decision(
        action,
        False,
        f"cannot {action.value} a {run.status.value} {run.kind.value}{_raw_note(run)}; "
        f"{action.value} works on {_words(sources)} {run.kind.value}s",
    )


def _raw_note(run: Run) -> str:
    """The platform's own word for the run's state, when it says more than the common one."""
    raw = run.raw_status
    return f" ({raw})" if raw and raw.lower() != run.status.value else ""


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def allowed_actions(run: Run, *, read_only: bool = False) -> list[Action]:
    """Per-run actions allowed now, in a stable order.

    The same verdicts as `decide` (a test holds them equal), without building the
    refusal messages: the attention queue asks this of every failed run it lists."""
    table = None if read_only else table_for(run.provider)
    if table is None:
        return []
    allowed = table.allowed(run.kind, run.raw_status)
    return [a for a in PER_RUN if a in allowed]


def can_execute(provider: str, *, read_only: bool = False) -> Decision:
    if read_only:
        return Decision(A.EXECUTE, False, "profile is read-only")
    table = table_for(provider)
    if table is None or not table.can_execute:
        return Decision(A.EXECUTE, False, f"{provider} runs cannot be started from runtui")
    return Decision(A.EXECUTE, True)


PER_TRIGGER = (A.PAUSE, A.RESUME, A.CANCEL)


def decide_trigger(trigger: Trigger, action: Action, *, read_only: bool = False,
                   busy: bool = False) -> Decision:
    """May workflow-level `action` be sent to `trigger` now? The same gates as a run's:
    read-only first, then one action in flight, then the platform's table."""
    if read_only:
        return Decision(action, False, "profile is read-only")
    if busy:
        return Decision(action, False, "another action on this workflow is still in flight")
    table = table_for(trigger.provider)
    if table is None or not table.workflow_rules:
        note = table.workflow_note if table is not None else ""
        return Decision(action, False, note or f"{trigger.provider} has no workflow-level actions")
    if action in table.allowed_on_trigger(trigger.state):
        return Decision(action, True)
    sources = [s for s, acts in table.workflow_rules.items() if action in acts]
    if not sources:
        return Decision(action, False, f"{trigger.provider} workflows do not support {action.value}")
    return Decision(action, False, f"cannot {action.value} a workflow whose trigger is "
                                   f"{trigger.state or 'in an unknown state'}; "
                                   f"{action.value} works on {_words(sources)} ones")


def allowed_trigger_actions(trigger: Trigger, *, read_only: bool = False) -> list[Action]:
    """Workflow-level actions allowed now, in a stable order."""
    return [a for a in PER_TRIGGER if decide_trigger(trigger, a, read_only=read_only)]


def looks_done(action: Action, run: Run) -> bool:
    """Does `run`'s state show `action` took effect? Asked after a lost answer, of the
    read-back and of the runs later polls read (runtui.engine.outcomes)."""
    expected: dict[Action, Collection[Status]] = {
        Action.PAUSE: {Status.PAUSED},
        Action.RESUME: {Status.RUNNING, Status.QUEUED, Status.SUCCEEDED, Status.FAILED},
        Action.CANCEL: {Status.CANCELLED},
        Action.STOP: {Status.CANCELLED},
        Action.START: {Status.RUNNING, Status.SUCCEEDED, Status.FAILED},
    }
    return run.status in expected.get(action, ())


def skip_reason(action: Action, fresh: Run | None) -> str | None:
    """Why a refused `action` left nothing undone, or None when the refusal is a failure.

    The platform refused and `fresh`, the run as read back, is in a state the action does
    not apply to: it ended (or moved on) between the read the action was decided on and the
    request (a cancel of a run that succeeded meanwhile). Asking again would be refused
    before anything is sent, so it is said as that refusal is: "skipped", with the state.
    A retry refused on a run still failed is not this: the action still applies."""
    if fresh is None:
        return None
    decision = decide(fresh, action)
    if decision:
        return None
    if fresh.status.terminal:
        return f"the run had already ended as {fresh.status.value}{_raw_note(fresh)}"
    return decision.reason
