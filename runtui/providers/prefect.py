"""Prefect 3 (self-hosted server, or Prefect Cloud with `workspace`): flow runs of deployments.

Everything is plain REST against the server's `/api` (docs/providers.md walks
through this file as the worked example of the adapter protocol):

* lists are `POST /flow_runs/filter` with `limit`/`offset`, newest expected start
  first, the state-type filter applied server-side;
* runs carry only `flow_id`/`deployment_id`: names are joined with
  `POST /flows/filter` and `POST /deployments/filter` and cached per adapter;
* orchestration answers (`set_state`, `resume`) are HTTP 200/201 whatever happened:
  the outcome is the body's `status` (ACCEPT, REJECT, ABORT, WAIT) together with
  the `state` the run is in afterwards.

A run's `raw_status` is its state *type* (the actions table is keyed by it); the
state *name* ("Late", "Suspended", "AwaitingRetry", …) shows in the timeline. A
PAUSED run whose state names a `run_input_keyset` waits for a person's typed input
(`pause_flow_run(wait_for_input=...)`): its common status is `waiting`, its raw
status stays PAUSED.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from runtui.actions import ActionTable, Interim
from runtui.config import Profile
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import (
    Action,
    HumanRequest,
    Kind,
    LogEvent,
    LogLevel,
    Run,
    RunDetail,
    StartRequest,
    Status,
    Step,
    TimelineEntry,
)
from runtui.providers import parse as p
from runtui.providers.base import ListQuery, Provider, WorkflowInfo, json_of
from runtui.providers.events import EventPage, EventQuery, event, keep
from runtui.providers.http import HttpClient, first_str, seg
from runtui.providers.options import ProviderOption
from runtui.providers.paging import OffsetPager, Page, Want, offset_items
from runtui.providers.prefect_deployments import history_counts, next_runs, parse_deployment
from runtui.secret import Secret
from runtui.workflow_model import OutcomeCounts, Trigger

NAME = "prefect"
MAX_PAGE = 200  # PREFECT_API_DEFAULT_LIMIT: the server refuses larger pages
MAX_TRIGGERS = 1_000  # deployments listed at most
MAX_COUNTED = 50  # deployments counted on the server per call (one request each)
MAX_STEP_PAGES = 5  # task runs read for one detail view: at most 1000
MAX_TROUBLE_POOLS = 20  # pools checked per poll: three requests each
DEFAULT_SUSPEND_TIMEOUT = 3600.0  # seconds; what Prefect's own suspend_flow_run uses
DEFAULT_HORIZON_MINUTES = 60.0  # scheduled runs further ahead than this are not listed

STATUS_TABLE: dict[str, Status] = {
    "scheduled": Status.QUEUED,
    "pending": Status.QUEUED,
    "running": Status.RUNNING,
    # CANCELLING is not the end: the worker still has to kill the process, and when
    # no worker does, the run stays CANCELLING. Shown as running (raw CANCELLING) so
    # it keeps being polled fast and never looks finished before it is.
    "cancelling": Status.RUNNING,
    "paused": Status.PAUSED,
    "completed": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "crashed": Status.FAILED,
    "cancelled": Status.CANCELLED,
}

# Common status -> the state types the server filters on. Paused and waiting runs are
# both PAUSED there (`asks_for_input` tells them apart): the pager keeps, of what the
# server sends, the runs whose parsed status was asked for.
TYPES_FOR: dict[Status, tuple[str, ...]] = {
    Status.QUEUED: ("SCHEDULED", "PENDING"),
    Status.RUNNING: ("RUNNING", "CANCELLING"),
    Status.PAUSED: ("PAUSED",),
    Status.SUCCEEDED: ("COMPLETED",),
    Status.FAILED: ("FAILED", "CRASHED"),
    Status.CANCELLED: ("CANCELLED",),
    Status.WAITING: ("PAUSED",),
}

A = Action
PREFECT = ActionTable(
    provider=NAME,
    statuses=STATUS_TABLE,
    per_kind={
        Kind.RUN: {
            "SCHEDULED": frozenset({A.CANCEL}),
            "PENDING": frozenset({A.CANCEL}),
            "RUNNING": frozenset({A.CANCEL, A.PAUSE}),
            "PAUSED": frozenset({A.RESUME, A.CANCEL}),
        },
    },
    notes={
        A.RETRY: "Prefect retries inside a run (flow/task retries); execute the deployment again instead",
        A.START: "Prefect runs start when created: execute the deployment",
        A.STOP: "Prefect flow runs are cancelled, not stopped",
    },
    # /deployments/{id}/pause_deployment and /resume_deployment; a pause also deletes the
    # deployment's auto-scheduled runs that have not started.
    workflow_rules={"active": frozenset({A.PAUSE}), "paused": frozenset({A.RESUME})},
    workflow_note="Prefect pauses a deployment's schedules and drops its runs scheduled "
                  "but not started",
    # CANCELLING reads as running (STATUS_TABLE): right after a cancel it means the cancel
    # was taken and the process is being stopped, not that the cancel failed.
    interim={
        A.CANCEL: {"CANCELLING": Interim(
            "cancelling", "its worker or serve process stops the flow, then it reads cancelled")},
        # resume of a suspended run: SCHEDULED "Resuming" (a self-paused one goes RUNNING)
        A.RESUME: {"SCHEDULED": Interim(
            "rescheduled", "the flow runs again from its start once a worker or serve process "
                           "picks it up")},
    },
    # A pause set from outside is a suspend (PAUSED "Suspended", pause_reschedule). Prefect
    # stops nothing then: the flow's process notices it (an observer, deployment runs only)
    # and exits at its next orchestration point (a task or subflow starting, or the flow
    # returning, its result then dropped); the server refuses those tasks meanwhile. A
    # cancel of a suspended run is set CANCELLED at once ("no infrastructure to terminate").
    caveats={A.PAUSE: "Prefect suspends the run: its code keeps running until it starts its next "
                      "task or subflow (a flow that starts none runs to its end, its result "
                      "dropped); resume runs the flow again from its start, and a cancel marks "
                      "it cancelled without stopping code still running"},
)

# What the run may be in after an action for it to have worked. A REJECT can still be a
# success: CANCELLING on a run without a process is rejected and the run set CANCELLED.
DONE_TYPES: dict[Action, frozenset[str]] = {
    A.CANCEL: frozenset({"CANCELLING", "CANCELLED"}),
    A.PAUSE: frozenset({"PAUSED"}),
    A.RESUME: frozenset({"SCHEDULED", "PENDING", "RUNNING"}),
}


def state_status(state_type: Any) -> tuple[Status, str | None]:
    raw = p.raw_status(state_type)
    raw = raw.upper() if raw is not None else None
    return p.map_status(raw, STATUS_TABLE), raw


def server_types(statuses: frozenset[Status] | None) -> list[str] | None:
    """State types for the server filter; None when it cannot express the filter."""
    if statuses is None or Status.UNKNOWN in statuses:
        return None  # unknown covers runs without a state: filter client-side only
    types: list[str] = []
    for status in sorted(statuses):
        types.extend(t for t in TYPES_FOR.get(status, ()) if t not in types)
    return types


def workspace_prefix(workspace: str | None, profile: str = "") -> str:
    """`accounts/<a>/workspaces/<w>` (Prefect Cloud) as a path prefix; "" without one.

    `<a>/<w>` alone is accepted as a short form.
    """
    if workspace is None or not workspace.strip():
        return ""
    parts = [s for s in workspace.strip().split("/") if s]
    if len(parts) == 2:
        parts = ["accounts", parts[0], "workspaces", parts[1]]
    if len(parts) != 4 or parts[0] != "accounts" or parts[2] != "workspaces":
        raise ConfigError("use accounts/<account id>/workspaces/<workspace id>", field="workspace",
                          profile=profile or None)
    try:
        return "/" + "/".join(seg(s) for s in parts)
    except ProviderError as exc:
        raise ConfigError(exc.message, field="workspace", profile=profile or None) from None


def read_error(body: Any) -> str | None:
    """`{"detail": "..."}` (FastAPI), or Prefect's 422 `exception_message` + first `msg`."""
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str) and detail.strip():
            return detail.strip()
        message = p.text(body.get("exception_message"))
        details = p.dicts(body.get("exception_detail"))
        first = p.text(details[0].get("msg")) if details else None
        if first:
            where = ".".join(str(x) for x in p.as_list(details[0].get("loc")) if x != "body")
            first += f" (at {where})" if where else ""
        if message or first:
            return " ".join(m for m in (message, first) if m)
    return first_str(body, "detail", "message", "error")


