"""Edges (api.edges.run): flow runs.

Lists are bare JSON arrays paged with limit/offset; the status filter is applied
server-side (repeatable `status`), and again client-side for safety. Cancel and
resume take no body. The async start route is inferred (providers.md §5).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from runtui.actions import ActionTable, table_rows
from runtui.config import Profile
from runtui.errors import NotAllowed, ProviderError
from runtui.model import Action, Cost, Kind, LogEvent, LogLevel, Run, RunDetail, StartRequest, Status, Step
from runtui.providers import parse as p
from runtui.providers.base import ListQuery, Provider, cached_page, json_of
from runtui.providers.edges_schedules import parse_schedules
from runtui.providers.events import EventPage, EventQuery, derived_page, event, status_events, step_events
from runtui.providers.http import first_str, seg
from runtui.providers.paging import OffsetPager, Page, Want, offset_items
from runtui.secret import Secret
from runtui.workflow_model import Trigger

NAME = "edges"
MAX_PAGE = 100  # the documented max of the sibling action-run list [inf]
OUTPUTS_LIMIT = 100
MAX_TRIGGERS = 1_000  # schedules (or workflows) listed at most: an answer cannot grow without end

STATUS_TABLE: dict[str, Status] = {
    "created": Status.QUEUED,
    "queued": Status.QUEUED,
    "scheduled": Status.QUEUED,
    "running": Status.RUNNING,
    "blocked": Status.WAITING,
    "stopped": Status.CANCELLED,
    "succeeded": Status.SUCCEEDED,
    "partial_succeeded": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "invalid": Status.FAILED,
}

# Common status -> the raw enum values the server filters on.
RAW_FOR: dict[Status, tuple[str, ...]] = {
    Status.QUEUED: ("CREATED", "QUEUED", "SCHEDULED"),
    Status.RUNNING: ("RUNNING",),
    Status.WAITING: ("BLOCKED",),
    Status.CANCELLED: ("STOPPED",),
    Status.SUCCEEDED: ("SUCCEEDED", "PARTIAL_SUCCEEDED"),
    Status.FAILED: ("FAILED", "INVALID"),
    Status.PAUSED: (),  # no such raw state: nothing can match
}

ID_KEYS = ("uid", "flow_run_uid", "run_uid")


def edges_status(value: Any) -> tuple[Status, str | None, bool]:
    raw = p.raw_status(value)
    status = p.map_status(raw, STATUS_TABLE)
    partial = raw is not None and raw.strip().lower() == "partial_succeeded"
    return status, raw, partial


def server_statuses(statuses: frozenset[Status] | None) -> list[str] | None:
    """Raw values for `status=`; None when the server cannot express the filter."""
    if statuses is None or Status.UNKNOWN in statuses:
        return None  # unknown covers null/unlisted values: filter client-side only
    raw: list[str] = []
    for status in sorted(statuses):
        raw.extend(RAW_FOR.get(status, ()))
    return raw


def _last_error(obj: dict[str, Any]) -> str | None:
    err = obj.get("last_error", obj.get("error"))
    if isinstance(err, dict):
        return p.truncate(p.first_text(err, "message", "label") or p.message_of(err))
    return p.truncate(p.message_of(err))


def _credits(obj: dict[str, Any]) -> Cost | None:
    for key in ("credits", "credits_used", "consumed_credits", "credit_cost", "cost"):
        found = p.cost(obj.get(key), "credits")
        if found is not None:
            return found
    return None


# ---- parsers ----------------------------------------------------------------------------


@p.parsing(NAME)
def parse_run(body: Any, profile: str) -> Run:
    obj = p.as_dict(body)
    if p.ident(obj, *ID_KEYS) is None and isinstance(obj.get("data"), dict):
        obj = p.as_dict(obj["data"])
    run_id = p.run_ident(NAME, p.ident(obj, *ID_KEYS), "flow run without a uid")
    status, raw, partial = edges_status(obj.get("status"))
    workflow = p.as_dict(obj.get("workflow"))
    return Run(
        profile=profile, provider=NAME, id=run_id,  # kind: a run, the default
        workflow_id=(p.first_text(workflow, "slug", "uid")
                     or p.first_text(obj, "flow_slug", "workflow_slug", "flow_uid")),
        workflow_name=p.first_text(workflow, "name") or p.first_text(obj, "flow_name"),
        status=status, raw_status=raw, partial=partial,
        created_at=p.parse_time(obj.get("created_at")),
        started_at=p.parse_time(obj.get("started_at")),
        finished_at=p.parse_time(obj.get("finished_at")),
        updated_at=p.parse_time(obj.get("updated_at")),
        cost=_credits(obj),
        last_error=_last_error(obj),
    )


def _steps(obj: dict[str, Any]) -> tuple[Step, ...]:
    """Per-step status: its shape is unpublished, so read the usual field names."""
    raw_steps = obj.get("steps", obj.get("step_runs", obj.get("steps_status")))
    if isinstance(raw_steps, dict):  # {step_uid: {...}} or {step_uid: "RUNNING"}
        raw_steps = [{"uid": k, **(v if isinstance(v, dict) else {"status": v})}
                     for k, v in raw_steps.items()]
    steps: list[Step] = []
    for index, item in enumerate(p.dicts(raw_steps)):
        step_id = p.ident(item, "uid", "step_uid", "id") or f"step-{index + 1}"
        status, raw, _ = edges_status(item.get("status"))
        steps.append(Step(
            id=step_id,
            name=p.first_text(item, "name", "label", "action_name", "action.name", "slug"),
            type=p.first_text(item, "type", "action_name", "action.slug"),
            status=status, raw_status=raw,
            started_at=p.parse_time(item.get("started_at")),
            finished_at=p.parse_time(item.get("finished_at")),
            error=_last_error(item),
            output=p.to_jsonable(item.get("output_count")) if "output_count" in item else None,
        ))
    return tuple(steps)


@p.parsing(NAME)
def parse_detail(body: Any, profile: str, outputs: Any = None) -> RunDetail:
    run = parse_run(body, profile)
    obj = p.as_dict(body)
    if p.ident(obj, *ID_KEYS) is None and isinstance(obj.get("data"), dict):
        obj = p.as_dict(obj["data"])
    results: list[dict[str, Any]] = []
    for item in p.as_list(outputs if isinstance(outputs, list) else p.dig(outputs, "data")):
        value = p.to_jsonable(item)
        results.append(value if isinstance(value, dict) else {"value": value})
    inputs = p.to_jsonable(obj.get("inputs"))
    return RunDetail(run=run, steps=_steps(obj), outputs=tuple(results),
                     inputs=inputs if isinstance(inputs, dict) else ({"inputs": inputs} if inputs else {}),
                     raw=p.to_jsonable(body))


ACTION_RUN_LEVEL = {"failed": LogLevel.ERROR, "completed": LogLevel.INFO}


@p.parsing(NAME)
def action_run_events(body: Any, run_id: str) -> list[LogEvent]:
    """Per-step action runs (`GET /v1/runs?flow_run_id=`): one line per run and state.

    The list's item shape is inferred from the action-run answer (`action_name`, a
    lowercase `status`, times, an error): unknown fields are simply not shown.
    """
    found: list[LogEvent] = []
    for index, item in enumerate(page_items(body)):
        obj = p.as_dict(item)
        action_id = p.ident(obj, "uid", "run_uid", "id", "run_id") or str(index)
        source = p.first_text(obj, "action_name", "action.name", "name") or f"action {index + 1}"
        raw = (p.text(obj.get("status")) or "unknown").lower()
        started = p.first_time(obj, "started_at", "created_at")
        if started is not None:
            found.append(event(f"action:{action_id}:started", started, LogLevel.INFO, "action run started",
                               source, run_id))
        if raw in ("pending", "running", "unknown"):
            continue
        count = p.number(obj.get("results_count", obj.get("output_count")))
        text = f"action run {raw}" + (f", {count:.0f} results" if count is not None else "")
        error = _last_error(obj) or p.truncate(p.message_of(obj.get("error")))
        if error:
            text += f": {error}"
        found.append(event(f"action:{action_id}:{raw}", p.first_time(obj, "finished_at", "updated_at"),
                           ACTION_RUN_LEVEL.get(raw, LogLevel.WARNING), text, source, run_id))
    return found


@p.parsing(NAME)
def page_items(body: Any) -> list[Any]:
    """The array of a list answer (documented bare; an envelope is tolerated)."""
    if isinstance(body, dict):
        body = next((body[k] for k in ("data", "items", "runs", "results") if isinstance(body.get(k), list)),
                    None)
    if not isinstance(body, list):
        raise p.parse_error(NAME, "expected a list of flow runs")
    return body


@p.parsing(NAME)
def parse_page(body: Any, profile: str, memo: p.ParseMemo | None = None) -> list[Run]:
    runs: list[Run] = []
    for item in page_items(body):
        if not isinstance(item, dict):
            continue
        try:
            if memo is None:
                runs.append(parse_run(item, profile))
            else:
                runs.append(memo.run(item, p.raw_id(item, ID_KEYS), lambda obj: parse_run(obj, profile)))
        except ProviderError:
            continue
    return runs


@p.parsing(NAME)
def parse_new_run_id(body: Any) -> str:
    candidates = [body, p.dig(body, "data"), p.dig(body, "flow_run")]
    if isinstance(body, list) and body:
        candidates.append(body[0])
    for obj in candidates:
        found = p.ident(obj, *ID_KEYS)
        if found is not None:
            return found
    raise p.parse_error(NAME, "the start answer carries no uid, flow_run_uid or run_uid")


def start_inputs(request: StartRequest) -> list[Any]:
    """`inputs` is a list of input objects. A user-given JSON list goes as is.

    A list reaches us either as the inputs themselves (an unvalidated StartRequest)
    or as the only key `inputs` holding a list; anything else is one input object.
    """
    given: Any = request.inputs
    if isinstance(given, list):
        return given
    if isinstance(given, dict) and list(given) == ["inputs"] and isinstance(given["inputs"], list):
        return list(given["inputs"])
    return [dict(given)]


ACTIONS = ActionTable(
    provider=NAME,
    statuses=STATUS_TABLE,
    per_kind={
        # Cancel from CREATED/QUEUED/SCHEDULED/RUNNING, resume from BLOCKED/STOPPED
        # (flows-docs cancel and resume pages). No single-run pause exists.
        Kind.RUN: table_rows(
            [
                ("CREATED", [Action.CANCEL]),
                ("QUEUED", [Action.CANCEL]),
                ("SCHEDULED", [Action.CANCEL]),
                ("RUNNING", [Action.CANCEL]),
                ("BLOCKED", [Action.RESUME]),
                ("STOPPED", [Action.RESUME]),
            ]
        ),
    },
    notes={Action.PAUSE: "Edges has no pause for a single flow run (only for schedules)"},
    # POST /flows/schedules/{uid}/pause|resume|cancel. The schedule statuses are not
    # published: these are the ones the actions' names imply; others take no action.
    workflow_rules=table_rows([
        ("active", [Action.PAUSE, Action.CANCEL]),
        ("scheduled", [Action.PAUSE, Action.CANCEL]),
        ("paused", [Action.RESUME, Action.CANCEL]),
    ]),
    workflow_note="Edges pauses a flow's schedules; a flow run started by hand is not affected",
)


# ---- the adapter ------------------------------------------------------------------------


class EdgesProvider(Provider):
    name: ClassVar[str] = NAME
    label: ClassVar[str] = "Edges"
    default_base_url: ClassVar[str | None] = "https://api.edges.run/v1"
    actions: ClassVar[ActionTable] = ACTIONS
    workflow_label: ClassVar[str] = "flow slug"

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {"X-API-Key": key.get_secret_value()} if key is not None else {}

    @staticmethod
    def read_error(body: Any) -> str | None:
        return first_str(body, "message", "label", "error.message", "detail", "error")

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        if query.kind is not Kind.RUN:
            return
        raw = server_statuses(query.statuses)
        if raw is not None and not raw:
            return  # e.g. only "paused": no Edges run can match
        size = max(1, min(query.page_size, MAX_PAGE))

        memo, pages = self.memo_for(query), self.pages_for(query)

        async def read(offset: int) -> Page:
            params: list[tuple[str, str | int]] = [("status", s) for s in raw or ()]
            params += [("limit", size), ("offset", offset), ("sort", "-created_at")]
            response = await self.http.get("/flows/runs", params=params)

            def build() -> tuple[int, list[Run]]:
                body = json_of(response, NAME)
                return len(page_items(body)), parse_page(body, self.profile.name, memo)

            count, runs = cached_page(pages, response, build)
            return Page(runs, count)

        # No documented server filter by flow: the pager keeps the flow's runs.
        pager = OffsetPager(Want(query.statuses, query.workflow_id, query.limit), size,
                            read_ahead=query.read_ahead)
        async for page in pager.pages(read):
            yield page

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        uid = seg(run_id)
        body = await self._run_with_steps(uid)
        outputs: Any = None
        try:
            response = await self.http.get(f"/flows/runs/{uid}/outputs",
                                           params={"limit": OUTPUTS_LIMIT, "offset": 0})
            outputs = json_of(response, NAME)
        except ProviderError:
            outputs = None  # the run itself was read: show it even when its outputs are not
        return parse_detail(body, self.profile.name, outputs)

    async def get_steps(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        """One request: the outputs (a second one) are for the detail view. Where a
        BLOCKED run waits cost two requests a run, and Edges runs flip RUNNING/BLOCKED."""
        return parse_detail(await self._run_with_steps(seg(run_id)), self.profile.name, None)

    async def _run_with_steps(self, uid: str) -> Any:
        # `include_steps` is an inference: the docs show an optional boolean query that
        # adds per-step status but its name is not visible (providers.md §2).
        return json_of(await self.http.get(f"/flows/runs/{uid}", params={"include_steps": "true"}), NAME)

    async def get_summary(self, run_id: str, kind: Kind = Kind.RUN) -> Run:
        response = await self.http.get(f"/flows/runs/{seg(run_id)}/status")
        return parse_run(json_of(response, NAME), self.profile.name)

    async def check(self) -> str:
        response = await self.http.get("/flows/runs", params={"limit": 1, "offset": 0,
                                                              "sort": "-created_at"})
        runs = parse_page(json_of(response, NAME), self.profile.name)
        return "flow runs readable" + ("" if runs else " (none yet)")

    async def _start(self, request: StartRequest) -> str:
        body = {"inputs": start_inputs(request), "parameters": {}}
        response = await self.http.post_action(f"/flows/{seg(request.workflow_id)}/run/async", json=body)
        return parse_new_run_id(json_of(response, NAME))

    async def _send(self, run: Run, action: Action) -> str | None:
        if action not in (Action.CANCEL, Action.RESUME):
            raise NotAllowed(f"Edges flow runs do not support {action.value}")
        await self.http.post_action(f"/flows/runs/{seg(run.id)}/{action.value}", send_json=False)
        return None

    # ---- schedules: the only thing Edges pauses (runtui.providers.capabilities) ---------

    async def list_triggers(self) -> list[Trigger]:
        return await self._schedules({})

    async def _schedules(self, params: dict[str, str]) -> list[Trigger]:
        async def read(offset: int) -> tuple[list[Trigger], list[str], bool | None]:
            response = await self.http.get("/flows/schedules", params={
                **params, "limit": MAX_PAGE, "offset": offset, "sort": "-created_at"})
            found, ids = parse_schedules(json_of(response, NAME), self.profile.name)
            return found, ids, None

        return await offset_items(read, MAX_PAGE, MAX_TRIGGERS)

    async def read_trigger(self, trigger: Trigger) -> Trigger:
        """No route reads one schedule: the flow's schedules are listed and the chosen uid kept."""
        for found in await self._schedules({"flow_preset_slug": trigger.workflow_id}):
            if found.id == trigger.id:
                return found
        raise ProviderError(f"schedule {trigger.id!r} is not in the flow's schedules any more",
                            provider=NAME, status=404)

    async def send_trigger_action(self, trigger: Trigger, action: Action) -> None:
        if action not in (Action.PAUSE, Action.RESUME, Action.CANCEL):
            raise NotAllowed(f"Edges schedules do not support {action.value}")
        await self.http.post_action(f"/flows/schedules/{seg(trigger.id)}/{action.value}", send_json=False)

    # ---- events (runtui.providers.events): Edges publishes no log API ------------------

    def events_note(self) -> str | None:
        return ("Edges publishes no log API: these are the flow run's status times, last error, "
                "per-step action runs and outputs count")

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        """The flow run (with steps) and its action runs: two requests, no log route."""
        body = json_of(await self.http.get(f"/flows/runs/{seg(run.id)}", params={"include_steps": "true"}),
                       NAME)
        detail = parse_detail(body, self.profile.name)
        events = step_events(detail) + status_events(detail)
        count = p.number(p.as_dict(body).get("output_count"))
        if count is not None and detail.run.status.terminal:
            events.append(event("run:outputs", detail.run.finished_at, LogLevel.INFO,
                                f"outputs: {count:.0f}", "run", run.id))
        events += await self._action_events(body, detail)
        return derived_page(events, detail, query)

    @property
    def _actions_seen(self) -> dict[str, tuple[Any, list[LogEvent]]]:
        """Per run: what the flow run looked like when its action runs were read, and them."""
        if not hasattr(self, "_actions_cache"):
            self._actions_cache: dict[str, tuple[Any, list[LogEvent]]] = {}
        return self._actions_cache

    async def _action_events(self, body: Any, detail: RunDetail) -> list[LogEvent]:
        """The flow run's action runs (`GET /v1/runs?flow_run_id=`), read again only when the
        flow run changed since the last read: a followed run costs one request a tick."""
        number = p.ident(body, "id")
        if number is None or not number.isdigit():
            return []
        run = detail.run
        seen = (run.raw_status, run.updated_at, run.finished_at,
                tuple((s.id, s.raw_status) for s in detail.steps))
        cached = self._actions_seen.get(run.id)
        if cached is not None and cached[0] == seen:
            return cached[1]
        try:
            actions_body = json_of(await self.http.get("/runs", params={"flow_run_id": number}), NAME)
        except ProviderError:
            return []  # the flow run's own lines still show; asked again next read
        found = action_run_events(actions_body, run.id)
        self._actions_seen[run.id] = (seen, found)
        return found
