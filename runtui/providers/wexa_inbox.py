"""Wexa's inbox (human in the loop), as the SDK 0.1.16 reads and answers it.

Routes: `GET /inbox?projectID=&limit=&status=&type=&after_id=&view=ui` lists
items; `POST /inbox/update/runtime_input|anomaly_detection|preview/{execution_id}
?projectID=` answers one. Wexa publishes no schema for an item, so every field
is read defensively (several spellings, any envelope) and an item this parser
cannot tie to an execution is skipped rather than guessed.
"""

from __future__ import annotations

from typing import Any

from runtui.model import HumanRequest
from runtui.providers import parse as p

NAME = "wexa"
INPUT = "runtime_input"
ANOMALY = "anomaly_detection"
PREVIEW = "preview"
TYPES = (INPUT, ANOMALY, PREVIEW)
NOTE = "Wexa publishes no schema for inbox items: fields are read as the server sends them."
_DEFAULT_TITLE = {INPUT: "the agent asks for input", ANOMALY: "an anomaly waits for approval",
                  PREVIEW: "a preview waits for approval"}


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return p.dicts(body)
    for key in ("data", "items", "inbox", "results"):
        found = p.dig(body, key)
        if isinstance(found, list):
            return p.dicts(found)
        if isinstance(found, dict):
            return _items(found)
    return []


def _fields(obj: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Input fields from any of the spellings seen; each as the execute form's field shape."""
    raw = p.dig(obj, "runtime_input", "fields")
    for spelling in ("fields", "input_fields", "runtime_input", "variables"):
        if isinstance(raw, list):
            break
        raw = obj.get(spelling)
    fields: list[dict[str, Any]] = []
    for spec in p.dicts(raw if isinstance(raw, list) else []):
        key = p.first_text(spec, "name", "key", "id")
        if not key:
            continue
        field: dict[str, Any] = {"key": key, "type": p.text(spec.get("type")) or "string",
                                 "required": spec.get("required") is True}
        label = p.first_text(spec, "label", "title")
        if label:
            field["label"] = label
        description = p.first_text(spec, "description", "help")
        if description:
            field["description"] = description
        if "default" in spec:
            field["default"] = p.to_jsonable(spec["default"])
        fields.append(field)
    return tuple(fields)


def parse_inbox(body: Any, profile: str, *, pending_only: bool = True) -> list[HumanRequest]:
    """Answerable items: each tied to an execution and of a type the SDK can answer."""
    found: list[HumanRequest] = []
    for obj in _items(body):
        kind = (p.first_text(obj, "type", "inbox_type", "item_type") or "").lower()
        execution = p.first_text(obj, "execution_id", "executionId", "execution_flow_id")
        status = (p.first_text(obj, "status") or "pending").lower()
        if kind not in TYPES or not execution or (pending_only and status != "pending"):
            continue
        agent = p.first_text(obj, "agent_id", "agentId") or ""
        title = p.first_text(obj, "title", "summary", "message", "name") or _DEFAULT_TITLE[kind]
        context: dict[str, Any] = {"type": kind, "agent_id": agent}
        preview = p.to_jsonable(obj.get("preview_input")) if kind == PREVIEW else None
        if isinstance(preview, dict):
            context["initial"] = preview  # the draft, editable before it is approved
        # A rejected anomaly or preview ends the execution (cancelled, as the simulator
        # reads Wexa): the work done so far is lost, so the form asks before it rejects.
        found.append(HumanRequest(
            run_id=execution, profile=profile, provider=NAME, title=title,
            fields=_fields(obj) if kind == INPUT else (),
            free_form=(kind == INPUT and not _fields(obj)) or isinstance(preview, dict),
            can_reject=kind != INPUT, reject_ends_run=kind != INPUT,
            ref=p.first_text(obj, "_id", "id") or "", note=NOTE, context=context))
    return found


def answer_body(request: HumanRequest, *, approve: bool,
                values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The route's type segment and the body the SDK sends for this answer."""
    kind = str(request.context.get("type", INPUT))
    agent = str(request.context.get("agent_id", ""))
    if kind == INPUT:
        return kind, {"is_submitted": True, "values": values, "agent_id": agent}
    if kind == ANOMALY:
        return kind, {"is_approved": approve}
    preview = values or request.context.get("initial") or {}
    return kind, {"agent_id": agent, "is_approved": approve, "preview_input": preview}
