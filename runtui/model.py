"""The common run model every provider parses into and every face reads from.

Frozen msgspec Structs, no I/O: adapters build them, the engine stores them, the
CLI and the TUI render them. Not pydantic models, and no longer dataclasses: with
tens of thousands of runs alive a Struct is as small as a slotted dataclass, a Run
builds in a fifth of the time (1.2 against 5.7 us: a frozen dataclass sets each
field through object.__setattr__), and its class is made in C (~40 us against ~1 ms
for a frozen slotted dataclass: start-up time before the first rows).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from sys import intern as _intern
from typing import Any, Self

import msgspec
from msgspec.structs import force_setattr


class Status(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def active(self) -> bool:
        """Still able to change on its own (polled faster than finished runs)."""
        return self in ACTIVE


TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})
ACTIVE = frozenset({Status.QUEUED, Status.RUNNING, Status.PAUSED, Status.WAITING})


class Action(enum.StrEnum):
    EXECUTE = "execute"  # start a new run (or launch a prepared Wexa execution)
    START = "start"  # launch an existing, created-but-not-started run (Wexa)
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    RETRY = "retry"  # B3OS: new run from a failed one
    STOP = "stop"  # Wexa task stop

    @property
    def destructive(self) -> bool:
        return self in DESTRUCTIVE


DESTRUCTIVE = frozenset({Action.CANCEL, Action.STOP})


class Kind(enum.StrEnum):
    """What a row stands for: most providers only have runs; Wexa also has tasks."""

    RUN = "run"
    TASK = "task"


MAX_ID_LENGTH = 1024
"""Longer than any platform's ids (UUIDs, slugs, Mongo ids), far below URL limits."""


def id_is_invalid(text: str) -> bool:
    """No platform's id is empty, `.` or `..`, or holds a slash, a backslash, NUL or a
    line break; such an id would leave its URL path segment (many servers decode %2F
    before routing). One rule for the HTTP layer and the command line, so a bad id is
    the user's usage error before any request, never a profile that "could not be read"."""
    return text in ("", ".", "..") or any(ch in text for ch in "\x00\r\n/\\")


def id_is_unaddressable(text: str) -> bool:
    """No request can name a run with this id (`id_is_invalid`, or longer than any
    platform's): a listed run with such an id could be shown, but never read again,
    acted on or followed."""
    return len(text) > MAX_ID_LENGTH or id_is_invalid(text)


class _Copy:
    """`model_copy(update=...)`, the one pydantic habit the code base keeps."""

    __slots__ = ()

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        return msgspec.structs.replace(self, **(update or {}))  # type: ignore[type-var]


class Cost(_Copy, msgspec.Struct, frozen=True):
    amount: float
    unit: str  # "credits", "CU", "tokens"

    def __str__(self) -> str:
        value = f"{self.amount:.0f}" if float(self.amount).is_integer() else f"{self.amount:.2f}"
        return f"{value} {self.unit}"


