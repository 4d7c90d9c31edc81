"""Wexa adapter: exact requests, parsing and error shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prov_helpers import KEY, body_of, ok, params_of

from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import Action, Cost, Kind, Run, StartRequest, Status
from runtui.providers.base import ListQuery
from runtui.providers.capabilities import AnswersHumans, ListsHumanRequests, StreamsRuns, supports
from runtui.providers.wexa import WexaProvider, parse_execution, parse_task_detail

PROJECT = "64f0c0ffee0123456789abcd"
USER = "user-1"
FIELDS = {"project_id": PROJECT, "user_id": USER}


def execution(eid: str, status: str = "running", **extra: Any) -> dict[str, Any]:
    return {"execution_id": eid, "_id": "6" * 24, "status": status, "agentflow_id": "af-1",
            "agentflow": {"name": "Flow One", "agents": []}, "created_at": 1_700_000_000.5, **extra}


def assert_auth(request: httpx.Request) -> None:
    assert request.headers["x-api-key"] == KEY
    assert "authorization" not in request.headers


# ---- listing ----------------------------------------------------------------------------


async def test_list_executions_requests_and_paging(make: Any) -> None:
    pages = [[execution("e1"), execution("e2")], [execution("e3")]]

    def handler(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        return ok(pages[skip // 2])

    provider, rec = make(WexaProvider, handler, **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=2))
    assert [r.id for r in runs] == ["e1", "e2", "e3"]
    assert len(rec.requests) == 2  # the short second page ends it
    for i, request in enumerate(rec.requests):
        assert request.method == "GET"
        assert request.url.path == f"/{PROJECT}/execution_flows"
        assert params_of(request) == [("projectID", PROJECT), ("limit", "2"), ("skip", str(2 * i))]
        assert_auth(request)
    assert runs[0].workflow_id == "af-1" and runs[0].workflow_name == "Flow One"


@pytest.mark.parametrize("shape", ["bare", "data", "executions", "items", "execution_flows", "nested"])
async def test_list_executions_accepts_shapes(make: Any, shape: str) -> None:
    items: list[Any] = [execution("e1"), "junk", 3, None, {"status": "running"}, execution("e2")]
    body: Any = {
        "bare": items, "data": {"data": items}, "executions": {"executions": items},
        "items": {"items": items, "total": 2}, "execution_flows": {"execution_flows": items},
        "nested": {"data": {"items": items}},
    }[shape]
    provider, rec = make(WexaProvider, lambda r: ok(body), **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=50))
    assert [r.id for r in runs] == ["e1", "e2"]  # non-dicts and id-less items skipped
    assert len(rec.requests) == 1


async def test_list_stops_when_server_repeats_the_page(make: Any) -> None:
    page = [execution("e1"), execution("e2")]
    provider, rec = make(WexaProvider, lambda r: ok(page), **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=2))
    assert [r.id for r in runs] == ["e1", "e2"]
    assert len(rec.requests) == 2


async def test_list_stops_when_server_ignores_limit(make: Any) -> None:
    page = [execution(f"e{i}") for i in range(5)]
    provider, rec = make(WexaProvider, lambda r: ok(page), **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=2))
    assert len(runs) == 5 and len(rec.requests) == 1


async def test_list_filters_status_client_side_and_limits(make: Any) -> None:
    pages = [[execution("a", "running"), execution("b", "completed")],
             [execution("c", "in_progress"), execution("d", "running")],
             [execution("e", "running")]]

    def handler(request: httpx.Request) -> httpx.Response:
        return ok(pages[int(request.url.params["skip"]) // 2])

    provider, rec = make(WexaProvider, handler, **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=2, limit=2,
                                              statuses=frozenset({Status.RUNNING})))
    assert [r.id for r in runs] == ["a", "c"]
    assert len(rec.requests) == 2  # the limit was reached on page two


async def test_list_sorts_newest_first(make: Any) -> None:
    page = [execution("old", created_at=100.0), execution("new", created_at=200.0),
            execution("none", created_at=None)]
    provider, _ = make(WexaProvider, lambda r: ok(page), **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=10))
    assert [r.id for r in runs] == ["new", "old", "none"]


async def test_list_tasks(make: Any) -> None:
    task = {"_id": "t1", "name": "Weekly report", "status": "completed", "created_at": 1_700_000_000,
            "updated_at": 1_700_000_100}
    provider, rec = make(WexaProvider, lambda r: ok([task]), **FIELDS)
    runs = await provider.list_runs(ListQuery(kind=Kind.TASK, page_size=10))
    request = rec.last
    assert request.method == "GET" and request.url.path == f"/tasks/{PROJECT}"
    assert params_of(request) == [("limit", "10"), ("skip", "0")]
    assert_auth(request)
    assert runs[0].kind is Kind.TASK and runs[0].workflow_name == "Weekly report"
    assert runs[0].status is Status.SUCCEEDED
    assert runs[0].created_at == datetime.fromtimestamp(1_700_000_000, UTC)


async def test_missing_project_id_is_a_config_error(make: Any) -> None:
    provider, rec = make(WexaProvider, lambda r: ok([]))
    with pytest.raises(ConfigError, match="project_id"):
        await provider.list_runs()
    assert rec.requests == []


# ---- get --------------------------------------------------------------------------------


async def test_get_execution_parses_everything(make: Any) -> None:
    raw = execution(
        "e1", "completed", parent_execution_id="e0", task_id="t1", end_time="2024-01-02T03:04:05Z",
        tokens={"total": 1234, "input": 1000}, errors=[{"message": "agent 2 retried"}, "x" * 2000],
        input_variables={"topic": "ai"}, conclusion={"text": "done"},
        agentflow={"name": "Flow", "agents": [
            {"_id": "a1", "title": "Researcher", "agent_type": "llm"},
            {"_id": "a2", "title": "Writer", "agent_type": "llm"},
            {"_id": "a3", "title": "Reviewer"}]},
        agents_output=[{"agent_id": "a1", "status": "completed", "output": "notes"},
                       {"agent_id": "a2", "status": "failed", "error": "boom"}],
    )
    provider, rec = make(WexaProvider, lambda r: ok(raw), **FIELDS)
    detail = await provider.get_run("e1")
    request = rec.last
    assert request.method == "GET" and request.url.path == "/execute_flow/e1"
    assert params_of(request) == []
    assert_auth(request)
    run = detail.run
    assert (run.workflow_id, run.workflow_name, run.parent_id, run.task_id) == ("af-1", "Flow", "e0", "t1")
    assert run.created_at == datetime.fromtimestamp(1_700_000_000.5, UTC)
    assert run.finished_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert run.cost == Cost(amount=1234, unit="tokens")
    assert run.last_error is not None and run.last_error.startswith("agent 2 retried")
    assert len(run.last_error) <= 500
    assert [(s.id, s.name, s.status) for s in detail.steps] == [
        ("a1", "Researcher", Status.SUCCEEDED), ("a2", "Writer", Status.FAILED),
        ("a3", "Reviewer", Status.UNKNOWN)]
    assert detail.steps[0].output == "notes" and detail.steps[1].error == "boom"
    assert detail.inputs == {"topic": "ai"}
    assert detail.outputs == ({"conclusion": {"text": "done"}},)


def test_execution_credits_and_string_error() -> None:
    run = parse_execution(execution("e1", "failed", credits=12.5, error="quota exceeded"), "p")
    assert run.cost == Cost(amount=12.5, unit="credits")
    assert run.last_error == "quota exceeded"


async def test_get_task_builds_the_node_forest(make: Any) -> None:
    raw = {
        "_id": "t1", "name": "Task", "status": "cancelled", "created_at": 1_700_000_000,
        "execution_ids": ["e1", "e2", "e3"],
        "execution_nodes": [
            {"execution_id": "e1", "execution_type": "execution", "children": [
                {"execution_id": "e2", "execution_type": "execution", "children": []}]},
            "junk", {"children": []},
        ],
        "executions": [execution("e1", "completed", conclusion="ok"), execution("e2", "canceled"),
                       execution("e3", "running"), 7],
    }
    provider, rec = make(WexaProvider, lambda r: ok(raw), **FIELDS)
    detail = await provider.get_run("t1", Kind.TASK)
    request = rec.last
    assert request.url.path == "/task/t1" and params_of(request) == [("projectID", PROJECT)]
    assert detail.run.kind is Kind.TASK and detail.run.status is Status.CANCELLED
    top = detail.steps
    assert [s.id for s in top] == ["e1", "e3"]  # e3 is only in executions[]: shown flat
    assert top[0].status is Status.SUCCEEDED and top[0].name == "Flow One" and top[0].output == "ok"
    assert [(c.id, c.status, c.raw_status) for c in top[0].children] == [
        ("e2", Status.CANCELLED, "canceled")]


def test_deep_task_tree_does_not_blow_up() -> None:
    node: dict[str, Any] = {"execution_id": "leaf", "children": []}
    for i in range(2000):
        node = {"execution_id": f"n{i}", "children": [node]}
    detail = parse_task_detail({"_id": "t", "execution_nodes": [node]}, "p")
    assert detail.steps[0].id == "n1999"


# ---- statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "status"), [
    ("ready", Status.QUEUED), ("pending", Status.QUEUED), ("queued", Status.QUEUED),
    ("running", Status.RUNNING), ("in_progress", Status.RUNNING), ("IN_PROGRESS", Status.RUNNING),
    ("paused", Status.PAUSED), ("completed", Status.SUCCEEDED), ("failed", Status.FAILED),
    ("cancelled", Status.CANCELLED), ("canceled", Status.CANCELLED),
    ("awaiting_approval", Status.WAITING), ("waiting_for_user", Status.WAITING),
    ("runtime_input_required", Status.WAITING), ("exploded", Status.UNKNOWN), (None, Status.UNKNOWN),
    (42, Status.UNKNOWN),
])
def test_status_map(raw: Any, status: Status) -> None:
    run = parse_execution({"execution_id": "e", "status": raw}, "p")
    assert run.status is status
    assert run.raw_status == (None if raw is None else str(raw))


def test_state_field_fallback() -> None:
    assert parse_execution({"execution_id": "e", "state": "paused"}, "p").status is Status.PAUSED


def test_times_epoch_vs_iso() -> None:
    iso = parse_execution({"execution_id": "e", "created_at": "2024-05-01T10:00:00+02:00"}, "p")
    naive = parse_execution({"execution_id": "e", "created_at": "2024-05-01T08:00:00"}, "p")
    epoch = parse_execution({"execution_id": "e", "created_at": 1714550400}, "p")
    millis = parse_execution({"execution_id": "e", "created_at": 1714550400000}, "p")
    bad = parse_execution({"execution_id": "e", "created_at": "yesterday", "end_time": True}, "p")
    expected = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert iso.created_at == naive.created_at == epoch.created_at == millis.created_at == expected
    assert bad.created_at is None and bad.finished_at is None


# ---- actions ----------------------------------------------------------------------------


async def test_execute_sends_the_documented_body(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok({"execution_id": "new-1", "status": "ready", "task_id": "t9"})
        return ok(execution("new-1", "ready"))

    provider, rec = make(WexaProvider, handler, **FIELDS)
    result = await provider.execute(StartRequest(workflow_id="af-7", inputs={"x": 1}, goal="Do it"))
    post = rec.requests[0]
    assert post.method == "POST" and post.url.path == "/execute_flow"
    assert params_of(post) == [("projectID", PROJECT)]
    assert body_of(post) == {"agentflow_id": "af-7", "executed_by": USER, "goal": "Do it",
                             "input_variables": {"x": 1}, "projectID": PROJECT}
    assert_auth(post)
    assert result.ok and result.new_run_id == "new-1"
    assert rec.paths()[1] == "GET /execute_flow/new-1"
    assert len([r for r in rec.requests if r.method == "POST"]) == 1


async def test_execute_without_user_id_is_a_config_error(make: Any) -> None:
    provider, rec = make(WexaProvider, lambda r: ok({}), project_id=PROJECT)
    with pytest.raises(ConfigError, match="user_id"):
        await provider.execute(StartRequest(workflow_id="af"))
    assert rec.requests == []


@pytest.mark.parametrize(("action", "verb"), [
    (Action.START, "execute"), (Action.PAUSE, "pause"), (Action.RESUME, "resume"),
    (Action.CANCEL, "cancel")])
async def test_execution_actions(make: Any, action: Action, verb: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok({"execution_id": "e 1", "status": "paused"})
        return ok(execution("e 1", "paused"))

    provider, rec = make(WexaProvider, handler, **FIELDS)
    run = Run(profile="t", provider="wexa", id="e 1", raw_status="running")
    result = await provider.perform(run, action)
    post = rec.requests[0]
    assert post.method == "POST"
    assert post.url.raw_path.decode().split("?")[0] == f"/execute_flow/e%201/{verb}"
    assert params_of(post) == [("projectID", PROJECT)]
    assert body_of(post) == {"execution_id": "e 1", "projectID": PROJECT}
    assert_auth(post)
    assert result.ok and result.new_run_id is None
    assert rec.paths()[1] == "GET /execute_flow/e%201"


@pytest.mark.parametrize(("action", "status_code"), [
    (Action.PAUSE, 200), (Action.RESUME, 200), (Action.STOP, 201)])
async def test_task_actions(make: Any, action: Action, status_code: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok({"_id": "t1", "status": "cancelled"}, status=status_code)
        return ok({"_id": "t1", "status": "cancelled"})

    provider, rec = make(WexaProvider, handler, **FIELDS)
    run = Run(profile="t", provider="wexa", id="t1", kind=Kind.TASK, raw_status="running")
    result = await provider.perform(run, action)
    post = rec.requests[0]
    assert (post.method, post.url.path) == ("POST", f"/task/t1/{action.value}")
    assert params_of(post) == [] and post.content == b""
    assert_auth(post)
    assert result.ok
    assert rec.paths()[1] == "GET /task/t1?projectID=" + PROJECT


async def test_unsupported_action_sends_nothing(make: Any) -> None:
    provider, rec = make(WexaProvider, lambda r: ok({}), **FIELDS)
    with pytest.raises(NotAllowed):
        await provider.perform(Run(profile="t", provider="wexa", id="e"), Action.RETRY)
    with pytest.raises(NotAllowed):
        await provider.perform(Run(profile="t", provider="wexa", id="t", kind=Kind.TASK), Action.CANCEL)
    assert rec.requests == []


# ---- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), [
    ({"detail": "Execution not found"}, "Execution not found"),
    ({"detail": [{"loc": ["body", "goal"], "msg": "field required", "type": "missing"}]},
     "field required"),
    ({"error": "bad project"}, "bad project"),
    ({"message": "nope"}, "nope"),
    ({"detail": None, "error": None, "message": "fallback"}, "fallback"),
])
async def test_error_bodies(make: Any, body: Any, message: str) -> None:
    provider, _ = make(WexaProvider, lambda r: ok(body, status=404, headers={"x-request-id": "rq-7"}),
                       **FIELDS)
    with pytest.raises(ProviderError) as info:
        await provider.get_run("e1")
    err = info.value
    assert (err.status, err.message, err.request_id, err.kind) == (404, message, "rq-7", "http")
    assert KEY not in str(err)


async def test_non_json_success_is_a_parse_error(make: Any) -> None:
    provider, _ = make(WexaProvider, lambda r: httpx.Response(200, text="<html>oops"), **FIELDS)
    with pytest.raises(ProviderError) as info:
        await provider.get_run("e1")
    assert info.value.kind == "parse"


async def test_wrong_shape_success_is_a_parse_error(make: Any) -> None:
    provider, _ = make(WexaProvider, lambda r: ok(["not", "an", "execution"]), **FIELDS)
    with pytest.raises(ProviderError) as info:
        await provider.get_run("e1")
    assert info.value.kind == "parse"
    provider, _ = make(WexaProvider, lambda r: ok({"total": 3}), **FIELDS)
    with pytest.raises(ProviderError) as info:
        await provider.list_runs()
    assert info.value.kind == "parse"


async def test_check_reads_one_task(make: Any) -> None:
    provider, rec = make(WexaProvider, lambda r: ok([]), **FIELDS)
    assert PROJECT in await provider.check()
    assert rec.paths() == [f"GET /tasks/{PROJECT}?limit=1&skip=0"]


def test_class_attributes() -> None:
    assert WexaProvider.name == "wexa" and WexaProvider.default_base_url == "https://api.wexa.ai"
    assert WexaProvider.kinds == (Kind.RUN, Kind.TASK)
    assert WexaProvider.workflow_label == "agentflow id"
    # Wexa publishes no stream: the followed run is polled.
    assert not supports(WexaProvider, StreamsRuns)
    assert supports(WexaProvider, AnswersHumans) and supports(WexaProvider, ListsHumanRequests)