# ---- parsers ----------------------------------------------------------------------------


def _state_message(obj: dict[str, Any]) -> str | None:
    return p.truncate(p.first_text(obj, "state.message"))


def asks_for_input(flow_run: dict[str, Any]) -> bool:
    """Whether the run's state names a `run_input_keyset`: set by `pause_flow_run` and
    `suspend_flow_run` with `wait_for_input`, where a person's answer resumes the run
    (a plain pause leaves it null). It is the run's own state that says so, in every
    listing and read: no extra request, and the run never flickers between the two."""
    return bool(p.as_dict(p.dig(flow_run, "state", "state_details", "run_input_keyset")))


@p.parsing(NAME)
def parse_run(body: Any, profile: str, names: dict[str, str] | None = None) -> Run:
    """One flow run. `names` maps flow and deployment ids to the names joined in."""
    obj = p.as_dict(body)
    run_id = p.run_ident(NAME, p.ident(obj, "id"), "flow run without an id")
    status, raw = state_status(obj.get("state_type") or p.dig(obj, "state", "type"))
    if raw == "PAUSED" and asks_for_input(obj):
        status = Status.WAITING  # shown, counted, filtered as waiting; actions keyed by raw
    names = names or {}
    flow_name = names.get(p.ident(obj, "flow_id") or "")
    deployment_id = p.ident(obj, "deployment_id")
    deployment_name = names.get(deployment_id or "")
    if flow_name and deployment_name:
        workflow_name: str | None = f"{flow_name}/{deployment_name}"
    else:
        workflow_name = flow_name or deployment_name
    return Run(
        profile=profile, provider=NAME, id=run_id,  # kind: a run, the default
        workflow_id=deployment_id, workflow_name=workflow_name,
        status=status, raw_status=raw,
        created_at=p.parse_time(obj.get("created")),
        started_at=p.parse_time(obj.get("start_time")),
        finished_at=p.parse_time(obj.get("end_time")) if status.terminal else None,
        updated_at=p.parse_time(obj.get("updated")),
        last_error=_state_message(obj) if raw in ("FAILED", "CRASHED") else None,
        # parent_id stays empty: a subflow's `parent_task_run_id` is a task run, not a run.
    )