class Run(_Copy, msgspec.Struct, frozen=True):
    """One run (or Wexa task) as every face sees it."""

    profile: str
    provider: str
    id: str
    kind: Kind = Kind.RUN
    workflow_id: str | None = None
    workflow_name: str | None = None
    status: Status = Status.UNKNOWN
    raw_status: str | None = None
    partial: bool = False
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime | None = None
    cost: Cost | None = None
    last_error: str | None = None
    parent_id: str | None = None
    task_id: str | None = None
    key: tuple[str, str] = ("", "")
    """Identity across refreshes: a run id is only unique within a profile. Built once,
    from `profile` and `id` (whatever is passed for it): the store, the table, the queue
    and the stats all key by it (a tuple each time was 2.4 tuples a run kept alive at
    100,000 runs, 13 MB)."""

    def __post_init__(self) -> None:
        put = force_setattr
        put(self, "key", (self.profile, self.id))
        # The texts most runs repeat (a workflow's name, a status word) arrive as new
        # strings in every answer: one shared copy each, ~15 MB less at 100,000 runs.
        if type(self.workflow_id) is str:
            put(self, "workflow_id", _intern(self.workflow_id))
        if type(self.workflow_name) is str:
            put(self, "workflow_name", _intern(self.workflow_name))
        if type(self.raw_status) is str:
            put(self, "raw_status", _intern(self.raw_status))

    @property
    def workflow(self) -> str | None:
        return self.workflow_name or self.workflow_id

    def duration(self, now: datetime | None = None) -> float | None:
        """Seconds run so far (ticking while active) or in total once finished."""
        start = self.started_at or self.created_at
        if start is None:
            return None
        end = self.finished_at
        if end is None:
            if self.status.terminal:
                return None
            end = now or datetime.now(UTC)
        return max(0.0, (end - start).total_seconds())

    def to_json(self) -> dict[str, Any]:
        """The stable, documented `--json` shape of a run."""
        return {
            "profile": self.profile,
            "provider": self.provider,
            "id": self.id,
            "kind": self.kind.value,
            "workflow": self.workflow,
            "workflow_id": self.workflow_id,
            "workflow_name": self.workflow_name,
            "status": self.status.value,
            "raw_status": self.raw_status,
            "partial": self.partial,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "updated_at": _iso(self.updated_at),
            "cost": None if self.cost is None else {"amount": self.cost.amount, "unit": self.cost.unit},
            "last_error": self.last_error,
            "parent_id": self.parent_id,
            "task_id": self.task_id,
        }


class Step(_Copy, msgspec.Struct, frozen=True):
    """A node/agent/step of a run; children make a tree (Wexa task nodes)."""

    id: str
    name: str | None = None
    type: str | None = None
    status: Status = Status.UNKNOWN
    raw_status: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    output: Any = None
    children: tuple[Step, ...] = ()
    # What names this step alike in every run of its workflow, when `name` does not (a
    # Prefect task run's name ends in a per-run suffix). Comparing two runs pairs steps by
    # it, else by name; None: the name is the identity.
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "status": self.status.value,
            "raw_status": self.raw_status,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "error": self.error,
            "output": self.output,
            "children": [c.to_json() for c in self.children],
        }


class TimelineEntry(_Copy, msgspec.Struct, frozen=True):
    at: datetime | None
    status: Status
    raw_status: str | None = None
    note: str | None = None


class RunDetail(_Copy, msgspec.Struct, frozen=True):
    """A run plus what only the detail view needs: steps, outputs, raw JSON."""

    run: Run
    steps: tuple[Step, ...] = ()
    outputs: tuple[dict[str, Any], ...] = ()
    inputs: dict[str, Any] = msgspec.field(default_factory=dict)
    timeline: tuple[TimelineEntry, ...] = ()
    raw: Any = None

    def to_json(self) -> dict[str, Any]:
        data = self.run.to_json()
        data["steps"] = [s.to_json() for s in self.steps]
        data["outputs"] = list(self.outputs)
        data["inputs"] = self.inputs
        data["timeline"] = [
            {"at": _iso(t.at), "status": t.status.value, "raw_status": t.raw_status, "note": t.note}
            for t in self.timeline
        ]
        data["raw"] = self.raw
        return data


class StartRequest(_Copy, msgspec.Struct, frozen=True):
    """What a user asks for when they execute: one shape for all providers."""

    workflow_id: str
    inputs: dict[str, Any] = msgspec.field(default_factory=dict)
    goal: str | None = None  # Wexa


class ActionResult(_Copy, msgspec.Struct, frozen=True):
    """What an action ended as, after the run was read again if needed."""

    action: Action
    ok: bool
    run: Run | None = None
    new_run_id: str | None = None
    message: str | None = None
    uncertain: bool = False  # the answer was lost; the state was read back
    skipped: str | None = None
    """Why a refused action left nothing undone (`not ok`): the run as read back is in a
    state the action does not apply to, as it ended or moved on meanwhile. Said "skipped",
    never "failed"; None when the refusal stands as a failure."""


