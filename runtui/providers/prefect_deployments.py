"""Prefect deployments as triggers, and the server's own run counts (`/flow_runs/history`).

A deployment is what a Prefect run's `workflow_id` names; pausing it
(`/deployments/{id}/pause_deployment`) turns its schedules off and deletes its
auto-scheduled runs that have not started. Prefect aggregates runs by state on the
server, so the workflows view counts from there rather than from the runs loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from runtui.providers import parse as p
from runtui.workflow_model import OutcomeCounts, Trigger

NAME = "prefect"
SUCCEEDED = frozenset({"COMPLETED"})
FAILED = frozenset({"FAILED", "CRASHED"})
CANCELLED = frozenset({"CANCELLED"})


def schedule_text(schedules: Any) -> str | None:
    """"cron 0 * * * * (UTC)", "every 3600s", "rrule …", "2 schedules (1 off)" or None."""
    items = p.dicts(schedules)
    if not items:
        return None
    off = sum(1 for s in items if s.get("active") is False)
    if len(items) > 1:
        return f"{len(items)} schedules" + (f" ({off} off)" if off else "")
    inner = p.as_dict(items[0].get("schedule"))
    zone = p.first_text(inner, "timezone")
    cron, rrule = p.first_text(inner, "cron"), p.first_text(inner, "rrule")
    interval = p.number(inner.get("interval"))
    if cron:
        text = f"cron {cron}" + (f" ({zone})" if zone else "")
    elif interval is not None:
        text = f"every {interval:.0f}s"
    elif rrule:
        text = f"rrule {rrule}"
    else:
        text = "1 schedule"
    return text + (" (off)" if off else "")


@p.parsing(NAME)
def parse_deployment(obj: Any, profile: str, flow_names: dict[str, str]) -> Trigger | None:
    """One deployment as a trigger, named like its runs ("flow/deployment")."""
    data = p.as_dict(obj)
    did = p.addressable(p.ident(data, "id"))
    if did is None:
        return None
    paused = data.get("paused")
    paused = paused if isinstance(paused, bool) else None
    name = p.text(data.get("name"))
    flow = flow_names.get(p.ident(data, "flow_id") or "")
    return Trigger(profile=profile, provider=NAME, id=did, workflow_id=did,
                   workflow_name=f"{flow}/{name}" if flow and name else (name or flow),
                   state=None if paused is None else ("paused" if paused else "active"),
                   paused=paused, schedule=schedule_text(data.get("schedules")))


@p.parsing(NAME)
def next_runs(items: Any) -> dict[str, datetime]:
    """Per deployment, its earliest scheduled run (items sorted by expected start)."""
    found: dict[str, datetime] = {}
    for item in p.dicts(items):
        did = p.ident(item, "deployment_id")
        when = p.parse_time(item.get("expected_start_time") or item.get("next_scheduled_start_time"))
        if did and when is not None and did not in found:
            found[did] = when
    return found


@p.parsing(NAME)
def history_counts(intervals: Any) -> OutcomeCounts:
    """Sum a `/flow_runs/history` answer's buckets into outcome counts."""
    runs = succeeded = failed = cancelled = 0
    for bucket in p.dicts(intervals):
        for state in p.dicts(bucket.get("states")):
            count = p.number(state.get("count_runs"))
            if count is None or count < 0:
                continue
            n = int(count)
            kind = (p.text(state.get("state_type")) or "").upper()
            runs += n
            succeeded += n if kind in SUCCEEDED else 0
            failed += n if kind in FAILED else 0
            cancelled += n if kind in CANCELLED else 0
    return OutcomeCounts(runs=runs, succeeded=succeeded, failed=failed, cancelled=cancelled)