@p.parsing(NAME)
def parse_page(body: Any, profile: str, names: dict[str, str] | None = None) -> tuple[list[Run], int]:
    """(runs, items the server sent): `/flow_runs/filter` answers a bare array."""
    if not isinstance(body, list):
        raise p.parse_error(NAME, "expected a list of flow runs")
    runs: list[Run] = []
    for item in body:
        if not isinstance(item, dict):
            continue
        try:
            runs.append(parse_run(item, profile, names))
        except ProviderError:
            continue
    return runs, len(body)


def step_key(obj: dict[str, Any], name: str | None) -> str | None:
    """The task's own name: Prefect names a task run `<task name>-<dynamic key>` (its first
    3 characters for a task, all of it for a subflow), and the dynamic key is random per run.
    A name of the flow's own making (`task_run_name=`) gives way to the task key, which is
    the task function's name and a hash of its code."""
    dynamic = p.text(obj.get("dynamic_key"))
    if name and dynamic:
        for suffix in (f"-{dynamic}", f"-{dynamic[:3]}"):
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
    return p.text(obj.get("task_key"))


@p.parsing(NAME)
def parse_steps(task_runs: Iterable[Any]) -> tuple[Step, ...]:
    steps: list[Step] = []
    for item in task_runs:
        obj = p.as_dict(item)
        step_id = p.ident(obj, "id")
        if step_id is None:
            continue
        status, raw = state_status(obj.get("state_type") or p.dig(obj, "state", "type"))
        child = p.ident(obj, "state.state_details.child_flow_run_id")
        name = p.first_text(obj, "name", "task_key")
        steps.append(Step(
            id=step_id,
            name=name,
            key=step_key(obj, name),
            type="subflow" if child else "task",
            status=status, raw_status=raw,
            started_at=p.parse_time(obj.get("start_time")),
            finished_at=p.parse_time(obj.get("end_time")) if status.terminal else None,
            error=_state_message(obj) if raw in ("FAILED", "CRASHED") else None,
        ))
    return tuple(steps)


@p.parsing(NAME)
def parse_timeline(states: Any) -> tuple[TimelineEntry, ...]:
    """`/flow_run_states/`: every state the run went through, names and messages kept."""
    entries: list[tuple[datetime | None, TimelineEntry]] = []
    for item in p.dicts(states):
        status, raw = state_status(item.get("type"))
        name = p.text(item.get("name"))
        message = p.truncate(p.text(item.get("message")), 200)
        note_parts = [n for n in (name if name and name.upper() != raw else None, message) if n]
        at = p.parse_time(item.get("timestamp"))
        entries.append((at, TimelineEntry(at=at, status=status, raw_status=raw,
                                          note=": ".join(note_parts) or None)))
    entries.sort(key=lambda e: e[0] or datetime.min.replace(tzinfo=UTC))
    return tuple(e for _, e in entries)


