"""Wexa AI: AgentFlow executions and the tasks that group them.

Requests follow providers.md §5 (what the official SDK 0.1.16 sends) plus the
documented `projectID` query/body on execute-flow actions. Response shapes of the
list calls are undocumented, so the list parser accepts a bare array or an
object holding the list under one of a few usual keys.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar

from runtui.actions import ActionTable, table_rows
from runtui.config import Profile
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import (
    Action,
    Cost,
    HumanRequest,
    Kind,
    LogEvent,
    LogLevel,
    Run,
    RunDetail,
    StartRequest,
    Status,
    Step,
)
from runtui.providers import parse as p
from runtui.providers.base import ListQuery, Provider, cached_page, json_of
from runtui.providers.events import (
    EventPage,
    EventQuery,
    derived_page,
    event,
    short_output,
    status_events,
    step_events,
)
from runtui.providers.http import first_str, seg
from runtui.providers.options import ProviderOption
from runtui.providers.paging import OffsetPager, Page, Want
from runtui.providers.slim import SlimList, slim_json_of
from runtui.providers.wexa_inbox import INBOX_PAGE, InboxPages, answer_body
from runtui.secret import Secret

NAME = "wexa"
ERROR_TEXT_KEYS = ("message", "msg", "detail", "error", "reason", "description")

STATUS_TABLE: dict[str, Status] = {
    "ready": Status.QUEUED,
    "pending": Status.QUEUED,
    "queued": Status.QUEUED,
    "running": Status.RUNNING,
    "in_progress": Status.RUNNING,
    "paused": Status.PAUSED,
    "completed": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
}
# Human-in-the-loop state names are not published: anything that reads like one waits.
STATUS_CONTAINS = (("approval", Status.WAITING), ("waiting", Status.WAITING), ("input", Status.WAITING))

LIST_KEYS = ("data", "executions", "items", "execution_flows", "tasks", "results")
_WRAPPER_KEYS = ("data", "execution", "task", "result")  # around a lone execution or task
_ERROR_KEYS = ("errors", "error", "error_message", "failure_reason")
_CREDIT_KEYS = ("credits", "credits_used", "total_credits", "credit")
_TOKEN_KEYS = ("tokens", "total_tokens", "tokens_used", "token_usage", "usage")


def wexa_status(value: Any) -> tuple[Status, str | None]:
    raw = p.raw_status(value)
    return p.map_status(raw, STATUS_TABLE, STATUS_CONTAINS), raw


# ---- parsers (pure; raise only ProviderError(kind="parse")) -----------------------------


@p.parsing(NAME)
def items_of(body: Any) -> list[dict[str, Any]]:
    """The list in a list answer: a bare array, or an object holding one."""
    if isinstance(body, list):
        return p.dicts(body)
    if isinstance(body, dict):
        for key in LIST_KEYS:
            value = body.get(key)
            if isinstance(value, list):
                return p.dicts(value)
            if isinstance(value, dict):  # {"data": {"items": [...]}}
                for inner in LIST_KEYS:
                    if isinstance(value.get(inner), list):
                        return p.dicts(value[inner])
    raise p.parse_error(NAME, "expected a list of executions or tasks")


def _unwrap(body: Any, *id_keys: str) -> dict[str, Any]:
    """The object itself, or the one inside {"data": {...}} when the top has no id."""
    obj = p.as_dict(body)
    if p.ident(obj, *id_keys) is None:
        for key in _WRAPPER_KEYS:
            inner = p.as_dict(obj.get(key))
            if p.ident(inner, *id_keys) is not None:
                return inner
    return obj


def _errors_text(obj: dict[str, Any]) -> str | None:
    for key in _ERROR_KEYS:
        found = p.message_of(obj.get(key), keys=ERROR_TEXT_KEYS)
        if found:
            return p.truncate(found)
    return None


def _tokens(obj: dict[str, Any]) -> Cost | None:
    for key in _CREDIT_KEYS:
        found = p.cost(obj.get(key), "credits")
        if found is not None:
            return found
    for key in _TOKEN_KEYS:
        value = obj.get(key)
        if isinstance(value, dict):
            value = next((value[k] for k in ("total", "total_tokens", "tokens") if k in value), None)
        found = p.cost(value, "tokens")
        if found is not None:
            return found
    return None


EXEC_ID_KEYS = ("execution_id", "id", "_id")
TASK_ID_KEYS = ("_id", "id", "task_id")
_TIME_KEYS = ("created_at", "createdAt", "start_time", "started_at", "end_time", "finished_at",
              "completed_at", "updated_at", "updatedAt")
EXECUTIONS = SlimList(
    "wexa_execution",
    (*EXEC_ID_KEYS, "status", "state", "agentflow_id", "agentflow_name", *_TIME_KEYS, *_CREDIT_KEYS,
     *_TOKEN_KEYS, *_ERROR_KEYS, "parent_execution_id", "task_id", *_WRAPPER_KEYS),
    nested={"agentflow": ("agentflow_id", "_id", "name")}, list_keys=LIST_KEYS)
"""What `parse_execution` reads of a list item (tests/unit/test_slim.py checks it reads no more)."""


@p.parsing(NAME)
def parse_execution(body: Any, profile: str) -> Run:
    obj = _unwrap(body, *EXEC_ID_KEYS)
    run_id = p.run_ident(NAME, p.ident(obj, *EXEC_ID_KEYS), "execution without an id")
    status, raw = wexa_status(obj.get("status", obj.get("state")))
    agentflow = p.as_dict(obj.get("agentflow"))
    return Run(
        profile=profile, provider=NAME, id=run_id,  # kind: a run, the default
        workflow_id=p.ident(obj, "agentflow_id") or p.ident(agentflow, "agentflow_id", "_id"),
        workflow_name=p.first_text(agentflow, "name") or p.first_text(obj, "agentflow_name"),
        status=status, raw_status=raw,
        created_at=p.first_time(obj, "created_at", "createdAt"),
        started_at=p.first_time(obj, "start_time", "started_at"),
        finished_at=p.first_time(obj, "end_time", "finished_at", "completed_at"),
        updated_at=p.first_time(obj, "updated_at", "updatedAt"),
        cost=_tokens(obj),
        last_error=_errors_text(obj),
        parent_id=p.ident(obj, "parent_execution_id"),
        task_id=p.ident(obj, "task_id"),
    )


def _agent_outputs(value: Any) -> dict[str, dict[str, Any]]:
    """agents_output as {agent id or title: entry}; shape unpublished, list or map."""
    found: dict[str, dict[str, Any]] = {}
    if isinstance(value, dict):
        for key, entry in value.items():
            entry_dict = p.as_dict(entry) if isinstance(entry, dict) else {"output": entry}
            found[str(key)] = entry_dict
        return found
    for entry in p.dicts(value):
        for key in ("agent_id", "agentId", "_id", "id", "agent", "title", "name"):
            name = p.ident(entry, key)
            if name is not None:
                found.setdefault(name, entry)
    return found


def _agent_steps(obj: dict[str, Any]) -> tuple[Step, ...]:
    outputs = _agent_outputs(obj.get("agents_output"))
    steps: list[Step] = []
    for index, agent in enumerate(p.dicts(p.dig(obj, "agentflow", "agents"))):
        step_id = p.ident(agent, "_id", "id", "agent_id") or f"agent-{index + 1}"
        title = p.first_text(agent, "title", "name", "role")
        entry = outputs.get(step_id) or (outputs.get(title) if title else None)
        status, raw = Status.UNKNOWN, None
        output: Any = None
        error: str | None = None
        started = finished = None
        if entry is not None:
            status, raw = wexa_status(entry.get("status"))
            if raw is None:  # an output without a status: the agent produced it [inf]
                status = Status.SUCCEEDED
            output = p.to_jsonable(next((entry[k] for k in ("output", "result", "content", "response")
                                         if k in entry), entry))
            error = p.truncate(p.message_of(entry.get("error") or entry.get("errors")))
            started = p.first_time(entry, "start_time", "started_at", "created_at")
            finished = p.first_time(entry, "end_time", "ended_at", "finished_at", "completed_at")
        steps.append(Step(id=step_id, name=title, type=p.first_text(agent, "agent_type", "role"),
                          status=status, raw_status=raw, started_at=started, finished_at=finished,
                          error=error, output=output))
    return tuple(steps)


@p.parsing(NAME)
def parse_execution_detail(body: Any, profile: str) -> RunDetail:
    run = parse_execution(body, profile)
    obj = _unwrap(body, *EXEC_ID_KEYS)
    outputs: list[dict[str, Any]] = []
    conclusion = obj.get("conclusion")
    if conclusion is not None:
        outputs.append({"conclusion": p.to_jsonable(conclusion)})
    inputs = p.as_dict(p.to_jsonable(p.as_dict(obj.get("input_variables"))))
    return RunDetail(run=run, steps=_agent_steps(obj), outputs=tuple(outputs), inputs=inputs,
                     raw=p.to_jsonable(body))


@p.parsing(NAME)
def execution_events(body: Any, detail: RunDetail) -> list[LogEvent]:
    """What `GET /execute_flow/{id}` says beyond its agents: errors, debug info,
    summaries and the conclusion, as lines (field names unpublished: read defensively)."""
    obj = _unwrap(body, *EXEC_ID_KEYS)
    run = detail.run
    titles = {s.id: s.name or s.id for s in detail.steps}
    found: list[LogEvent] = []
    for index, item in enumerate(p.as_list(obj.get("errors"))):
        entry = p.as_dict(item) if isinstance(item, dict) else {"message": item}
        text = p.message_of(entry, keys=ERROR_TEXT_KEYS) or "error"
        agent = p.ident(entry, "agent_id", "agentId")
        found.append(event(f"error:{index}", p.first_time(entry, "timestamp", "created_at", "time")
                           or run.finished_at or run.updated_at, LogLevel.ERROR, text,
                           titles.get(agent, agent) if agent else "execution", run.id))
    for key in ("debug_info", "debug", "debugInfo"):
        for index, item in enumerate(p.as_list(obj.get(key)) or ([obj[key]] if obj.get(key) else [])):
            found.append(event(f"{key}:{index}", p.first_time(item, "timestamp", "created_at", "time"),
                               LogLevel.DEBUG, p.message_of(item) or short_output(item), "debug", run.id))
    for key in ("summary", "summaries", "execution_summary"):
        for index, item in enumerate(p.as_list(obj.get(key)) or ([obj[key]] if obj.get(key) else [])):
            text = p.message_of(item, keys=("summary", "text", "message")) or short_output(item)
            found.append(event(f"{key}:{index}", p.first_time(item, "timestamp", "created_at", "time"),
                               LogLevel.INFO, f"summary: {text}", "summary", run.id))
    conclusion = obj.get("conclusion")
    if conclusion is not None:
        text = p.message_of(conclusion, keys=("conclusion", "text", "message")) or short_output(conclusion)
        found.append(event("conclusion", run.finished_at or run.updated_at, LogLevel.INFO,
                           f"conclusion: {text}", "execution", run.id))
    return found


@p.parsing(NAME)
def parse_task(body: Any, profile: str) -> Run:
    obj = _unwrap(body, *TASK_ID_KEYS)
    task_id = p.run_ident(NAME, p.ident(obj, *TASK_ID_KEYS), "task without an id")
    status, raw = wexa_status(obj.get("status", obj.get("state")))
    return Run(
        profile=profile, provider=NAME, id=task_id, kind=Kind.TASK,
        workflow_name=p.first_text(obj, "name", "title"),
        status=status, raw_status=raw,
        created_at=p.first_time(obj, "created_at", "createdAt"),
        started_at=p.first_time(obj, "start_time", "started_at"),
        finished_at=p.first_time(obj, "end_time", "finished_at", "completed_at"),
        updated_at=p.first_time(obj, "updated_at", "updatedAt"),
        cost=_tokens(obj),
        last_error=_errors_text(obj),
        task_id=task_id,
    )


def _execution_step(node_id: str, execution: dict[str, Any] | None, node: dict[str, Any],
                    children: tuple[Step, ...]) -> Step:
    ex = execution or {}
    status, raw = wexa_status(ex.get("status", ex.get("state")))
    conclusion = ex.get("conclusion")
    return Step(
        id=node_id,
        name=p.first_text(ex, "agentflow.name", "goal") or p.first_text(node, "name"),
        type=p.first_text(node, "execution_type") or ("execution" if execution else None),
        status=status, raw_status=raw,
        started_at=p.first_time(ex, "start_time", "started_at", "created_at"),
        finished_at=p.first_time(ex, "end_time", "finished_at"),
        error=_errors_text(ex),
        output=p.to_jsonable(conclusion) if conclusion is not None else None,
        children=children,
    )


def _node_steps(nodes: Any, executions: dict[str, dict[str, Any]], depth: int,
                seen: set[str]) -> tuple[Step, ...]:
    steps: list[Step] = []
    for node in p.dicts(nodes):
        node_id = p.ident(node, "execution_id", "_id", "id")
        if node_id is None or node_id in seen:
            continue
        seen.add(node_id)
        children: tuple[Step, ...] = ()
        if depth < p.MAX_DEPTH:
            children = _node_steps(node.get("children"), executions, depth + 1, seen)
        steps.append(_execution_step(node_id, executions.get(node_id), node, children))
    return tuple(steps)


@p.parsing(NAME)
def parse_task_detail(body: Any, profile: str) -> RunDetail:
    run = parse_task(body, profile)
    obj = _unwrap(body, *TASK_ID_KEYS)
    executions: dict[str, dict[str, Any]] = {}
    for ex in p.dicts(obj.get("executions")):
        ex_id = p.ident(ex, *EXEC_ID_KEYS)
        if ex_id is not None:
            executions.setdefault(ex_id, ex)
    seen: set[str] = set()
    steps = _node_steps(obj.get("execution_nodes"), executions, 0, seen)
    # Executions the tree does not mention (or no tree at all) are still shown, flat.
    extra = tuple(_execution_step(ex_id, ex, {}, ()) for ex_id, ex in executions.items()
                  if ex_id not in seen)
    outputs: list[dict[str, Any]] = []
    for ex_id, ex in executions.items():
        if ex.get("conclusion") is not None:
            outputs.append({"execution_id": ex_id, "conclusion": p.to_jsonable(ex["conclusion"])})
    return RunDetail(run=run, steps=steps + extra, outputs=tuple(outputs), raw=p.to_jsonable(body))


@p.parsing(NAME)
def parse_page(body: Any, profile: str, kind: Kind = Kind.RUN,
               memo: p.ParseMemo | None = None) -> list[Run]:
    """One list answer: non-objects and items without an id are skipped."""
    parser = parse_task if kind is Kind.TASK else parse_execution
    id_keys = TASK_ID_KEYS if kind is Kind.TASK else EXEC_ID_KEYS
    runs: list[Run] = []
    for item in items_of(body):
        try:
            if memo is None:
                runs.append(parser(item, profile))
            else:
                rid = p.raw_id(item, id_keys)
                runs.append(memo.run(item, None if rid is None else (kind.value, rid),
                                     lambda obj: parser(obj, profile)))
        except ProviderError:
            continue
    return runs


@p.parsing(NAME)
def parse_new_execution_id(body: Any) -> str:
    found = p.ident(body, "execution_id", "data.execution_id", "execution.execution_id", "id", "_id")
    if found is None:
        raise p.parse_error(NAME, "the execute answer carries no execution_id")
    return found


ACTIONS = ActionTable(
    provider=NAME,
    statuses=STATUS_TABLE,
    per_kind={
        # A "ready" execution was created; create normally starts it, but a prepared
        # one can be launched with execute (providers.md §1 "Allowed actions").
        Kind.RUN: table_rows(
            [
                ("ready", [Action.START, Action.CANCEL]),
                ("pending", [Action.CANCEL]),
                ("queued", [Action.CANCEL]),
                ("running", [Action.PAUSE, Action.CANCEL]),
                ("in_progress", [Action.PAUSE, Action.CANCEL]),
                ("paused", [Action.RESUME, Action.CANCEL]),
            ]
        ),
        Kind.TASK: table_rows(
            [
                ("pending", [Action.PAUSE, Action.STOP]),
                ("ready", [Action.PAUSE, Action.STOP]),
                ("running", [Action.PAUSE, Action.STOP]),
                ("in_progress", [Action.PAUSE, Action.STOP]),
                ("paused", [Action.RESUME, Action.STOP]),
            ]
        ),
    },
    workflow_note="Wexa publishes no route to pause an agentflow or its schedule: "
                  "pause single runs instead",
)


# ---- the adapter ------------------------------------------------------------------------


class WexaProvider(Provider):
    name: ClassVar[str] = NAME
    options: ClassVar[tuple[ProviderOption, ...]] = (
        ProviderOption("project_id", "the 24-hex project id (in the Wexa console URL)", required=True,
                       pattern="[0-9a-fA-F]{24}"),
        ProviderOption("user_id", "sent as executed_by when you execute (needed to start runs)"),
    )
    takes_goal: ClassVar[bool] = True
    label: ClassVar[str] = "Wexa AI"
    default_base_url: ClassVar[str | None] = "https://api.wexa.ai"
    actions: ClassVar[ActionTable] = ACTIONS
    kinds: ClassVar[tuple[Kind, ...]] = (Kind.RUN, Kind.TASK)
    workflow_label: ClassVar[str] = "agentflow id"

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {"x-api-key": key.get_secret_value()} if key is not None else {}

    @classmethod
    def extra_headers(cls, profile: Profile) -> dict[str, str]:
        return {"content-type": "application/json"}  # as the SDK sends, even on GET

    @staticmethod
    def read_error(body: Any) -> str | None:
        return first_str(body, "detail", "error", "message", "error.message")

    # ---- helpers --------------------------------------------------------------------

    @property
    def project(self) -> str:
        project = self.profile.setting("project_id")
        if not isinstance(project, str) or not project:
            raise ConfigError("Wexa needs project_id (the 24-hex project id)", field="project_id",
                              profile=self.profile.name)
        return project

    # ---- reads ----------------------------------------------------------------------

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        if query.kind is Kind.TASK:
            path = f"/tasks/{seg(self.project)}"
            base: dict[str, Any] = {}
        else:
            path = f"/{seg(self.project)}/execution_flows"
            base = {"projectID": self.project}
            raw = _raw_filter(query.statuses)
            if raw:
                # Undocumented on the real API (an inference): a server that ignores it
                # answers everything, which the client-side filter below still handles.
                base["status"] = ",".join(raw)
        async for page in _skip_pages(lambda params: self.http.get(path, params={**base, **params}),
                                      query, self.profile.name, self.memo_for(query),
                                      self.pages_for(query)):
            yield page

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        if kind is Kind.TASK:
            response = await self.http.get(f"/task/{seg(run_id)}", params={"projectID": self.project})
            return parse_task_detail(json_of(response, NAME), self.profile.name)
        response = await self.http.get(f"/execute_flow/{seg(run_id)}")
        return parse_execution_detail(json_of(response, NAME), self.profile.name)

    async def check(self) -> str:
        response = await self.http.get(f"/tasks/{seg(self.project)}", params={"limit": 1, "skip": 0})
        runs = parse_page(json_of(response, NAME), self.profile.name, Kind.TASK)
        return f"project {self.project}: " + ("tasks readable" if runs else "no tasks yet")

    # ---- the inbox: what waits on a person ------------------------------------------


    async def human_requests(self) -> list[HumanRequest]:
        """Every pending item, newest first: past 100 of them the oldest (the longest
        waits) read as a plain pause and could not be answered from here."""
        return await self._inbox_pages.read(self._inbox_page, time.monotonic())

    def inbox_note(self) -> str | None:
        return self._inbox_pages.note()

    @functools.cached_property
    def _inbox_pages(self) -> InboxPages:
        return InboxPages(self.profile.name)

    async def _inbox_page(self, after: str | None) -> Any:
        params: dict[str, Any] = {"projectID": self.project, "limit": INBOX_PAGE, "status": "pending",
                                  "view": "ui"}
        if after is not None:
            params["after_id"] = after
        return json_of(await self.http.get("/inbox", params=params), NAME)

    async def human_request(self, run: Run) -> HumanRequest | None:
        return next((r for r in await self.human_requests() if r.run_id == run.id), None)

    async def send_answer(self, run: Run, request: HumanRequest, *, approve: bool,
                      values: dict[str, Any]) -> None:
        if not approve and not request.can_reject:
            raise NotAllowed("Wexa's runtime input cannot be rejected: cancel the execution instead")
        kind, body = answer_body(request, approve=approve, values=values)
        # The path names the run the user chose, never an id from the inbox answer.
        await self.http.post_action(f"/inbox/update/{seg(kind)}/{seg(run.id)}", json=body,
                                    params={"projectID": self.project})
        self._inbox_pages.forget(run.id)

    # ---- actions --------------------------------------------------------------------

    async def _start(self, request: StartRequest) -> str:
        user = self.profile.setting("user_id")
        if not isinstance(user, str) or not user:
            raise ConfigError("Wexa needs user_id to execute (sent as executed_by)", field="user_id",
                              profile=self.profile.name)
        body = {
            "agentflow_id": request.workflow_id,
            "executed_by": user,
            "goal": request.goal or "",
            "input_variables": dict(request.inputs),
            "projectID": self.project,
        }
        response = await self.http.post_action("/execute_flow", json=body,
                                               params={"projectID": self.project})
        return parse_new_execution_id(json_of(response, NAME))

    async def _send(self, run: Run, action: Action) -> str | None:
        if run.kind is Kind.TASK:
            if action not in (Action.PAUSE, Action.RESUME, Action.STOP):
                raise NotAllowed(f"Wexa tasks do not support {action.value}")
            # Stop answers 201; post_action accepts any 2xx.
            await self.http.post_action(f"/task/{seg(run.id)}/{action.value}", send_json=False)
            return None
        verbs = {Action.START: "execute", Action.PAUSE: "pause", Action.RESUME: "resume",
                 Action.CANCEL: "cancel"}
        verb = verbs.get(action)
        if verb is None:
            raise NotAllowed(f"Wexa executions do not support {action.value}")
        body = {"execution_id": run.id, "projectID": self.project}
        await self.http.post_action(f"/execute_flow/{seg(run.id)}/{verb}", json=body,
                                    params={"projectID": self.project})
        return None

    # ---- events (runtui.providers.events): Wexa publishes no log API ------------------

    def events_note(self) -> str | None:
        return ("Wexa publishes no log API: these are the execution's details (agents' outputs, "
                "errors, debug info, summaries, conclusion) or the task's execution tree")

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        """An execution from `GET /execute_flow/{id}`, a task from `GET /task/{id}` (one request)."""
        if run.kind is Kind.TASK:
            detail = await self.get_run(run.id, Kind.TASK)
            return derived_page(step_events(detail) + status_events(detail), detail, query)
        body = json_of(await self.http.get(f"/execute_flow/{seg(run.id)}"), NAME)
        detail = parse_execution_detail(body, self.profile.name)
        extra = execution_events(body, detail)
        has_errors = any(e.id.startswith("error:") for e in extra)
        return derived_page(step_events(detail) + status_events(detail, last_error=not has_errors) + extra,
                            detail, query)



# Raw execution statuses per common status, for a server-side filter. Wexa's
# human-approval states have no published names, so "waiting" is not sent: those
# runs are still picked up by the slower full listing.
_RAW_FOR: dict[Status, tuple[str, ...]] = {
    Status.QUEUED: ("ready", "pending", "queued"),
    Status.RUNNING: ("running", "in_progress"),
    Status.PAUSED: ("paused",),
    Status.SUCCEEDED: ("completed",),
    Status.FAILED: ("failed",),
    Status.CANCELLED: ("cancelled", "canceled"),
}


def _raw_filter(statuses: frozenset[Status] | None) -> list[str]:
    if not statuses or Status.UNKNOWN in statuses:
        return []
    return [raw for status in sorted(statuses) for raw in _RAW_FOR.get(status, ())]


async def _skip_pages(fetch: Callable[[dict[str, Any]], Any], query: ListQuery,
                      profile: str, memo: p.ParseMemo | None = None,
                      pages: p.PageMemo | None = None) -> AsyncIterator[list[Run]]:
    """limit/skip paging (see `OffsetPager`), each page newest first.

    The execution list documents no paging: a server that ignores `skip` answers
    the same page again (stop), one that ignores `limit` answers more than asked
    (taken as everything, stop).
    """
    size = max(1, query.page_size)

    async def read(skip: int) -> Page:
        response = await fetch({"limit": size, "skip": skip})

        def build(response: Any = response) -> tuple[int, list[Run]]:
            if query.kind is Kind.TASK:
                body = json_of(response, NAME)
            else:
                body = slim_json_of(response, NAME, EXECUTIONS)
            return len(items_of(body)), parse_page(body, profile, query.kind, memo)

        count, runs = cached_page(pages, response, build, query.kind)
        return Page(sorted(runs, key=_newest_first), count, more=count == size)

    workflow = query.workflow_id if query.kind is Kind.RUN else None
    pager = OffsetPager(Want(query.statuses, workflow, query.limit), size, read_ahead=query.read_ahead)
    async for page in pager.pages(read):
        yield page


def _newest_first(run: Run) -> float:
    when = run.created_at or run.started_at
    return -when.timestamp() if when else float("inf")
