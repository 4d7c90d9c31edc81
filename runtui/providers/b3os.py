"""B3OS (api.b3os.org): workflow runs, with an SSE stream per run.

Every answer is an envelope `{code, data, message, requestId}`: read `data`,
never `code` (examples show 0 and 200). The org run list ignores `status`, so
statuses are filtered client-side, except for a single status on one workflow's
list, which the server filters (providers.md §5).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Collection
from typing import Any, ClassVar

import httpx
from msgspec.structs import replace

from runtui.actions import ActionTable, table_rows
from runtui.config import Profile
from runtui.env_names import env_variable
from runtui.errors import ConfigError, NotAllowed, ProviderError, Unreachable
from runtui.model import Action, HumanRequest, Kind, Run, RunDetail, StartRequest, Status, Step
from runtui.providers import parse as p
from runtui.providers.b3os_workflows import parse_workflow_page, parse_workflow_trigger
from runtui.providers.base import ListQuery, Provider, WorkflowInfo, cached_page, json_of, redact_credentials
from runtui.providers.encoding import decoded_pieces
from runtui.providers.events import EventPage, EventQuery, derived_page, status_events, step_events
from runtui.providers.http import first_str, seg
from runtui.providers.options import ProviderOption
from runtui.providers.paging import OffsetPager, Page, Want, offset_items
from runtui.providers.sse import bounded_events
from runtui.providers.stream_tap import StreamTap
from runtui.secret import Secret
from runtui.workflow_model import Trigger

NAME = "b3os"
TAP_RETRY = 30.0  # seconds before a run whose stream failed is streamed again
STREAM_QUIET = 10.0  # seconds a live run's stream may bring nothing new before the run is read
# Every answer carries its own requestId: not a change, so not part of a page's fingerprint.
_REQUEST_ID = re.compile(rb'"requestId"\s*:\s*"[^"\\]*"')
MAX_PAGE = 100
MAX_TRIGGERS = 1_000  # workflows listed at most

STATUS_TABLE: dict[str, Status] = {
    "running": Status.RUNNING,
    "waiting": Status.WAITING,
    "success": Status.SUCCEEDED,
    "partial": Status.SUCCEEDED,
    "failure": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
}
NODE_TABLE: dict[str, Status] = {
    "pending": Status.QUEUED,
    "scheduled": Status.QUEUED,
    "running": Status.RUNNING,
    "waiting": Status.WAITING,
    "success": Status.SUCCEEDED,
    "failure": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    # "skipped" has no common equivalent: UNKNOWN with the raw value shown.
}
# Statuses the per-workflow list filters server-side (one value per request). Succeeded
# is left client-side: it also covers `partial`, which that endpoint's enum lacks.
SERVER_STATUS: dict[Status, str] = {
    Status.RUNNING: "running",
    Status.WAITING: "waiting",
    Status.FAILED: "failure",
    Status.CANCELLED: "cancelled",
}


def b3_status(value: Any, table: dict[str, Status] = STATUS_TABLE) -> tuple[Status, str | None]:
    raw = p.raw_status(value)
    return p.map_status(raw, table), raw


def unwrap(body: Any) -> Any:
    """`data` of the envelope when there is one; the body itself otherwise."""
    if isinstance(body, dict) and "data" in body and ("code" in body or "requestId" in body
                                                      or "success" in body or "message" in body
                                                      or len(body) == 1):
        return body["data"]
    return body


def _error_text(value: Any) -> str | None:
    return p.truncate(p.message_of(value, keys=("message", "error", "reason", "detail")))


def _node_error(entry: Any, failed: bool) -> str | None:
    """A node's error: its `error`, else, for a failed node, what its `result` says. The
    documented node has no `error` field, only `result` (MCP types.ts), and that is where
    a failed node's message is; read only from `error`, a failed B3OS run said "failed"
    and never why."""
    return _error_text(p.dig(entry, "error")) or (_error_text(p.dig(entry, "result")) if failed else None)


# ---- parsers ----------------------------------------------------------------------------


def node_order(definition: Any) -> list[str]:
    """Node ids along `children` from the trigger(s), then any the walk did not reach."""
    nodes = p.as_dict(p.dig(definition, "nodes"))
    children: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        kids: list[str] = []
        for child in p.as_list(p.dig(node, "children")):
            kid = p.ident(child, "id", "nodeId") if isinstance(child, dict) else p.text(child)
            if kid is not None:
                kids.append(kid)
        children[node_id] = kids
    triggers = [t for t in (p.text(x) for x in p.as_list(p.dig(definition, "triggerNodeIds")))
                if t is not None and t in nodes]
    if not triggers:
        reached = {kid for kids in children.values() for kid in kids}
        triggers = [n for n in nodes if n not in reached]
    order: list[str] = []
    seen: set[str] = set()
    stack = list(reversed(triggers))
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        order.append(node_id)
        stack.extend(reversed(children.get(node_id, [])))
    order.extend(n for n in nodes if n not in seen)
    return order


def _steps(obj: dict[str, Any]) -> tuple[Step, ...]:
    state = p.as_dict(obj.get("executionState"))
    definition = p.as_dict(obj.get("workflowDefinition"))
    nodes = p.as_dict(definition.get("nodes"))
    order = [n for n in node_order(definition) if n in state]
    order += [n for n in state if n not in set(order)]
    steps: list[Step] = []
    for node_id in order:
        entry = p.as_dict(state.get(node_id))
        spec = p.as_dict(nodes.get(node_id))
        status, raw = b3_status(entry.get("status"), NODE_TABLE)
        node_type = p.first_text(entry, "type") or p.first_text(spec, "type")
        result = entry.get("result")
        steps.append(Step(
            id=node_id,
            name=p.first_text(spec, "description", "name") or node_type,
            type=node_type,
            status=status, raw_status=raw,
            started_at=p.parse_time(entry.get("startedAt")),
            finished_at=p.parse_time(entry.get("finishedAt")),
            error=_node_error(entry, failed=status is Status.FAILED),
            output=p.to_jsonable(result) if result is not None else None,
        ))
    return tuple(steps)


@p.parsing(NAME)
def parse_run(body: Any, profile: str) -> Run:
    obj = p.as_dict(unwrap(body))
    run_id = p.run_ident(NAME, p.ident(obj, "id", "runId"), "run without an id")
    status, raw = b3_status(obj.get("status"))
    last_error = _error_text(obj.get("error")) or _error_text(obj.get("errorMessage"))
    if last_error is None:
        for entry in p.as_dict(obj.get("executionState")).values():
            if b3_status(p.dig(entry, "status"), NODE_TABLE)[0] is Status.FAILED:
                last_error = _node_error(entry, failed=True)
                if last_error:
                    break
    return Run(
        profile=profile, provider=NAME, id=run_id,  # kind: a run, the default
        workflow_id=p.ident(obj, "workflowId"),
        workflow_name=p.first_text(obj, "workflowName", "workflow.name"),
        status=status, raw_status=raw,
        partial=raw is not None and raw.strip().lower() == "partial",
        created_at=p.first_time(obj, "createdAt"),
        started_at=p.first_time(obj, "startedAt"),
        finished_at=p.first_time(obj, "finishedAt"),
        updated_at=p.first_time(obj, "updatedAt"),
        cost=p.cost(obj.get("totalCu"), "CU"),
        last_error=last_error,
        parent_id=p.ident(obj, "sourceRunId"),
    )


@p.parsing(NAME)
def parse_detail(body: Any, profile: str) -> RunDetail:
    run = parse_run(body, profile)
    obj = p.as_dict(unwrap(body))
    state = p.as_dict(obj.get("executionState"))
    inputs: dict[str, Any] = {}
    order = node_order(obj.get("workflowDefinition"))
    trigger = next((n for n in order if n in state), None)
    if trigger is not None:  # the trigger's output is the run's input payload
        value = p.to_jsonable(p.dig(state[trigger], "result"))
        inputs = value if isinstance(value, dict) else {}
    if not inputs:
        value = p.to_jsonable(obj.get("propValues"))
        inputs = value if isinstance(value, dict) else {}
    return RunDetail(run=run, steps=_steps(obj), inputs=inputs, raw=p.to_jsonable(body))


@p.parsing(NAME)
def parse_page(body: Any, profile: str, memo: p.ParseMemo | None = None,
               keep: Collection[Status] | None = None) -> tuple[list[Run], int, bool | None]:
    """(runs, items counted, hasMore) of one list answer.

    `keep`: only items in these statuses are parsed (the org list has no status
    filter, so a sweep of active runs would otherwise parse every finished one).
    """
    data = unwrap(body)
    has_more = p.dig(data, "hasMore")
    if has_more is None:
        has_more = p.dig(body, "hasMore")  # older envelope {success, data: [...], hasMore}
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise p.parse_error(NAME, "expected a list of runs under data.items")
    runs: list[Run] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if keep is not None and b3_status(item.get("status"))[0] not in keep:
            continue
        try:
            if memo is None:
                runs.append(parse_run(item, profile))
            else:
                runs.append(memo.run(item, p.raw_id(item, ("id", "runId")),
                                     lambda obj: parse_run(obj, profile)))
        except ProviderError:
            continue
    return runs, len(items), has_more if isinstance(has_more, bool) else None


@p.parsing(NAME)
def item_ids(body: Any) -> list[str]:
    """The ids on a list page, as sent: what tells a new page from a repeated one."""
    data = unwrap(body)
    items = data.get("items") if isinstance(data, dict) else data
    found = (p.raw_id(item, ("id", "runId")) for item in items if isinstance(item, dict)) \
        if isinstance(items, list) else ()
    return [str(i) for i in found if i is not None]


@p.parsing(NAME)
def parse_run_id(body: Any) -> str:
    data = unwrap(body)
    found = p.ident(data, "runId", "id", "run.id")
    if found is None:
        raise p.parse_error(NAME, "the answer carries no runId")
    return found


@p.parsing(NAME)
def parse_workflow(body: Any, workflow_id: str) -> WorkflowInfo:
    data = p.as_dict(unwrap(body))
    schema: Any = None
    for path in ("inputSchema", "definition.inputSchema", "workflowDefinition.inputSchema",
                 "draftDefinition.inputSchema", "currentVersion.definition.inputSchema"):
        schema = p.dig(data, *path.split("."))
        if isinstance(schema, list):
            break
    inputs = tuple(d for d in (p.to_jsonable(i) for i in p.dicts(schema)) if isinstance(d, dict))
    return WorkflowInfo(id=p.ident(data, "id") or workflow_id, name=p.first_text(data, "name"),
                        inputs=inputs)


def waiting_node(detail: RunDetail) -> str | None:
    return next((s.id for s in detail.steps if (s.raw_status or "").lower() == "waiting"), None)


def merge_event(state: dict[str, Any], payload: Any) -> bool:
    """Fold one SSE payload into the run object being built; False if it said nothing.

    The event schema is unpublished: a payload with `nodeId` updates that node of
    `executionState`; any other object is taken as (part of) the run itself.
    """
    payload = unwrap(payload)
    if not isinstance(payload, dict):
        return False
    if isinstance(payload.get("run"), dict):
        payload = payload["run"]
    node_id = p.ident(payload, "nodeId", "node.id")
    if node_id is not None:
        nodes = state.get("executionState")
        if not isinstance(nodes, dict):
            nodes = state["executionState"] = {}
        entry = nodes.get(node_id)
        if not isinstance(entry, dict):
            entry = nodes[node_id] = {}
        for key in ("type", "status", "result", "error", "startedAt", "finishedAt", "input"):
            if key in payload:
                entry[key] = payload[key]
        return True
    changed = False
    for key, value in payload.items():
        if key in ("id", "runId"):
            continue
        if key == "executionState" and isinstance(value, dict):
            nodes = state.get("executionState")
            if not isinstance(nodes, dict):
                nodes = state["executionState"] = {}
            nodes.update(value)
        else:
            state[key] = value
        changed = True
    return changed


ACTIONS = ActionTable(
    provider=NAME,
    statuses=STATUS_TABLE,
    per_kind={
        # cancel: running|waiting (409 otherwise); resume: the waiting node;
        # retry: failure only (B3OS MCP). Pause exists only for whole workflows.
        Kind.RUN: table_rows(
            [
                ("running", [Action.CANCEL]),
                ("waiting", [Action.CANCEL, Action.RESUME]),
                ("failure", [Action.RETRY]),
            ]
        ),
    },
    notes={Action.PAUSE: "B3OS pauses whole workflows' triggers, not single runs"},
    # POST /v1/workflows/{id}/pause|resume (MCP b3os_pause_workflow): a draft must be
    # published first and an archived workflow never runs again.
    workflow_rules=table_rows([("active", [Action.PAUSE]), ("paused", [Action.RESUME])]),
    workflow_note="B3OS pauses a workflow's automatic triggers; runs already going carry on",
)


# ---- the adapter ------------------------------------------------------------------------


class B3osProvider(Provider):
    name: ClassVar[str] = NAME
    options: ClassVar[tuple[ProviderOption, ...]] = (
        ProviderOption("org_id", "sent as X-Org-ID (only for keys that are not org-scoped)"),
        ProviderOption("webhook_secret_env", "environment variable holding the workflow's webhook "
                       "secret: needed to resume a waiting node"),
        ProviderOption("webhook_secret", "the webhook secret itself (prefer webhook_secret_env)",
                       secret=True),
    )
    label: ClassVar[str] = "B3OS"
    default_base_url: ClassVar[str | None] = "https://api.b3os.org"
    actions: ClassVar[ActionTable] = ACTIONS
    workflow_label: ClassVar[str] = "workflow id"

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {"Authorization": f"Bearer {key.get_secret_value()}"} if key is not None else {}

    @classmethod
    def extra_headers(cls, profile: Profile) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}  # the MCP sends it on every call
        org = profile.setting("org_id")
        if isinstance(org, str) and org:
            headers["X-Org-ID"] = org
        return headers

    @staticmethod
    def read_error(body: Any) -> str | None:
        return first_str(body, "message", "error.message", "error")

    def _data(self, response: httpx.Response) -> Any:
        """The body, refusing a 2xx that says `success: false` (older envelope)."""
        body = json_of(response, NAME)
        if isinstance(body, dict) and body.get("success") is False:
            request_id = first_str(body, "requestId") or response.headers.get("x-request-id")
            raise ProviderError(
                redact_credentials(self.read_error(body) or "request failed", response)[:500],
                provider=NAME, status=response.status_code,
                request_id=redact_credentials(request_id, response)[:200] if request_id else None)
        return body

    def _page(self, response: httpx.Response, query: ListQuery, keep: Collection[Status] | None = None
              ) -> tuple[list[Run], int, bool | None, list[str]]:
        """(runs, items counted, hasMore, ids) of a list answer of `query`; the same bytes are
        decoded once (unless the listing remembers nothing, ListQuery.remember)."""
        memo, pages = self.memo_for(query), self.pages_for(query)

        def build() -> tuple[list[Run], int, bool | None, list[str]]:
            data = self._data(response)
            runs, count, has_more = parse_page(data, self.profile.name, memo, keep)
            return runs, count, has_more, item_ids(data)

        return cached_page(pages, response, build, None if keep is None else frozenset(keep),
                           volatile=_REQUEST_ID)

    # ---- reads ----------------------------------------------------------------------

    # Workflows seen in earlier listings, and how big the org list was: the org
    # list cannot filter by status, so active-only polls go per workflow instead
    # when that costs fewer requests than paging the whole list.
    _workflows: dict[str, None]
    _active_workflows: set[str]
    _org_total: int = 0

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        if query.kind is not Kind.RUN or (query.statuses is not None and not query.statuses):
            return
        if not hasattr(self, "_workflows"):
            self._workflows = {}
            self._active_workflows = set()
        wanted = self._per_workflow_statuses(query)
        if wanted is not None:
            async for page in self._iter_by_workflow(query, wanted):
                yield page
            return
        path, base = self._list_target(query)
        size = max(1, min(query.page_size, MAX_PAGE))

        async def read(offset: int) -> Page:
            response = await self.http.get(path, params={"limit": size, "offset": offset, **base})
            runs, count, has_more, ids = self._page(response, query, query.statuses)
            self._remember_workflows(runs)
            return Page(runs, count, ids=ids, more=has_more)

        # The server filters by workflow (query or path); statuses are kept here.
        pager = OffsetPager(Want(query.statuses, None, query.limit), size, read_ahead=query.read_ahead)
        async for page in pager.pages(read):
            yield page
        if path == "/v1/runs" and not base and not pager.limited:
            self._org_total = len(pager.seen)  # the whole org list: what paging it again costs

    def _per_workflow_statuses(self, query: ListQuery) -> list[str] | None:
        """Server statuses to poll per workflow, when that costs fewer requests than paging
        the whole org list (which cannot filter by status); None to page the org list."""
        if query.workflow_id is not None or query.statuses is None or query.limit is not None:
            return None
        wanted = [SERVER_STATUS[s] for s in sorted(query.statuses) if s in SERVER_STATUS]
        names_all = all(s in SERVER_STATUS or s in (Status.QUEUED, Status.PAUSED)
                        for s in query.statuses)  # B3OS runs are never queued or paused
        pages_whole = -(-self._org_total // max(1, min(query.page_size, MAX_PAGE)))
        cost = 1 + len(self._active_workflows) * len(wanted)
        return wanted if names_all and self._workflows and cost < pages_whole else None

    @staticmethod
    def _list_target(query: ListQuery) -> tuple[str, dict[str, Any]]:
        """The list to page and its filter: one workflow's runs by status when the server
        can filter that, else the org list (by workflow when one is asked)."""
        if query.workflow_id is None:
            return "/v1/runs", {}
        single = next(iter(query.statuses)) if query.statuses and len(query.statuses) == 1 else None
        if single in SERVER_STATUS:
            return f"/v1/workflows/{seg(query.workflow_id)}/runs", {"status": SERVER_STATUS[single]}
        return "/v1/runs", {"workflowId": query.workflow_id}

    def _remember_workflows(self, runs: list[Run]) -> None:
        for r in runs:
            if r.workflow_id:
                self._workflows.setdefault(r.workflow_id, None)
                if r.status.active:
                    self._active_workflows.add(r.workflow_id)

    async def _iter_by_workflow(self, query: ListQuery, wanted: list[str]) -> AsyncIterator[list[Run]]:
        """Active runs via the per-workflow list, which filters by status on the server.

        The newest page of the org list is read too, so a run of a workflow we
        have not seen yet still shows up at once.
        """
        size = max(1, min(query.page_size, MAX_PAGE))
        seen: set[str] = set()
        found_active: set[str] = set()
        response = await self.http.get("/v1/runs", params={"limit": size, "offset": 0})
        runs, _, _, _ = self._page(response, query)
        for r in runs:
            if r.workflow_id:
                self._workflows.setdefault(r.workflow_id, None)
        first = [r for r in runs if query.statuses is not None and r.status in query.statuses]
        seen.update(r.id for r in first)
        if first:
            yield first
        # Only workflows that had active runs last time: a run that becomes active
        # anywhere else is new, and new runs are on the newest page read above.
        active_now = {r.workflow_id for r in first if r.workflow_id}
        for workflow in sorted(self._active_workflows | active_now):
            for status in wanted:
                offset = 0
                while True:
                    response = await self.http.get(
                        f"/v1/workflows/{seg(workflow)}/runs",
                        params={"limit": size, "offset": offset, "status": status})
                    runs, count, has_more, _ = self._page(response, query)
                    page = [r for r in runs if r.id not in seen]
                    seen.update(r.id for r in page)
                    found_active.update(r.workflow_id for r in page if r.workflow_id)
                    if page:
                        yield page
                    more = has_more if has_more is not None else count >= size
                    if not more or count == 0:
                        break
                    offset += count
        self._active_workflows = found_active | active_now

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        response = await self.http.get(f"/v1/runs/{seg(run_id)}")
        return parse_detail(self._data(response), self.profile.name)

    async def get_summary(self, run_id: str, kind: Kind = Kind.RUN) -> Run:
        response = await self.http.get(f"/v1/runs/{seg(run_id)}", params={"summary": "true"})
        return parse_run(self._data(response), self.profile.name)

    async def check(self) -> str:
        response = await self.http.get("/v1/runs", params={"limit": 1, "offset": 0})
        runs, _, _ = parse_page(self._data(response), self.profile.name, self.memo)
        return "runs readable" + ("" if runs else " (none yet)")

    # ---- workflow triggers (runtui.providers.capabilities.ControlsWorkflows) ------------

    async def list_triggers(self) -> list[Trigger]:
        async def read(offset: int) -> tuple[list[Trigger], list[str], bool | None]:
            response = await self.http.get("/v1/workflows", params={"limit": MAX_PAGE, "offset": offset})
            return parse_workflow_page(self._data(response), self.profile.name)

        return await offset_items(read, MAX_PAGE, MAX_TRIGGERS)

    async def read_trigger(self, trigger: Trigger) -> Trigger:
        response = await self.http.get(f"/v1/workflows/{seg(trigger.id)}")
        found = parse_workflow_trigger(self._data(response), self.profile.name)
        if found is None:
            raise ProviderError("the workflow read back carries no id", provider=NAME, kind="parse")
        return found

    async def send_trigger_action(self, trigger: Trigger, action: Action) -> None:
        if action not in (Action.PAUSE, Action.RESUME):
            raise NotAllowed(f"B3OS workflows do not support {action.value}")
        await self.http.post_action(f"/v1/workflows/{seg(trigger.id)}/{action.value}", send_json=False)

    async def get_workflow(self, workflow_id: str) -> WorkflowInfo | None:
        response = await self.http.get(f"/v1/workflows/{seg(workflow_id)}")
        return parse_workflow(self._data(response), workflow_id)

    def stream_run(self, run_id: str, kind: Kind = Kind.RUN) -> AsyncIterator[RunDetail] | None:
        if kind is not Kind.RUN:
            return None
        return self._stream(run_id)

    async def _stream(self, run_id: str) -> AsyncIterator[RunDetail]:
        path = f"/v1/runs/{seg(run_id)}/stream"
        state: dict[str, Any] = {"id": run_id}
        try:
            async with self.http.stream(path) as response:
                if not response.is_success:
                    self.http._raise_for_status(await self.http.read_answer(response))
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    raise ProviderError("the run stream is not an event stream", provider=NAME,
                                        kind="parse")
                events = bounded_events(decoded_pieces(response, NAME), max_bytes=self.http.max_bytes,
                                        provider=NAME)
                async for event in events:
                    if event.event == "end":
                        return
                    try:
                        payload = json.loads(self.http.redact(event.data))
                    except (ValueError, RecursionError):
                        continue
                    try:
                        if not merge_event(state, payload):
                            continue
                        state["id"] = run_id
                        detail = parse_detail(state, self.profile.name)
                    except ProviderError:
                        continue
                    yield detail
        except httpx.TimeoutException as exc:
            raise ProviderError(f"stream stalled ({type(exc).__name__})", provider=NAME,
                                kind="timeout") from None
        except (httpx.TransportError, httpx.DecodingError, httpx.StreamError) as exc:
            raise ProviderError(f"stream failed ({type(exc).__name__})", provider=NAME,
                                kind="network") from None

    # ---- actions --------------------------------------------------------------------

    async def _start(self, request: StartRequest) -> str:
        response = await self.http.post_action(f"/v1/workflows/{seg(request.workflow_id)}/run",
                                               json={"payload": dict(request.inputs)})
        return parse_run_id(self._data(response))

    def _webhook_secret(self) -> str | None:
        extras = self.profile.extras
        secret = extras.get("webhook_secret")
        if isinstance(secret, str) and secret:
            return secret
        env = extras.get("webhook_secret_env")
        if isinstance(env, str) and env:
            return os.environ.get(env) or None
        return None

    # ---- a node that waits for a person ---------------------------------------------


    async def human_request(self, run: Run) -> HumanRequest | None:
        """The run's waiting node: resumed with a JSON object as its `data`.

        B3OS publishes no schema for what a waiting node expects, so the form is
        free JSON; a resume needs the workflow's webhook secret (`webhook_secret_env`).
        """
        detail = await self.get_run(run.id)
        if detail.run.id != run.id:
            raise ProviderError(f"the server answered the read of {run.id!r} with another run, "
                                f"{detail.run.id!r}", provider=NAME, kind="mismatch")
        node = waiting_node(detail)
        if node is None:
            return None
        note = "B3OS publishes no schema for a node's data: enter a JSON object ({} for none)."
        if self._webhook_secret() is None:
            note += " No webhook secret is set (webhook_secret_env): the server may refuse."
        step = next((s for s in detail.steps if s.id == node), None)
        label = step.name if step is not None and step.name else node
        return HumanRequest(run_id=run.id, profile=run.profile, provider=NAME,
                            title=f"node {label} waits for data", free_form=True, ref=node, note=note,
                            context={"type": "node data"})

    async def send_answer(self, run: Run, request: HumanRequest, *, approve: bool,
                      values: dict[str, Any]) -> None:
        if not approve:
            raise NotAllowed("B3OS has no rejection of a waiting node: cancel the run instead")
        secret = self._webhook_secret()
        env = self.profile.extras.get("webhook_secret_env")
        if secret is None and isinstance(env, str) and env:
            # Sent without it, the server only answers HTTP 400: refused here, as an unset key is.
            raise ConfigError(f"{env_variable(env, 'webhook_secret_env')} is not set or empty (the "
                              "workflow's webhook secret, needed to resume a waiting node)",
                              profile=self.profile.name,
                              field="webhook_secret_env")
        await self.http.post_action(f"/v1/runs/{seg(run.id)}/nodes/{seg(request.ref)}/resume",
                                    json={"data": values}, params={"secret": secret} if secret else None)

    async def _send(self, run: Run, action: Action) -> str | None:
        run_path = f"/v1/runs/{seg(run.id)}"
        if action is Action.CANCEL:
            await self.http.post_action(f"{run_path}/cancel", send_json=False)
            return None
        if action is Action.RETRY:
            response = await self.http.post_action(f"{run_path}/retry", send_json=False)
            return parse_run_id(self._data(response))
        if action is Action.RESUME:
            try:
                detail = await self.get_run(run.id)
            except Unreachable:
                raise  # said as it is: "not sent: <profile> unreachable (…)"
            except ProviderError as exc:
                # Nothing was sent yet: not an "uncertain" outcome, whatever the read's trouble.
                raise ProviderError(f"could not read the run to find its waiting node: {exc.message}",
                                    provider=NAME, status=exc.status, request_id=exc.request_id,
                                    kind="http") from None
            if detail.run.id != run.id:
                # Its waiting node would be another run's: nothing is sent.
                raise ProviderError(f"the server answered the read of {run.id!r} with another run, "
                                    f"{detail.run.id!r}; nothing sent", provider=NAME, kind="mismatch")
            node = waiting_node(detail)
            if node is None:
                raise ProviderError("no node of this run is waiting; nothing to resume",
                                    provider=NAME, kind="input")
            secret = self._webhook_secret()
            await self.http.post_action(f"{run_path}/nodes/{seg(node)}/resume", json={"data": {}},
                                        params={"secret": secret} if secret else None)
            return None
        raise NotAllowed(f"B3OS runs do not support {action.value}")

    # ---- events (runtui.providers.events): B3OS publishes no log endpoint ---------------

    def events_note(self) -> str | None:
        return ("B3OS publishes no log API: these are the run's node transitions "
                "(executionState), with their times, outputs and errors")

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        """Node transitions: read once with `GET /v1/runs/{id}`, then, while the run is live,
        from its SSE stream (`GET /v1/runs/{id}/stream`), which a tap keeps open between
        reads, so a followed run costs no request a tick. The stream only speeds things
        up: when it has brought nothing new for STREAM_QUIET seconds the run is read
        again (a stream that goes quiet, or pushes what runtui cannot read, must not
        freeze the run on an old state). A stream that fails or ends before the run
        does falls back to reading the run each tick (a gap line says lines may have
        been missed while it was down, and why)."""
        taps = self._taps()
        tap = taps.get(run.id)
        now = asyncio.get_running_loop().time()
        detail: RunDetail | None = None
        gap: str | None = None
        if tap is not None:
            pushed = tap.take_new()
            if not tap.usable:
                if tap.failed is not None:  # the stream broke: polled from here on
                    gap = f"the run stream was dropped: {tap.failed.message}"
                await tap.aclose()
                del taps[run.id]
                self._tap_failed_at[run.id] = now
            elif pushed is not None:
                detail = pushed
                self._known[run.id] = (pushed, now)
            elif (known := self._known.get(run.id)) is not None and now - known[1] < STREAM_QUIET:
                detail = known[0]  # the stream is quiet, and not for long yet
        if detail is None:
            detail = await self.get_run(run.id, run.kind)
            self._known[run.id] = (detail, now)
        if detail.run.status.terminal:
            self._known.pop(run.id, None)
            tap = taps.pop(run.id, None)
            if tap is not None:
                await tap.aclose()
        elif run.id not in taps and run.kind is Kind.RUN and self._may_tap(run.id):
            taps[run.id] = StreamTap(self._stream(run.id))
        page = derived_page(step_events(detail) + status_events(detail), detail, query)
        return replace(page, gap=gap is not None, gap_reason=gap)

    def _taps(self) -> dict[str, StreamTap[RunDetail]]:
        if not hasattr(self, "_open_taps"):
            self._open_taps: dict[str, StreamTap[RunDetail]] = {}
            self._tap_failed_at: dict[str, float] = {}
            # Per followed run: its newest state (pushed or read) and when it came.
            self._known: dict[str, tuple[RunDetail, float]] = {}
        return self._open_taps

    def _may_tap(self, run_id: str) -> bool:
        """Not again within TAP_RETRY seconds of a stream that failed."""
        failed = self._tap_failed_at.get(run_id)
        return failed is None or asyncio.get_running_loop().time() - failed > TAP_RETRY

    async def aclose(self) -> None:
        for tap in self._taps().values():
            await tap.aclose()
        self._taps().clear()
        self._known.clear()
        await super().aclose()