def schema_fields(schema_body: Any, defaults: Any = None) -> tuple[dict[str, Any], ...]:
    """A JSON schema's `properties` as form fields, in Prefect's `position` order.

    Deployments' parameters and a paused run's input (`RunInput` models) both
    publish one; a field a reference (`$ref`) or a union describes is typed "any"
    and edited as JSON.
    """
    schema = p.as_dict(schema_body)
    required = {r for r in (p.text(x) for x in p.as_list(schema.get("required"))) if r}
    given = p.as_dict(defaults)
    props = p.as_dict(schema.get("properties"))
    # Deployments number their parameters (`position`); a RunInput model does not, and
    # its properties come in the order the model declares them: a stable sort keeps it.
    ordered = sorted(props.items(), key=lambda kv: p.number(p.dig(kv[1], "position")) or 0.0)
    fields: list[dict[str, Any]] = []
    for key, spec in ordered:
        spec_d = p.as_dict(spec)
        field: dict[str, Any] = {"key": key, "type": p.text(spec_d.get("type")) or "any",
                                 "required": key in required}
        for src, dst in (("title", "label"), ("description", "description")):
            if p.text(spec_d.get(src)):
                field[dst] = spec_d[src]
        if key in given:
            field["default"] = p.to_jsonable(given[key])
        elif "default" in spec_d:
            field["default"] = p.to_jsonable(spec_d["default"])
        fields.append(field)
    return tuple(fields)


@p.parsing(NAME)
def parse_workflow(body: Any, workflow_id: str) -> WorkflowInfo:
    """A deployment: its parameter schema (JSON schema `properties`) as form inputs."""
    obj = p.as_dict(body)
    schema = obj.get("parameter_openapi_schema")
    inputs = schema_fields(schema, obj.get("parameters"))
    # A flow run calls the flow's function with the parameters as keyword arguments: a key
    # the schema does not list crashes it (even a **kwargs flow takes its extras under its
    # own name). Closed unless the schema says it takes more; unknown without a schema.
    closed = isinstance(p.dig(schema, "properties"), dict) and not p.dig(schema, "additionalProperties")
    return WorkflowInfo(id=p.ident(obj, "id") or workflow_id, name=p.first_text(obj, "name"),
                        inputs=inputs, closed=closed)


@p.parsing(NAME)
def parse_logs(items: Iterable[Any], run_id: str, task_names: dict[str, str]) -> list[LogEvent]:
    """`/logs/filter` records as lines: the source is the task run's name, else "flow"."""
    events: list[LogEvent] = []
    for item in items:
        obj = p.as_dict(item)
        log_id = p.ident(obj, "id")
        message = obj.get("message")
        if log_id is None or not isinstance(message, str):
            continue
        task = p.ident(obj, "task_run_id")
        source = task_names.get(task, task[:8]) if task else "flow"
        events.append(event(log_id, p.parse_time(obj.get("timestamp")), LogLevel.of(obj.get("level")),
                            message, source, run_id))
    return events


def orchestration_outcome(body: Any, http_status: int, action: Action) -> None:
    """Raise unless a set_state/resume answer shows the action took (or already had) effect."""
    result = p.text(p.dig(body, "status"))
    if result is None:
        raise ProviderError("answer without an orchestration status", provider=NAME,
                            status=http_status, kind="parse")
    result = result.upper()
    if result == "ACCEPT":
        return
    state_type = (p.text(p.dig(body, "state", "type")) or "").upper()
    if state_type in DONE_TYPES.get(action, frozenset()):
        return  # e.g. CANCELLING rejected because the server cancelled the run at once
    reason = p.text(p.dig(body, "details", "reason"))
    if result == "WAIT":
        delay = p.number(p.dig(body, "details", "delay_seconds"))
        later = f" (in {delay:.0f}s)" if delay else ""
        reason = reason or f"the server asked to try again later{later}"
    raise ProviderError(f"{result}: {reason or 'no reason given'}", provider=NAME, status=http_status)


# ---- the adapter ------------------------------------------------------------------------


