"""Edges schedules (`GET /flows/schedules`, `POST /flows/schedules/{uid}/{action}`) as triggers.

Edges has no pause for a flow run, only for a flow's schedules (providers.md §2). The
schedule object is documented by its create answer only (`schedule_flow_run_uid`,
`status`, `cron`, `timezone`, `next_execution_at`); the list's items are read with
the same names and the spellings the route uses (`scheduled_flow_run_uid`, `uid`).
"""

from __future__ import annotations

from typing import Any

from runtui.providers import parse as p
from runtui.workflow_model import Trigger

NAME = "edges"
UID_KEYS = ("uid", "scheduled_flow_run_uid", "schedule_flow_run_uid", "id")


def schedule_items(body: Any) -> list[Any]:
    """The array of a schedule list (documented bare; an envelope is tolerated)."""
    if isinstance(body, dict):
        body = next((body[k] for k in ("data", "items", "schedules", "results")
                     if isinstance(body.get(k), list)), None)
    if not isinstance(body, list):
        raise p.parse_error(NAME, "expected a list of schedules")
    return body


def schedule_text(obj: dict[str, Any]) -> str | None:
    """"cron 0 * * * * (Europe/Paris)" or "once at 2026-12-04T10:00Z", as the schedule says."""
    zone = p.first_text(obj, "timezone")
    cron = p.first_text(obj, "cron")
    if cron:
        return f"cron {cron}" + (f" ({zone})" if zone else "")
    once = p.first_text(obj, "schedule_at")
    return f"once at {once}" if once else None


@p.parsing(NAME)
def parse_schedule(obj: Any, profile: str) -> Trigger | None:
    """One schedule, or None for an item without a uid or a flow (nothing to act on)."""
    data = p.as_dict(obj)
    uid = p.addressable(p.ident(data, *UID_KEYS))
    flow = (p.first_text(data, "flow_preset_slug", "flow_slug", "flow.slug", "workflow.slug")
            or p.first_text(data, "flow_uid", "workflow.uid"))
    if uid is None or flow is None:
        return None
    state = p.first_text(data, "status")
    # A CANCELLED schedule is neither live nor paused (it was "live"): its state says it.
    paused = {"PAUSED": True, "ACTIVE": False}.get((state or "").strip().upper())
    return Trigger(profile=profile, provider=NAME, id=uid, workflow_id=flow,
                   workflow_name=p.first_text(data, "flow_name", "flow.name", "workflow.name"),
                   state=state, paused=paused,
                   schedule=schedule_text(data), next_run_at=p.parse_time(data.get("next_execution_at")))


def parse_schedules(body: Any, profile: str) -> tuple[list[Trigger], list[str]]:
    """(triggers, uids of every item sent) of one list answer."""
    items = schedule_items(body)
    found = [parse_schedule(item, profile) for item in items if isinstance(item, dict)]
    ids = [str(p.ident(p.as_dict(item), *UID_KEYS)) for item in items]
    return [t for t in found if t is not None], ids
