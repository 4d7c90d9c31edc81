"""Workflow-level objects: what a workflow-level pause stops, and what it ended as.

Kept apart from `model.py` (runs) because only the workflows view and the
`workflows` verbs read them; both are frozen msgspec Structs (as runtui.model's), no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from runtui.model import Action, _Copy, _iso


class Trigger(_Copy, msgspec.Struct, frozen=True):
    """What starts a workflow's runs without a person, and what a workflow-level pause stops:
    a B3OS workflow's triggers, an Edges schedule, a Prefect deployment's schedules.

    Pausing one stops new runs; runs already going carry on. `id` is what pause and
    resume are sent to; `workflow_id` is the id the runs carry, to join the two.
    """

    profile: str
    provider: str
    id: str
    workflow_id: str
    workflow_name: str | None = None
    state: str | None = None  # the platform's own word: active, PAUSED, …
    paused: bool | None = None  # None: the platform does not say
    schedule: str | None = None  # "cron 0 * * * * (UTC)", "every 1h", …
    next_run_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.profile, self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "provider": self.provider,
            "id": self.id,
            "workflow_id": self.workflow_id,
            "workflow_name": self.workflow_name,
            "state": self.state,
            "paused": self.paused,
            "schedule": self.schedule,
            "next_run_at": _iso(self.next_run_at),
        }


class TriggerResult(_Copy, msgspec.Struct, frozen=True):
    """What a workflow-level action ended as, after the trigger was read again."""

    action: Action
    ok: bool
    trigger: Trigger | None = None
    message: str | None = None
    uncertain: bool = False  # the answer was lost; the state was read back

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "ok": self.ok,
            "uncertain": self.uncertain,
            "message": self.message,
            "trigger": None if self.trigger is None else self.trigger.to_json(),
        }


class OutcomeCounts(_Copy, msgspec.Struct, frozen=True):
    """A workflow's runs in a window by outcome, as a server that aggregates counts them."""

    runs: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