class PrefectProvider(Provider):
    name: ClassVar[str] = NAME
    options: ClassVar[tuple[ProviderOption, ...]] = (
        ProviderOption("workspace", "Prefect Cloud: accounts/<account id>/workspaces/<workspace id>"),
        ProviderOption("suspend_timeout_seconds", "how long a paused (suspended) run waits before "
                       "Prefect fails it; 0: forever", kind="number", default=DEFAULT_SUSPEND_TIMEOUT),
        ProviderOption("scheduled_horizon_minutes", "scheduled runs listed this far ahead",
                       kind="number", default=DEFAULT_HORIZON_MINUTES),
    )
    label: ClassVar[str] = "Prefect"
    default_base_url: ClassVar[str | None] = None  # a self-hosted server has no standard address
    needs_key: ClassVar[bool] = False  # a self-hosted server often runs without auth
    actions: ClassVar[ActionTable] = PREFECT
    workflow_label: ClassVar[str] = "deployment id"
    # pause_flow_run() parks a run in PAUSED until someone resumes it (with input when
    # the flow asks for some): that is a human's job, as a B3OS wait node is.
    waits_on_human: ClassVar[frozenset[str]] = frozenset({"paused"})

    def __init__(self, profile: Profile, http: HttpClient) -> None:
        super().__init__(profile, http)
        workspace = profile.setting("workspace")
        self.prefix = workspace_prefix(workspace if isinstance(workspace, str) else None, profile.name)
        self._names: dict[str, str] = {}  # flow/deployment id -> name
        self._missing: set[str] = set()  # ids the server no longer knows (deleted)
        self._task_names: dict[str, str] = {}  # task run id -> name, for log line sources

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {"Authorization": f"Bearer {key.get_secret_value()}"} if key is not None else {}

    @staticmethod
    def read_error(body: Any) -> str | None:
        return read_error(body)

    def _path(self, path: str) -> str:
        return self.prefix + path

    def _extra_float(self, key: str, default: float) -> float:
        value = p.number(self.profile.extras.get(key))
        return default if value is None or value < 0 else value

    # ---- name joins -----------------------------------------------------------------

    async def _join_names(self, bodies: Iterable[Any]) -> None:
        """Fetch names of flows and deployments not seen yet (two requests at most)."""
        flows: set[str] = set()
        deployments: set[str] = set()
        for body in bodies:
            fid, did = p.ident(body, "flow_id"), p.ident(body, "deployment_id")
            if fid and fid not in self._names and fid not in self._missing:
                flows.add(fid)
            if did and did not in self._names and did not in self._missing:
                deployments.add(did)
        for kind, ids in (("flows", flows), ("deployments", deployments)):
            if not ids:
                continue
            body = {kind: {"id": {"any_": sorted(ids)}}, "limit": min(len(ids), MAX_PAGE)}
            try:
                found = json_of(await self.http.post_read(self._path(f"/{kind}/filter"), json=body), NAME)
            except ProviderError:
                continue  # names are cosmetic: the runs still show, the join is tried again
            for item in p.dicts(found):
                iid, name = p.ident(item, "id"), p.text(item.get("name"))
                if iid and name:
                    self._names[iid] = name
            if len(ids) <= MAX_PAGE:
                self._missing.update(ids - self._names.keys())

    # ---- deployments as triggers, and server-side counts (capabilities) ----------------

    async def list_triggers(self) -> list[Trigger]:
        async def read(offset: int) -> tuple[list[Trigger], list[str], bool | None]:
            body = {"limit": MAX_PAGE, "offset": offset, "sort": "NAME_ASC"}
            items = json_of(await self.http.post_read(self._path("/deployments/filter"), json=body), NAME)
            await self._join_names(p.dicts(items))
            found = [parse_deployment(item, self.profile.name, self._names) for item in p.dicts(items)]
            return [t for t in found if t is not None], [str(p.ident(i, "id")) for i in p.dicts(items)], None

        triggers = await offset_items(read, MAX_PAGE, MAX_TRIGGERS)
        upcoming = await self._next_runs([t.id for t in triggers])
        return [t.model_copy(update={"next_run_at": upcoming.get(t.id)}) for t in triggers]

    async def _next_runs(self, deployment_ids: list[str]) -> dict[str, datetime]:
        """Each deployment's next scheduled run, in one request (cosmetic: errors give none)."""
        if not deployment_ids:
            return {}
        body = {"flow_runs": {"deployment_id": {"any_": deployment_ids},
                              "state": {"type": {"any_": ["SCHEDULED"]}},
                              "expected_start_time": {"after_": datetime.now(UTC).isoformat()}},
                "sort": "EXPECTED_START_TIME_ASC", "limit": MAX_PAGE}
        try:
            answer = await self.http.post_read(self._path("/flow_runs/filter"), json=body)
            return next_runs(json_of(answer, NAME))
        except ProviderError:
            return {}

    async def read_trigger(self, trigger: Trigger) -> Trigger:
        body = json_of(await self.http.get(self._path(f"/deployments/{seg(trigger.id)}")), NAME)
        await self._join_names([body])
        found = parse_deployment(body, self.profile.name, self._names)
        if found is None:
            raise ProviderError("the deployment read back carries no id", provider=NAME, kind="parse")
        upcoming = await self._next_runs([found.id])
        return found.model_copy(update={"next_run_at": upcoming.get(found.id)})

    async def send_trigger_action(self, trigger: Trigger, action: Action) -> None:
        routes = {A.PAUSE: "pause_deployment", A.RESUME: "resume_deployment"}
        if action not in routes:
            raise NotAllowed(f"Prefect deployments do not support {action.value}")
        await self.http.post_action(self._path(f"/deployments/{seg(trigger.id)}/{routes[action]}"),
                                    send_json=False)

    async def count_runs(self, workflow_ids: list[str], since: datetime,
                         until: datetime) -> dict[str, OutcomeCounts]:
        """One `/flow_runs/history` request per deployment, one bucket for the whole window."""
        counts: dict[str, OutcomeCounts] = {}
        seconds = max(1.0, (until - since).total_seconds())
        for did in workflow_ids[:MAX_COUNTED]:
            body = {"history_start": since.isoformat(), "history_end": until.isoformat(),
                    "history_interval_seconds": seconds, "deployments": {"id": {"any_": [did]}}}
            answer = await self.http.post_read(self._path("/flow_runs/history"), json=body)
            counts[did] = history_counts(json_of(answer, NAME))
        return counts

    # ---- reads ----------------------------------------------------------------------

    def _filter(self, query: ListQuery, types: list[str] | None) -> dict[str, Any]:
        flow_runs: dict[str, Any] = {}
        if types is not None:
            flow_runs["state"] = {"type": {"any_": types}}
        if query.workflow_id is not None:
            flow_runs["deployment_id"] = {"any_": [query.workflow_id]}
        horizon = self._extra_float("scheduled_horizon_minutes", DEFAULT_HORIZON_MINUTES)
        if horizon > 0:  # a cron deployment keeps up to 100 future runs: not worth listing
            before = datetime.now(UTC) + timedelta(minutes=horizon)
            flow_runs["expected_start_time"] = {"before_": before.isoformat()}
        return {"flow_runs": flow_runs} if flow_runs else {}

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        if query.kind is not Kind.RUN:
            return
        types = server_types(query.statuses)
        if types is not None and not types:
            return  # no status asked for: no Prefect run can match
        size = max(1, min(query.page_size, MAX_PAGE))
        if query.limit is not None:
            size = min(size, max(1, query.limit))
        base = self._filter(query, types)

        async def read(offset: int) -> Page:
            body = {**base, "sort": "EXPECTED_START_TIME_DESC", "limit": size, "offset": offset}
            items = json_of(await self.http.post_read(self._path("/flow_runs/filter"), json=body), NAME)
            if isinstance(items, list):
                await self._join_names(items)
            runs, count = parse_page(items, self.profile.name, self._names)
            return Page(runs, count)

        # The server filters by deployment and state type; the statuses a type does not
        # settle (unknown; paused or waiting, both PAUSED) are filtered here.
        pager = OffsetPager(Want(query.statuses, None, query.limit), size, read_ahead=query.read_ahead)
        async for page in pager.pages(read):
            yield page

    async def _flow_run(self, run_id: str) -> Any:
        body = json_of(await self.http.get(self._path(f"/flow_runs/{seg(run_id)}")), NAME)
        await self._join_names([body])
        return body

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        body = await self._flow_run(run_id)
        run = parse_run(body, self.profile.name, self._names)
        task_runs: list[Any] = []
        try:
            for page in range(MAX_STEP_PAGES):
                query = {"flow_runs": {"id": {"any_": [run.id]}}, "sort": "EXPECTED_START_TIME_ASC",
                         "limit": MAX_PAGE, "offset": page * MAX_PAGE}
                found = json_of(await self.http.post_read(self._path("/task_runs/filter"), json=query),
                                NAME)
                task_runs.extend(p.as_list(found))
                if len(p.as_list(found)) < MAX_PAGE:
                    break
        except ProviderError:
            pass  # the run itself was read: show it even when its task runs are not
        states: Any = None
        try:
            states = json_of(await self.http.get(self._path("/flow_run_states/"),
                                                 params={"flow_run_id": run.id}), NAME)
        except ProviderError:
            states = None
        inputs = p.to_jsonable(p.as_dict(body).get("parameters"))
        return RunDetail(run=run, steps=parse_steps(task_runs), timeline=parse_timeline(states),
                         inputs=inputs if isinstance(inputs, dict) else {}, raw=p.to_jsonable(body))

    async def get_summary(self, run_id: str, kind: Kind = Kind.RUN) -> Run:
        return parse_run(await self._flow_run(run_id), self.profile.name, self._names)

    async def check(self) -> str:
        if not self.prefix:  # Prefect Cloud answers health outside the workspace
            healthy = json_of(await self.http.get("/health"), NAME)
            if healthy is not True:
                raise ProviderError(f"/health answered {healthy!r}, not true: is this a Prefect API?",
                                    provider=NAME, kind="parse")
        count = json_of(await self.http.post_read(self._path("/flow_runs/count"), json={}), NAME)
        if not isinstance(count, int) or isinstance(count, bool):
            raise ProviderError("/flow_runs/count did not answer a number", provider=NAME, kind="parse")
        version = None
        with contextlib.suppress(ProviderError):  # older servers and Cloud may not say
            version = p.text(json_of(await self.http.get(self._path("/admin/version")), NAME))
        return f"Prefect{' ' + version if version else ''}: {count} flow run{'s' if count != 1 else ''}"

    async def get_workflow(self, workflow_id: str) -> WorkflowInfo | None:
        response = await self.http.get(self._path(f"/deployments/{seg(workflow_id)}"))
        return parse_workflow(json_of(response, NAME), workflow_id)

    # ---- paused runs that wait for a person ------------------------------------------


    async def human_request(self, run: Run) -> HumanRequest | None:
        """A paused run: resume it, with a form when the flow paused with `wait_for_input`.

        `pause_flow_run(wait_for_input=Model)` stores the model's JSON schema as a
        flow run input under the state's `run_input_keyset["schema"]` key (and a
        description under `["description"]`); the server validates the resume's
        `run_input` against it.
        """
        body = await self._flow_run(run.id)
        state = p.as_dict(p.dig(body, "state"))
        if (p.text(state.get("type")) or "").upper() != "PAUSED":
            return None
        keyset = p.as_dict(p.dig(state, "state_details", "run_input_keyset"))
        name = p.text(state.get("name")) or "Paused"
        if not keyset:
            return HumanRequest(run_id=run.id, profile=run.profile, provider=NAME,
                                title=f"{name}: resume when ready (no input asked)",
                                context={"type": "pause"})
        schema_key, description_key = p.text(keyset.get("schema")), p.text(keyset.get("description"))
        fields: tuple[dict[str, Any], ...] = ()
        if schema_key:
            fields = schema_fields(await self._run_input(run.id, schema_key, as_json=True))
        description = await self._run_input(run.id, description_key) if description_key else None
        title = p.text(description) or f"{name}: the flow waits for input"
        return HumanRequest(run_id=run.id, profile=run.profile, provider=NAME, title=title,
                            fields=fields, ref=schema_key or "", context={"type": "run_input"})


    async def troubles(self) -> list[str]:
        """Work pools with no online worker while runs in them are due: nothing will run them.

        One pool listing, then per pool its workers and a count of its due runs
        (`SCHEDULED` and past their start); a paused pool is the operator's choice.
        """
        pools = p.dicts(json_of(await self.http.post_read(self._path("/work_pools/filter"),
                                                          json={"limit": MAX_PAGE}), NAME))
        found: list[str] = []
        now = datetime.now(UTC).isoformat()
        for pool in pools[:MAX_TROUBLE_POOLS]:
            name = p.text(pool.get("name"))
            if not name or pool.get("is_paused") is True:
                continue
            workers = p.dicts(json_of(await self.http.post_read(
                self._path(f"/work_pools/{seg(name)}/workers/filter"), json={}), NAME))
            if any((p.text(w.get("status")) or "").upper() == "ONLINE" for w in workers):
                continue
            due = json_of(await self.http.post_read(self._path("/flow_runs/count"), json={
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}},
                              "next_scheduled_start_time": {"before_": now}},
                "work_pools": {"name": {"any_": [name]}}}), NAME)
            if isinstance(due, int) and not isinstance(due, bool) and due > 0:
                found.append(f"work pool {name} has no online worker; {due} due run"
                             f"{'s' if due != 1 else ''} wait")
        return found

    async def _run_input(self, run_id: str, key: str, *, as_json: bool = False) -> Any:
        """One flow run input (plain text on the wire), or None when it is not there."""
        try:
            response = await self.http.get(self._path(f"/flow_runs/{seg(run_id)}/input/{seg(key)}"))
        except ProviderError as exc:
            if exc.status == 404:
                return None
            raise
        return json_of(response, NAME) if as_json else response.text

    async def send_answer(self, run: Run, request: HumanRequest, *, approve: bool,
                      values: dict[str, Any]) -> None:
        if not approve:
            raise NotAllowed("Prefect has no rejection of a pause: cancel the run instead")
        body: dict[str, Any] = {"run_input": values} if request.ref else {}
        response = await self._post_action(f"/flow_runs/{seg(run.id)}/resume", body)
        orchestration_outcome(json_of(response, NAME), response.status_code, A.RESUME)

    # ---- actions --------------------------------------------------------------------

    async def _post_action(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """Send an action once, like every adapter.

        Prefect answers 503 when its database is busy (SQLite "database is locked")
        without committing; that surfaces to the user with the server's message and
        the run read back, and the user decides to press again. The create carries
        an idempotency key, so even a second press after a lost answer cannot start
        the run twice.
        """
        return await self.http.post_action(self._path(path), json=body)

    async def _start(self, request: StartRequest) -> str:
        # The idempotency key makes a resent create return the same run, never a second one.
        response = await self._post_action(
            f"/deployments/{seg(request.workflow_id)}/create_flow_run",
            {"parameters": dict(request.inputs), "idempotency_key": f"runtui-{uuid.uuid4()}"})
        found = p.ident(json_of(response, NAME), "id")
        if found is None:
            raise ProviderError("the new flow run carries no id", provider=NAME, kind="parse",
                                status=response.status_code)
        return found

    def _suspend_state(self) -> dict[str, Any]:
        """PAUSED + pause_reschedule: Prefect's "Suspended". See docs/providers.md: the
        flow's process is not stopped; on resume the run is rescheduled and runs again."""
        details: dict[str, Any] = {"pause_reschedule": True, "pause_key": f"runtui-{uuid.uuid4().hex[:12]}"}
        timeout = self._extra_float("suspend_timeout_seconds", DEFAULT_SUSPEND_TIMEOUT)
        if timeout > 0:
            details["pause_timeout"] = (datetime.now(UTC) + timedelta(seconds=timeout)).isoformat()
        return {"type": "PAUSED", "name": "Suspended", "message": "suspended from runtui",
                "state_details": details}

    async def _send(self, run: Run, action: Action) -> str | None:
        run_path = f"/flow_runs/{seg(run.id)}"
        if action is A.CANCEL:
            response = await self._post_action(f"{run_path}/set_state", {"state": {"type": "CANCELLING"}})
        elif action is A.PAUSE:
            response = await self._post_action(f"{run_path}/set_state", {"state": self._suspend_state()})
        elif action is A.RESUME:
            response = await self._post_action(f"{run_path}/resume", {})
        else:
            raise NotAllowed(f"Prefect flow runs do not support {action.value}")
        orchestration_outcome(json_of(response, NAME), response.status_code, action)
        return None


    # ---- logs (the event capability: runtui.providers.events) -------------------------

    def events_note(self) -> str | None:
        return None  # real logs: nothing to excuse

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        """One page of the flow run's logs after `cursor`, oldest first (`POST /logs/filter`).

        The cursor is keyset paging on the log timestamp: (the newest timestamp read,
        how many lines at exactly that timestamp were read), so equal timestamps never
        repeat or vanish across pages, and a turn: once the follower has caught up, every
        other read asks for the run's state instead of its logs, so a followed run costs
        one request a tick and the follower still learns when the log can end.
        """
        after, skip, turn = cursor if isinstance(cursor, tuple) and len(cursor) == 3 else (None, 0, 0)
        if turn % 2 == 1:
            fresh = await self.get_summary(run.id)
            return EventPage(events=(), cursor=(after, skip, turn + 1), real_logs=True, run=fresh)
        if after is None and query.since is not None:
            after = query.since.isoformat()
        logs: dict[str, Any] = {"flow_run_id": {"any_": [run.id]}}
        if query.min_level > LogLevel.DEBUG:
            logs["level"] = {"ge_": int(query.min_level)}
        if after is not None:
            logs["timestamp"] = {"after_": after}
        size = max(1, min(query.page_size, MAX_PAGE))
        body = {"logs": logs, "sort": "TIMESTAMP_ASC", "limit": size, "offset": skip}
        items = p.dicts(json_of(await self.http.post_read(self._path("/logs/filter"), json=body), NAME))
        await self._join_task_names(items)
        events = parse_logs(items, run.id, self._task_names)
        next_cursor: tuple[str | None, int] = (after, skip)
        if items:
            last = p.text(items[-1].get("timestamp"))
            if last is not None and last == after:
                next_cursor = (after, skip + len(items))
            elif last is not None:
                next_cursor = (last, sum(1 for i in items if p.text(i.get("timestamp")) == last))
        more = len(items) >= size
        return EventPage(events=keep(events, query), cursor=(*next_cursor, 0 if more else turn + 1),
                         real_logs=True, more=more)

    async def _join_task_names(self, items: list[dict[str, Any]]) -> None:
        """Names of task runs the log lines mention and we have not seen: one request."""
        wanted = {tid for tid in (p.ident(i, "task_run_id") for i in items)
                  if tid and tid not in self._task_names}
        if not wanted:
            return
        body = {"task_runs": {"id": {"any_": sorted(wanted)}}, "limit": min(len(wanted), MAX_PAGE)}
        try:
            found = json_of(await self.http.post_read(self._path("/task_runs/filter"), json=body), NAME)
        except ProviderError:
            return  # the source falls back to the task run id
        for item in p.dicts(found):
            tid, name = p.ident(item, "id"), p.first_text(item, "name", "task_key")
            if tid and name:
                self._task_names[tid] = name
        for tid in wanted - self._task_names.keys():
            self._task_names[tid] = tid[:8]  # deleted or unreadable: do not ask every tick
