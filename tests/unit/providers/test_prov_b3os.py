"""B3OS adapter: exact requests, envelope, steps order, resume, SSE stream."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prov_helpers import KEY, body_of, ok, params_of

from runtui.errors import NotAllowed, ProviderError
from runtui.model import Action, Cost, Run, StartRequest, Status
from runtui.providers.b3os import B3osProvider, node_order, parse_run
from runtui.providers.base import ListQuery


def env(data: Any, code: int = 0) -> dict[str, Any]:
    return {"code": code, "data": data, "message": "ok", "requestId": "req-ok"}


def b3run(rid: str, status: str = "running", **extra: Any) -> dict[str, Any]:
    return {"id": rid, "organizationId": "org_1", "workflowId": "wf_1", "workflowVersion": 3,
            "status": status, "startedAt": "2024-06-01T12:00:00.000Z", "finishedAt": None,
            "totalCu": 12.5, **extra}


def page(items: list[Any], has_more: bool) -> dict[str, Any]:
    return env({"items": items, "limit": 2, "offset": 0, "hasMore": has_more})


def assert_auth(request: httpx.Request, org: str | None = None) -> None:
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers.get("x-org-id") == org


async def test_list_pages_on_has_more_and_filters_client_side(make: Any) -> None:
    pages = [page([b3run("run_a"), b3run("run_b", "success")], True),
             page([b3run("run_c", "waiting"), b3run("run_d")], True),
             page([b3run("run_e")], False)]

    def handler(request: httpx.Request) -> httpx.Response:
        return ok(pages[int(request.url.params["offset"]) // 2])

    provider, rec = make(B3osProvider, handler)
    runs = await provider.list_runs(ListQuery(page_size=2, statuses=frozenset({Status.RUNNING})))
    assert [r.id for r in runs] == ["run_a", "run_d", "run_e"]
    assert len(rec.requests) == 3
    for i, request in enumerate(rec.requests):
        assert request.method == "GET" and request.url.path == "/v1/runs"
        assert params_of(request) == [("limit", "2"), ("offset", str(2 * i))]  # no status: ignored
        assert_auth(request)


async def test_list_by_workflow(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok(page([b3run("run_a")], False)))
    await provider.list_runs(ListQuery(workflow_id="wf_1", page_size=500))
    assert rec.last.url.path == "/v1/runs"
    assert params_of(rec.last) == [("limit", "100"), ("offset", "0"), ("workflowId", "wf_1")]


async def test_list_by_workflow_and_status_uses_server_filter(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok(page([b3run("run_f", "failure")], False)))
    runs = await provider.list_runs(ListQuery(workflow_id="wf 1",
                                              statuses=frozenset({Status.FAILED})))
    assert rec.last.url.raw_path.decode().split("?")[0] == "/v1/workflows/wf%201/runs"
    assert params_of(rec.last) == [("limit", "100"), ("offset", "0"), ("status", "failure")]
    assert [r.id for r in runs] == ["run_f"]


async def test_list_limit_and_missing_has_more(make: Any) -> None:
    body = env({"items": [b3run(f"run_{i}") for i in range(3)]})  # no hasMore: full page → more
    provider, rec = make(B3osProvider, lambda r: ok(body))
    runs = await provider.list_runs(ListQuery(page_size=3))
    assert len(runs) == 3 and len(rec.requests) == 2  # second page repeats: stop
    provider, rec = make(B3osProvider, lambda r: ok(page([b3run(f"r{r.url.params['offset']}{i}")
                                                         for i in range(2)], True)))
    runs = await provider.list_runs(ListQuery(page_size=2, limit=3))
    assert len(runs) == 3 and len(rec.requests) == 2


async def test_list_older_envelope(make: Any) -> None:
    body = {"success": True, "data": [b3run("run_a"), "junk", {"status": "running"}], "hasMore": False}
    provider, rec = make(B3osProvider, lambda r: ok(body))
    runs = await provider.list_runs()
    assert [r.id for r in runs] == ["run_a"] and len(rec.requests) == 1


async def test_org_header_only_when_set(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok(page([], False)), org_id="org_42")
    await provider.check()
    assert_auth(rec.last, org="org_42")
    assert rec.paths() == ["GET /v1/runs?limit=1&offset=0"]


async def test_get_parses_steps_in_graph_order(make: Any) -> None:
    raw = b3run(
        "run_1", "partial", workflowName="Payouts", finishedAt="2024-06-01T12:01:00+00:00",
        sourceRunId="run_0",
        workflowDefinition={"nodes": {
            "send": {"type": "transfer", "children": [], "description": "Send USDC"},
            "root": {"type": "manual", "children": ["check", "send"]},
            "check": {"type": "balance", "children": ["notify"]},
            "notify": {"type": "slack", "children": []},
        }},
        executionState={
            "notify": {"type": "slack", "status": "skipped"},
            "send": {"type": "transfer", "status": "failure", "error": {"message": "gas too low"},
                     "startedAt": 1717243200000},
            "root": {"type": "manual", "status": "success", "result": {"amount": 5}},
            "check": {"type": "balance", "status": "success", "result": 100},
            "orphan": "junk",
        })
    provider, rec = make(B3osProvider, lambda r: ok(env(raw)))
    detail = await provider.get_run("run_1")
    assert rec.paths() == ["GET /v1/runs/run_1"]
    assert_auth(rec.last)
    run = detail.run
    assert run.status is Status.SUCCEEDED and run.partial and run.raw_status == "partial"
    assert run.workflow_name == "Payouts" and run.workflow_id == "wf_1" and run.parent_id == "run_0"
    assert run.cost == Cost(amount=12.5, unit="CU")
    assert run.started_at == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert run.finished_at == datetime(2024, 6, 1, 12, 1, tzinfo=UTC)
    assert run.last_error == "gas too low"
    assert [s.id for s in detail.steps] == ["root", "check", "notify", "send", "orphan"]
    steps = {s.id: s for s in detail.steps}
    assert steps["send"].name == "Send USDC" and steps["send"].status is Status.FAILED
    assert steps["send"].started_at == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert steps["notify"].status is Status.UNKNOWN and steps["notify"].raw_status == "skipped"
    assert steps["check"].output == 100
    assert detail.inputs == {"amount": 5}


async def test_a_failed_nodes_result_says_why_it_failed(make: Any) -> None:
    """The documented node has `result` and no `error`: a failed node's message there is
    the step's error and the run's last error. A node that succeeded keeps its result as
    output, never as an error."""
    raw = b3run(
        "run_2", "failure",
        workflowDefinition={"nodes": {"root": {"type": "manual", "children": ["send"]},
                                      "send": {"type": "transfer", "children": []}}},
        executionState={
            "root": {"type": "manual", "status": "success", "result": {"error": "not an error"}},
            "send": {"type": "transfer", "status": "failure", "result": {"error": "insufficient gas"},
                     "startedAt": 1717243200000},
        })
    provider, _rec = make(B3osProvider, lambda r: ok(env(raw)))
    detail = await provider.get_run("run_2")
    steps = {s.id: s for s in detail.steps}
    assert steps["send"].error == "insufficient gas"
    assert steps["root"].error is None and steps["root"].output == {"error": "not an error"}
    assert detail.run.last_error == "insufficient gas"


def test_node_order_with_trigger_ids_and_cycles() -> None:
    definition = {"triggerNodeIds": ["t"], "nodes": {
        "a": {"children": ["b"]}, "b": {"children": ["a"]}, "t": {"children": ["a", {"id": "c"}]},
        "c": {"children": None}, "lonely": {}}}
    assert node_order(definition) == ["t", "a", "b", "c", "lonely"]
    assert node_order(None) == [] and node_order({"nodes": []}) == []


async def test_summary(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok(env(b3run("run_1", "cancelled"))))
    run = await provider.get_summary("run_1")
    assert rec.paths() == ["GET /v1/runs/run_1?summary=true"]
    assert run.status is Status.CANCELLED


@pytest.mark.parametrize(("raw", "status"), [
    ("running", Status.RUNNING), ("waiting", Status.WAITING), ("success", Status.SUCCEEDED),
    ("partial", Status.SUCCEEDED), ("failure", Status.FAILED), ("cancelled", Status.CANCELLED),
    ("canceled", Status.CANCELLED), ("queued?", Status.UNKNOWN), (None, Status.UNKNOWN),
])
def test_status_map(raw: str | None, status: Status) -> None:
    run = parse_run(env({"id": "run_x", "status": raw}), "p")
    assert run.status is status and run.raw_status == raw


async def test_start(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok(env({"runId": "run_new"}))
        return ok(env(b3run("run_new")))

    provider, rec = make(B3osProvider, handler)
    result = await provider.execute(StartRequest(workflow_id="wf_9", inputs={"to": "0xabc"}))
    post = rec.requests[0]
    assert (post.method, post.url.path) == ("POST", "/v1/workflows/wf_9/run")
    assert body_of(post) == {"payload": {"to": "0xabc"}} and params_of(post) == []
    assert_auth(post)
    assert result.ok and result.new_run_id == "run_new"
    assert rec.paths()[1] == "GET /v1/runs/run_new?summary=true"


async def test_cancel_sends_no_body(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok(env(b3run("run_1", "cancelled"))))
    result = await provider.perform(Run(profile="t", provider="b3os", id="run_1"), Action.CANCEL)
    post = rec.requests[0]
    assert (post.method, post.url.path) == ("POST", "/v1/runs/run_1/cancel")
    assert post.content == b"" and params_of(post) == []
    assert_auth(post)
    assert result.ok and result.run is not None and result.run.status is Status.CANCELLED


async def test_retry_returns_the_new_run(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok(env({"runId": "run_2"}))
        return ok(env(b3run("run_2")))

    provider, rec = make(B3osProvider, handler)
    result = await provider.perform(Run(profile="t", provider="b3os", id="run_1"), Action.RETRY)
    assert rec.paths() == ["POST /v1/runs/run_1/retry", "GET /v1/runs/run_2?summary=true"]
    assert rec.requests[0].content == b""
    assert result.ok and result.new_run_id == "run_2" and result.run is not None


def waiting_run() -> dict[str, Any]:
    return b3run("run_1", "waiting", executionState={
        "root": {"type": "manual", "status": "success"},
        "gate": {"type": "wait", "status": "waiting"}},
        workflowDefinition={"nodes": {"root": {"children": ["gate"]}, "gate": {"children": []}}})


@pytest.mark.parametrize(("extras", "secret"), [
    ({"webhook_secret": "whs_1"}, "whs_1"),
    ({"webhook_secret_env": "RUNTUI_TEST_WEBHOOK"}, "whs_env"),
    ({}, None),
])
async def test_resume_finds_the_waiting_node(make: Any, monkeypatch: pytest.MonkeyPatch,
                                             extras: dict[str, Any], secret: str | None) -> None:
    monkeypatch.setenv("RUNTUI_TEST_WEBHOOK", "whs_env")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok(env({"action": "resumed", "reason": None}))
        return ok(env(waiting_run()))

    provider, rec = make(B3osProvider, handler, **extras)
    result = await provider.perform(Run(profile="t", provider="b3os", id="run_1"), Action.RESUME)
    assert [r.method for r in rec.requests] == ["GET", "POST", "GET"]
    assert rec.paths()[0] == "GET /v1/runs/run_1"
    post = rec.requests[1]
    assert post.url.path == "/v1/runs/run_1/nodes/gate/resume"
    assert params_of(post) == ([("secret", secret)] if secret else [])
    assert body_of(post) == {"data": {}}
    assert_auth(post)
    assert result.ok
    assert secret is None or secret not in (result.message or "")


async def test_resume_without_waiting_node_sends_no_post(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok(env(b3run("run_1", "running"))))
    result = await provider.perform(Run(profile="t", provider="b3os", id="run_1"), Action.RESUME)
    assert not result.ok and not result.uncertain
    assert all(r.method == "GET" for r in rec.requests)
    assert result.message is not None and "waiting" in result.message


async def test_pause_not_supported(make: Any) -> None:
    provider, rec = make(B3osProvider, lambda r: ok({}))
    with pytest.raises(NotAllowed):
        await provider.perform(Run(profile="t", provider="b3os", id="run_1"), Action.PAUSE)
    assert rec.requests == []


@pytest.mark.parametrize(("body", "headers", "message", "request_id"), [
    ({"code": 404, "data": None, "message": "run not found", "requestId": "req-404"}, {},
     "run not found", "req-404"),
    ({"success": False, "error": {"message": "scope read-write required", "code": "FORBIDDEN"}},
     {"x-request-id": "hdr-1"}, "scope read-write required", "hdr-1"),
])
async def test_error_bodies(make: Any, body: Any, headers: dict[str, str], message: str,
                            request_id: str) -> None:
    provider, _ = make(B3osProvider, lambda r: ok(body, status=403, headers=headers))
    with pytest.raises(ProviderError) as info:
        await provider.get_run("run_1")
    assert (info.value.status, info.value.message, info.value.request_id) == (403, message, request_id)


async def test_success_false_on_2xx_is_an_error(make: Any) -> None:
    body = {"success": False, "error": {"message": "workflow archived"}, "requestId": "r-9"}
    provider, _ = make(B3osProvider, lambda r: ok(body))
    with pytest.raises(ProviderError) as info:
        await provider.get_run("run_1")
    assert info.value.message == "workflow archived" and info.value.request_id == "r-9"


async def test_get_workflow_input_schema(make: Any) -> None:
    data = {"id": "wf_1", "name": "Payouts", "status": "active", "definition": {"inputSchema": [
        {"key": "amount", "type": "number", "required": True}, "junk"]}}
    provider, rec = make(B3osProvider, lambda r: ok(env(data)))
    info = await provider.get_workflow("wf_1")
    assert rec.paths() == ["GET /v1/workflows/wf_1"]
    assert info is not None and info.name == "Payouts"
    assert info.inputs == ({"key": "amount", "type": "number", "required": True},)


# ---- SSE stream -------------------------------------------------------------------------


def sse(*events: str) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"},
                          content="".join(events).encode())


async def test_stream_yields_per_event_and_stops_on_end(make: Any) -> None:
    stream = sse(
        'event: run\ndata: {"data": {"id": "run_1", "status": "running", "workflowId": "wf_1"}}\n\n',
        "data: not json\n\n",
        'data: {"nodeId": "gate", "status": "waiting", "type": "wait"}\n\n',
        "data: [1, 2]\n\n",
        'data: {"status": "success", "finishedAt": "2024-06-01T12:01:00Z"}\n\n',
        "event: end\ndata: {}\n\n",
        'data: {"status": "failure"}\n\n',
    )
    provider, rec = make(B3osProvider, lambda r: stream)
    iterator = provider.stream_run("run_1")
    assert iterator is not None
    details = [d async for d in iterator]
    assert rec.paths() == ["GET /v1/runs/run_1/stream"]
    assert_auth(rec.last)
    assert [d.run.status for d in details] == [Status.RUNNING, Status.RUNNING, Status.SUCCEEDED]
    assert details[1].steps[0].id == "gate" and details[1].steps[0].status is Status.WAITING
    assert all(d.run.id == "run_1" for d in details)


async def test_stream_errors_are_provider_errors(make: Any) -> None:
    provider, _ = make(B3osProvider, lambda r: ok({"message": "nope", "requestId": "q"}, status=404))
    with pytest.raises(ProviderError) as info:
        [d async for d in provider.stream_run("run_1")]
    assert info.value.status == 404 and info.value.request_id == "q"
    provider, _ = make(B3osProvider, lambda r: ok({"id": "run_1"}))
    with pytest.raises(ProviderError) as info:
        [d async for d in provider.stream_run("run_1")]
    assert info.value.kind == "parse"

