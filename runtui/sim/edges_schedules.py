"""Edges flow schedules: `GET /flows/schedules` and `POST /flows/schedules/{uid}/{action}`.

Shapes follow the schedule create answer (providers.md §2); the status words are
the ones the actions imply (ACTIVE, PAUSED, CANCELLED). A flow whose schedules are
all paused or cancelled starts no runs on its own (the world's spawns skip it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalog import Catalog, derived_uuid
from .state import SimClock

# (flow index, cron, timezone, status) of the seeded schedules
_SEEDED = ((0, "0 * * * *", "UTC", "ACTIVE"), (1, "*/30 * * * *", "Europe/Paris", "ACTIVE"),
           (1, "0 9 * * 1", "Europe/Paris", "PAUSED"))
TRANSITIONS = {"pause": ({"ACTIVE"}, "PAUSED"), "resume": ({"PAUSED"}, "ACTIVE"),
               "cancel": ({"ACTIVE", "PAUSED"}, "CANCELLED")}


@dataclass(slots=True)
class SimSchedule:
    uid: str
    flow: int
    cron: str
    timezone: str
    status: str
    created: float


class ScheduleBook:
    def __init__(self, catalog: Catalog, clock: SimClock) -> None:
        self.cat = catalog
        self.clock = clock
        self.items = [SimSchedule(derived_uuid(catalog.seed, f"schedule:{i}"), flow, cron, zone, status,
                                  -86400.0 * (7 - i))
                      for i, (flow, cron, zone, status) in enumerate(_SEEDED)]

    def get(self, uid: str) -> SimSchedule | None:
        return next((s for s in self.items if s.uid == uid), None)

    def stops(self, flow: int) -> bool:
        """Whether `flow` has schedules and none of them is active (no automatic runs)."""
        mine = [s for s in self.items if s.flow == flow]
        return bool(mine) and all(s.status != "ACTIVE" for s in mine)

    def act(self, schedule: SimSchedule, action: str) -> str | None:
        """Apply `action`; the error message when the schedule's status does not allow it."""
        sources, target = TRANSITIONS[action]
        if schedule.status not in sources:
            return f"Cannot {action} a schedule in status {schedule.status}"
        schedule.status = target
        return None

    def json(self, schedule: SimSchedule, now: float) -> dict[str, Any]:
        flow = self.cat.edges[schedule.flow]
        upcoming = None
        if schedule.status == "ACTIVE":
            upcoming = self.clock.iso((now // 1800.0 + 1) * 1800.0)
        return {
            "uid": schedule.uid,
            "flow_preset_slug": flow.slug,
            "status": schedule.status,
            "cron": schedule.cron,
            "timezone": schedule.timezone,
            "next_execution_at": upcoming,
            "created_at": self.clock.iso(schedule.created),
        }
