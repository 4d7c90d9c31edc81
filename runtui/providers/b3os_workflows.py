"""B3OS workflows (`GET /v1/workflows`, `POST /v1/workflows/{id}/pause|resume`) as triggers.

A workflow's status (draft, active, paused, archived) is its trigger state: pausing
one stops its automatic triggers, not its runs (B3OS MCP `b3os_pause_workflow`). The
list is paged like the run list (`data = {items, hasMore}`).
"""

from __future__ import annotations

from typing import Any

from runtui.providers import parse as p
from runtui.workflow_model import Trigger

NAME = "b3os"


def _data(body: Any) -> Any:
    return body.get("data", body) if isinstance(body, dict) and "data" in body else body


@p.parsing(NAME)
def parse_workflow_trigger(obj: Any, profile: str) -> Trigger | None:
    """One workflow as a trigger, or None for an item without an id."""
    data = p.as_dict(_data(obj))
    wid = p.addressable(p.ident(data, "id", "workflowId"))
    if wid is None:
        return None
    state = p.first_text(data, "status")
    # draft and archived workflows are neither live nor paused: their state says what they are
    paused = {"paused": True, "active": False}.get((state or "").strip().lower())
    return Trigger(profile=profile, provider=NAME, id=wid, workflow_id=wid,
                   workflow_name=p.first_text(data, "name"), state=state, paused=paused)


@p.parsing(NAME)
def parse_workflow_page(body: Any, profile: str) -> tuple[list[Trigger], list[str], bool | None]:
    """(triggers, ids of every item sent, hasMore) of one `GET /v1/workflows` answer."""
    data = _data(body)
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise p.parse_error(NAME, "expected a list of workflows under data.items")
    found = [parse_workflow_trigger(item, profile) for item in items if isinstance(item, dict)]
    ids = [str(p.ident(p.as_dict(item), "id")) for item in items]
    more = p.dig(data, "hasMore")
    return [t for t in found if t is not None], ids, more if isinstance(more, bool) else None
