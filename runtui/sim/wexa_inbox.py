"""Wexa's inbox: an execution that waits on a person until its item is answered.

Routes as the SDK 0.1.16 sends them (`GET /inbox`, `POST /inbox/update/<type>/<execution
id>`); the item's fields are this simulator's reading, since Wexa publishes no
schema for them (the adapter parses them defensively). While an item is pending
its execution stays paused and a plain resume is refused; an answer resumes it,
a rejection cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .runs import INF, RunStore, SimRun

TYPES = ("runtime_input", "anomaly_detection", "preview")
_TITLES = {
    "runtime_input": "The agent needs the account's region and a spending cap",
    "anomaly_detection": "Unusual spend: 4x the usual tokens for this step",
    "preview": "Approve the drafted e-mail before it is sent",
}
_FIELDS: list[dict[str, Any]] = [
    {"name": "region", "label": "Region", "type": "string", "required": True},
    {"name": "cap", "label": "Spending cap (USD)", "type": "number", "required": False,
     "default": 100},
]


@dataclass(slots=True)
class InboxItem:
    id: str
    type: str
    execution: SimRun
    agent_id: str
    created: float
    status: str = "pending"
    answer: dict[str, Any] = field(default_factory=dict)


class Inbox:
    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.items: list[InboxItem] = []

    def pending_for(self, run: SimRun) -> InboxItem | None:
        return next((i for i in self.items if i.execution is run and i.status == "pending"), None)

    def ask(self, run: SimRun, kind: str, agent_id: str, now: float) -> InboxItem:
        """Park `run` on a new pending item of type `kind`."""
        if kind not in TYPES:
            raise ValueError(f"type must be one of {', '.join(TYPES)}")
        item = InboxItem(id=f"inbox-{len(self.items) + 1:04d}-{run.id[:8]}", type=kind, execution=run,
                         agent_id=agent_id, created=now)
        self.items.append(item)
        run.status = "paused"
        run.started = run.started if run.started is not None else now
        run.left = run.step_dur
        run.next_at = INF
        run.updated = now
        self.store.reschedule(run)
        return item

    def listing(self, status: str | None, kind: str | None, after_id: str | None,
                limit: int) -> list[InboxItem]:
        found = [i for i in reversed(self.items)
                 if (not status or i.status == status) and (not kind or i.type == kind)]
        if after_id:
            ids = [i.id for i in found]
            found = found[ids.index(after_id) + 1:] if after_id in ids else []
        return found[:limit]

    def answer(self, kind: str, run: SimRun, body: dict[str, Any], now: float) -> tuple[int, str]:
        """Apply an answer; (HTTP status, error message or "")."""
        item = next((i for i in self.items if i.execution is run and i.type == kind
                     and i.status == "pending"), None)
        if item is None:
            return 404, f"No pending {kind} item for this execution"
        if kind == "runtime_input":
            values = body.get("values")
            if body.get("is_submitted") is not True or not isinstance(values, dict):
                return 422, "is_submitted must be true and values an object"
            missing = [f["name"] for f in _FIELDS if f["required"] and values.get(f["name"]) in (None, "")]
            if missing:
                return 422, f"Missing required input: {', '.join(missing)}"
            approved = True
        else:
            approved_value = body.get("is_approved")
            if not isinstance(approved_value, bool):
                return 422, "is_approved must be a boolean"
            approved = approved_value
        item.status = "approved" if approved else "rejected"
        if kind == "runtime_input":
            item.status = "submitted"
        item.answer = dict(body)
        if approved:
            run.status = "running"
            run.next_at = now + (run.left if run.left > 0 else run.step_dur)
        else:
            run.status = "cancelled"
            run.finished = now
            run.next_at = INF
        run.updated = now
        self.store.reschedule(run)
        return 200, ""

    def to_json(self, item: InboxItem, project_id: str, created_at: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "_id": item.id, "type": item.type, "status": item.status,
            "execution_id": item.execution.id, "agent_id": item.agent_id, "projectID": project_id,
            "title": _TITLES[item.type], "created_at": created_at,
        }
        if item.type == "runtime_input":
            data["runtime_input"] = {"fields": _FIELDS}
        if item.type == "preview":
            data["preview_input"] = {"subject": "Your invoice", "body": "Hello, please find attached"}
        return data
