"""Edges adapter: exact requests, parsing and error shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prov_helpers import KEY, body_of, ok, params_of

from runtui.errors import NotAllowed, ProviderError
from runtui.model import Action, Cost, Kind, Run, StartRequest, Status
from runtui.providers.base import ListQuery
from runtui.providers.edges import EdgesProvider, parse_run

BASE_PATH = "/v1"


def flow_run(uid: str, status: str | None = "RUNNING", **extra: Any) -> dict[str, Any]:
    return {"id": 7, "uid": uid, "status": status, "workflow": {"uid": "wf-uid", "slug": "enrich",
                                                                 "name": "Enrich leads"},
            "created_at": "2024-03-01T10:00:00Z", "started_at": None, "finished_at": None,
            "last_error": None, **extra}


def assert_auth(request: httpx.Request) -> None:
    assert request.headers["x-api-key"] == KEY
    assert "authorization" not in request.headers


async def test_list_sends_status_filter_and_pages_until_short(make: Any) -> None:
    pages = [[flow_run("a"), flow_run("b")], [flow_run("c"), flow_run("d")], [flow_run("e")]]

    def handler(request: httpx.Request) -> httpx.Response:
        return ok(pages[int(request.url.params["offset"]) // 2])

    provider, rec = make(EdgesProvider, handler)
    query = ListQuery(page_size=2, statuses=frozenset({Status.RUNNING, Status.QUEUED}))
    runs = await provider.list_runs(query)
    assert [r.id for r in runs] == ["a", "b", "c", "d", "e"]
    assert len(rec.requests) == 3
    for i, request in enumerate(rec.requests):
        assert request.method == "GET" and request.url.path == f"{BASE_PATH}/flows/runs"
        assert params_of(request) == [
            ("status", "CREATED"), ("status", "QUEUED"), ("status", "SCHEDULED"), ("status", "RUNNING"),
            ("limit", "2"), ("offset", str(2 * i)), ("sort", "-created_at")]
        assert_auth(request)


async def test_list_without_filter_and_client_side_safety(make: Any) -> None:
    page = [flow_run("a", "RUNNING"), flow_run("b", "SUCCEEDED"), "junk", {"status": "RUNNING"}]
    provider, rec = make(EdgesProvider, lambda r: ok(page))
    runs = await provider.list_runs(ListQuery(statuses=frozenset({Status.RUNNING})))
    assert [r.id for r in runs] == ["a"]  # the server's answer is filtered again
    runs = await provider.list_runs(ListQuery())
    assert [r.id for r in runs] == ["a", "b"]
    assert params_of(rec.last) == [("limit", "100"), ("offset", "0"), ("sort", "-created_at")]


async def test_list_unknown_filter_is_client_side_only(make: Any) -> None:
    page = [flow_run("a", None), flow_run("b", "WEIRD"), flow_run("c", "RUNNING")]
    provider, rec = make(EdgesProvider, lambda r: ok(page))
    runs = await provider.list_runs(ListQuery(statuses=frozenset({Status.UNKNOWN})))
    assert [r.id for r in runs] == ["a", "b"]
    assert "status" not in rec.last.url.params


async def test_list_paused_only_sends_nothing(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok([]))
    assert await provider.list_runs(ListQuery(statuses=frozenset({Status.PAUSED}))) == []
    assert rec.requests == []


async def test_list_limit_stops_paging(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok([flow_run(f"r{r.url.params['offset']}-{i}")
                                                      for i in range(3)]))
    runs = await provider.list_runs(ListQuery(page_size=3, limit=4))
    assert len(runs) == 4 and len(rec.requests) == 2


async def test_list_page_size_capped(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok([]))
    await provider.list_runs(ListQuery(page_size=1000))
    assert rec.last.url.params["limit"] == "100"


async def test_get_reads_run_and_outputs(make: Any) -> None:
    raw = flow_run("u-1", "PARTIAL_SUCCEEDED", finished_at="2024-03-01T10:05:00+00:00",
                   last_error={"label": "NO_RESULT", "message": "3 items had no result"},
                   steps=[{"uid": "s1", "name": "Search", "status": "SUCCEEDED"}, "junk"])
    outputs = [{"name": "Ada"}, {"name": "Linus"}, 5]

    def handler(request: httpx.Request) -> httpx.Response:
        return ok(outputs) if request.url.path.endswith("/outputs") else ok(raw)

    provider, rec = make(EdgesProvider, handler)
    detail = await provider.get_run("u-1")
    first, second = rec.requests
    assert (first.method, first.url.path) == ("GET", f"{BASE_PATH}/flows/runs/u-1")
    assert params_of(first) == [("include_steps", "true")]
    assert (second.method, second.url.path) == ("GET", f"{BASE_PATH}/flows/runs/u-1/outputs")
    assert params_of(second) == [("limit", "100"), ("offset", "0")]
    assert_auth(first)
    assert_auth(second)
    run = detail.run
    assert run.status is Status.SUCCEEDED and run.partial and run.raw_status == "PARTIAL_SUCCEEDED"
    assert run.workflow_id == "enrich" and run.workflow_name == "Enrich leads"
    assert run.last_error == "3 items had no result"
    assert run.created_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert run.finished_at == datetime(2024, 3, 1, 10, 5, tzinfo=UTC)
    assert run.cost is None
    assert detail.outputs == ({"name": "Ada"}, {"name": "Linus"}, {"value": 5})
    assert [(s.id, s.name, s.status) for s in detail.steps] == [("s1", "Search", Status.SUCCEEDED)]


async def test_get_survives_outputs_failure(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/outputs"):
            return ok({"message": "not ready"}, status=409)
        return ok(flow_run("u-1"))

    provider, _ = make(EdgesProvider, handler)
    detail = await provider.get_run("u-1")
    assert detail.run.id == "u-1" and detail.outputs == ()


async def test_summary_uses_status_route(make: Any) -> None:
    body = {"id": 7, "uid": "u-1", "status": "STOPPED", "started_at": "2024-03-01T10:00:00Z",
            "finished_at": None, "created_at": "2024-03-01T09:59:00Z", "updated_at": None}
    provider, rec = make(EdgesProvider, lambda r: ok(body))
    run = await provider.get_summary("u-1")
    assert rec.paths() == [f"GET {BASE_PATH}/flows/runs/u-1/status"]
    assert run.status is Status.CANCELLED and run.raw_status == "STOPPED"


def test_workflow_uid_fallback_and_credits() -> None:
    run = parse_run({"uid": "u", "workflow": {"uid": "wf-9"}, "credits": 40}, "p")
    assert run.workflow_id == "wf-9" and run.workflow_name is None
    assert run.cost == Cost(amount=40, unit="credits")
    label_only = parse_run({"uid": "u", "last_error": {"label": "BAD_INPUT"}}, "p")
    assert label_only.last_error == "BAD_INPUT"


@pytest.mark.parametrize(("raw", "status", "partial"), [
    ("CREATED", Status.QUEUED, False), ("QUEUED", Status.QUEUED, False),
    ("SCHEDULED", Status.QUEUED, False), ("RUNNING", Status.RUNNING, False),
    ("BLOCKED", Status.WAITING, False), ("STOPPED", Status.CANCELLED, False),
    ("SUCCEEDED", Status.SUCCEEDED, False), ("PARTIAL_SUCCEEDED", Status.SUCCEEDED, True),
    ("FAILED", Status.FAILED, False), ("INVALID", Status.FAILED, False),
    (None, Status.UNKNOWN, False), ("EXPLODED", Status.UNKNOWN, False), ("", Status.UNKNOWN, False),
])
def test_status_map(raw: str | None, status: Status, partial: bool) -> None:
    run = parse_run({"uid": "u", "status": raw}, "p")
    assert (run.status, run.partial) == (status, partial)
    assert run.raw_status == (raw or None)


@pytest.mark.parametrize("key", ["uid", "flow_run_uid", "run_uid"])
async def test_start(make: Any, key: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok({key: "new-uid", "status": "pending"})
        return ok({"uid": "new-uid", "status": "QUEUED"})

    provider, rec = make(EdgesProvider, handler)
    result = await provider.execute(StartRequest(workflow_id="my flow", inputs={"url": "https://x"}))
    post = rec.requests[0]
    assert post.method == "POST"
    assert post.url.raw_path.decode() == f"{BASE_PATH}/flows/my%20flow/run/async"
    assert body_of(post) == {"inputs": [{"url": "https://x"}], "parameters": {}}
    assert_auth(post)
    assert result.ok and result.new_run_id == "new-uid"
    assert result.run is not None and result.run.status is Status.QUEUED
    assert rec.paths()[1] == f"GET {BASE_PATH}/flows/runs/new-uid/status"


async def test_start_with_a_list_of_inputs(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok({"uid": "n"}))
    await provider.execute(StartRequest(workflow_id="f", inputs={"inputs": [{"a": 1}, {"a": 2}]}))
    assert body_of(rec.requests[0]) == {"inputs": [{"a": 1}, {"a": 2}], "parameters": {}}


async def test_start_answer_without_id_is_not_ok(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok({"status": "pending"}))
    result = await provider.execute(StartRequest(workflow_id="f"))
    assert not result.ok and not result.uncertain
    assert len(rec.requests) == 1


@pytest.mark.parametrize("action", [Action.CANCEL, Action.RESUME])
async def test_cancel_and_resume_send_no_body(make: Any, action: Action) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok(flow_run("u-1", "STOPPED")))
    run = Run(profile="t", provider="edges", id="u-1", raw_status="RUNNING")
    result = await provider.perform(run, action)
    post = rec.requests[0]
    assert (post.method, post.url.path) == ("POST", f"{BASE_PATH}/flows/runs/u-1/{action.value}")
    assert post.content == b"" and params_of(post) == []
    assert "content-type" not in post.headers
    assert_auth(post)
    assert result.ok


async def test_pause_is_refused_before_sending(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok({}))
    with pytest.raises(NotAllowed):
        await provider.perform(Run(profile="t", provider="edges", id="u"), Action.PAUSE)
    assert rec.requests == []


@pytest.mark.parametrize(("body", "message"), [
    ({"label": "NOT_FOUND", "message": "Flow run not found"}, "Flow run not found"),
    ({"label": "BAD_PARAMETERS"}, "BAD_PARAMETERS"),
])
async def test_error_bodies(make: Any, body: Any, message: str) -> None:
    provider, _ = make(EdgesProvider, lambda r: ok(body, status=400, headers={"x-request-id": "e-1"}))
    with pytest.raises(ProviderError) as info:
        await provider.get_summary("u")
    assert (info.value.status, info.value.message, info.value.request_id) == (400, message, "e-1")


async def test_action_conflict_reads_back(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return ok({"label": "CONFLICT", "message": "run already finished"}, status=409)
        return ok({"uid": "u", "status": "SUCCEEDED"})

    provider, rec = make(EdgesProvider, handler)
    result = await provider.perform(Run(profile="t", provider="edges", id="u"), Action.CANCEL)
    assert not result.ok and not result.uncertain
    assert result.message is not None and "run already finished" in result.message
    assert result.run is not None and result.run.status is Status.SUCCEEDED
    assert [r.method for r in rec.requests] == ["POST", "GET"]


async def test_check(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda r: ok([]))
    assert "readable" in await provider.check()
    assert rec.paths() == [f"GET {BASE_PATH}/flows/runs?limit=1&offset=0&sort=-created_at"]


def test_class_attributes() -> None:
    assert EdgesProvider.default_base_url == "https://api.edges.run/v1"
    assert EdgesProvider.workflow_label == "flow slug" and EdgesProvider.kinds == (Kind.RUN,)