class HumanRequest(_Copy, msgspec.Struct, frozen=True):
    """What a waiting run asks of a person, as its platform says: values, a yes or no, or both.

    `fields` use the execute form's shape (`key`, `type`, `required`, `label`,
    `description`, `default`), so one form serves both. `free_form`: any JSON
    object (a B3OS node's data, which has no published schema). `reject_ends_run`:
    the platform's rejection ends the run (its work is lost), so a face asks first. `ref` is the
    platform's handle (a node id, an inbox type); `note` says what the platform
    does not publish, for the operator to see.
    """

    run_id: str
    profile: str
    provider: str
    title: str
    fields: tuple[dict[str, Any], ...] = ()
    free_form: bool = False
    can_reject: bool = False
    reject_ends_run: bool = False
    ref: str = ""
    note: str | None = None
    # What the answer must carry back (an agent id), and `initial`: data to start from.
    context: dict[str, Any] = msgspec.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "profile": self.profile, "provider": self.provider,
                "title": self.title, "fields": list(self.fields), "free_form": self.free_form,
                "can_reject": self.can_reject, "reject_ends_run": self.reject_ends_run,
                "ref": self.ref, "note": self.note, "context": self.context}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class LogLevel(enum.IntEnum):
    """How loud a log line is; ordered, so "warning and above" is a comparison."""

    DEBUG = 10
    INFO = 20
    WARNING = 30
    ERROR = 40

    @property
    def word(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, value: object, default: LogLevel | None = None) -> LogLevel:
        """A server's level (a Python logging number or a word) as one of ours.

        CRITICAL folds into ERROR, NOTSET and TRACE into DEBUG; anything else unreadable
        is `default` (INFO unless given) so a line is never dropped for its level.
        """
        fallback = cls.INFO if default is None else default
        if isinstance(value, bool):
            return fallback
        if isinstance(value, int | float):
            number = int(value)
            if number >= 40:
                return cls.ERROR
            if number >= 30:
                return cls.WARNING
            if number >= 20:
                return cls.INFO
            return cls.DEBUG
        if isinstance(value, str):
            word = value.strip().lower()
            return _LEVEL_WORDS.get(word, fallback)
        return fallback


_LEVEL_WORDS: dict[str, LogLevel] = {
    "debug": LogLevel.DEBUG, "trace": LogLevel.DEBUG, "notset": LogLevel.DEBUG,
    "info": LogLevel.INFO, "information": LogLevel.INFO, "notice": LogLevel.INFO,
    "warning": LogLevel.WARNING, "warn": LogLevel.WARNING,
    "error": LogLevel.ERROR, "err": LogLevel.ERROR, "critical": LogLevel.ERROR,
    "fatal": LogLevel.ERROR,
}


class Marker(enum.StrEnum):
    """A line runtui adds to a log itself: never a server's, always said in words."""

    GAP = "gap"  # lines may be missing here
    LOST = "lost"  # the reader lost the server; it keeps trying
    RESUMED = "resumed"  # ... and got it back (no lines missing: the cursor held)
    ENDED = "ended"  # the run finished; nothing more will come
    GROWS = "grows"  # the run reads as stopped, yet its log keeps growing


class LogEvent(_Copy, msgspec.Struct, frozen=True):
    """One line of a run's log: a real log record (Prefect) or an event derived from state.

    `id` is the line's identity within its run (a server id, or a stable name such as
    "node:fetch:finished"): the engine drops a line it has already seen by it.
    `message` is the server's text, bounded: faces make it harmless when they show it.
    """

    id: str
    time: datetime | None
    level: LogLevel
    message: str
    source: str | None = None
    run_id: str = ""
    marker: Marker | None = None

    def to_json(self) -> dict[str, Any]:
        """The stable `runs logs --json` shape (one object per line, NDJSON)."""
        return {
            "time": _iso(self.time),
            "level": self.level.word,
            "source": self.source,
            "message": self.message,
            "run_id": self.run_id,
            "id": self.id,
            "marker": None if self.marker is None else self.marker.value,
        }
