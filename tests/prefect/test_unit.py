"""Fast checks of the Prefect adapter's parsing and requests over httpx.MockTransport
(no server): state mapping, orchestration answers, paging, name joins, workspace paths."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from runtui.actions import allowed_actions, decide
from runtui.cli import cli
from runtui.config import Profile, validated
from runtui.errors import ConfigError, ProviderError
from runtui.model import Action, Kind, Run, StartRequest, Status
from runtui.providers import registry
from runtui.providers.base import ListQuery
from runtui.providers.prefect import (
    PREFECT,
    PrefectProvider,
    orchestration_outcome,
    parse_run,
    parse_steps,
    parse_timeline,
    parse_workflow,
    read_error,
    server_types,
    state_status,
    workspace_prefix,
)

Handler = Callable[[httpx.Request], httpx.Response]
BASE = "http://127.0.0.1:4200/api"
FLOW = "f0000000-0000-0000-0000-000000000001"
DEP = "d0000000-0000-0000-0000-000000000001"


def flow_run(i: int, state_type: str = "COMPLETED", state_name: str | None = None,
             message: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"r{i:04d}", "name": f"run-{i}", "flow_id": FLOW, "deployment_id": DEP,
        "state_type": state_type, "state_name": state_name or state_type.title(),
        "state": {"type": state_type, "name": state_name or state_type.title(), "message": message},
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:01:00Z",
        "start_time": "2026-01-01T00:00:05Z",
        "end_time": "2026-01-01T00:00:50Z" if state_type in ("COMPLETED", "FAILED") else None,
        "parameters": {"n": i}, **extra,
    }


def build(handler: Handler, **fields: Any) -> tuple[PrefectProvider, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    profile = validated(Profile, {"name": "pf", "provider": "prefect", "base_url": BASE, **fields})
    provider = PrefectProvider.from_profile(profile, transport=httpx.MockTransport(record))
    assert isinstance(provider, PrefectProvider)
    return provider, seen


def body(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def names_handler(request: httpx.Request) -> httpx.Response | None:
    path = request.url.path
    if path.endswith("/flows/filter"):
        return httpx.Response(200, json=[{"id": FLOW, "name": "etl"}])
    if path.endswith("/deployments/filter"):
        return httpx.Response(200, json=[{"id": DEP, "name": "nightly"}])
    return None


# ---- pure parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(("state_type", "status"), [
    ("SCHEDULED", Status.QUEUED), ("PENDING", Status.QUEUED), ("RUNNING", Status.RUNNING),
    ("CANCELLING", Status.RUNNING), ("PAUSED", Status.PAUSED), ("COMPLETED", Status.SUCCEEDED),
    ("FAILED", Status.FAILED), ("CRASHED", Status.FAILED), ("CANCELLED", Status.CANCELLED),
    ("SOMETHING_NEW", Status.UNKNOWN), (None, Status.UNKNOWN), ("running", Status.RUNNING),
])
def test_state_types_map_to_common_statuses(state_type: str | None, status: Status) -> None:
    assert state_status(state_type)[0] is status


def test_raw_status_is_the_type_and_the_error_is_the_failed_state_message() -> None:
    late = parse_run(flow_run(1, "SCHEDULED", "Late"), "pf")
    assert (late.status, late.raw_status, late.last_error) == (Status.QUEUED, "SCHEDULED", None)
    crashed = parse_run(flow_run(2, "CRASHED", message="Process exited with status code: -9"), "pf")
    assert (crashed.status, crashed.raw_status) == (Status.FAILED, "CRASHED")
    assert crashed.last_error == "Process exited with status code: -9"
    done = parse_run(flow_run(3, "COMPLETED", message="All states completed."), "pf",
                     {FLOW: "etl", DEP: "nightly"})
    assert done.last_error is None
    assert (done.workflow_id, done.workflow_name) == (DEP, "etl/nightly")
    assert done.finished_at is not None and done.duration() == 45.0


def paused_flow_run(run_id: str, keyset: dict[str, str] | None, name: str = "Paused") -> dict[str, Any]:
    """A PAUSED flow run as Prefect 3.8's `/flow_runs/filter` answers it (fields that
    play no part here left out); `keyset`: the state's `run_input_keyset`, which
    `pause_flow_run(wait_for_input=...)` sets and a plain pause leaves null."""
    return {
        "id": run_id, "created": "2026-12-06T13:28:58.945720Z", "updated": "2026-12-06T13:29:01.811000Z",
        "name": "innocent-limpet", "flow_id": FLOW, "state_id": "s-1", "deployment_id": DEP,
        "parameters": {}, "empirical_policy": {"pause_keys": ["1"], "resuming": False},
        "state_type": "PAUSED", "state_name": name, "run_count": 1,
        "expected_start_time": "2026-12-06T13:28:58.945616Z", "start_time": "2026-12-06T13:29:01.722460Z",
        "end_time": None,
        "state": {
            "id": "s-1", "type": "PAUSED", "name": name, "timestamp": "2026-12-06T13:29:01.801767Z",
            "message": None, "data": None,
            "state_details": {"flow_run_id": run_id, "task_run_id": None,
                              "pause_timeout": "2026-12-06T13:34:01.796014Z",
                              "pause_reschedule": name == "Suspended", "pause_key": "1",
                              "run_input_keyset": keyset},
        },
    }


def test_a_run_paused_for_input_waits_and_keeps_the_actions_of_a_paused_run() -> None:
    """`pause_flow_run(wait_for_input=...)` waits on a person's answer: `waiting`, as `/st:waiting`,
    the counts and `--status waiting` know it; its raw status, which the actions are
    keyed by, stays PAUSED (resume answers it, cancel ends it)."""
    keyset = {"description": "paused-1-description", "response": "paused-1-response",
              "schema": "paused-1-schema"}
    registry.provider_class("prefect")  # registers the table as the app does
    for name in ("Paused", "Suspended"):  # suspend_flow_run(wait_for_input=...) too
        asked = parse_run(paused_flow_run("r-asked", keyset, name), "pf")
        assert (asked.status, asked.raw_status) == (Status.WAITING, "PAUSED"), name
        assert allowed_actions(asked) == [Action.RESUME, Action.CANCEL]
    plain = parse_run(paused_flow_run("r-plain", None), "pf")
    assert (plain.status, plain.raw_status) == (Status.PAUSED, "PAUSED")
    empty = parse_run(paused_flow_run("r-empty", {}), "pf")
    assert empty.status is Status.PAUSED  # an empty keyset names no input to wait for


def test_actions_are_keyed_by_state_type() -> None:
    def run(raw: str) -> Run:
        return Run(profile="pf", provider="prefect", id="x", status=state_status(raw)[0], raw_status=raw)

    registry.provider_class("prefect")  # registers the table as the app does
    for raw, allowed in [("SCHEDULED", {Action.CANCEL}), ("PENDING", {Action.CANCEL}),
                         ("RUNNING", {Action.CANCEL, Action.PAUSE}),
                         ("PAUSED", {Action.RESUME, Action.CANCEL}),
                         ("CANCELLING", set()), ("COMPLETED", set()), ("CRASHED", set())]:
        assert PREFECT.allowed(Kind.RUN, raw) == allowed, raw
        assert {a for a in Action if a is not Action.EXECUTE and decide(run(raw), a)} == allowed
    assert "execute the deployment again" in decide(run("FAILED"), Action.RETRY).reason


def test_timeline_keeps_state_names_and_messages_in_time_order() -> None:
    states = [
        {"type": "RUNNING", "name": "Running", "timestamp": "2026-01-01T00:00:05Z"},
        {"type": "SCHEDULED", "name": "Late", "timestamp": "2026-01-01T00:00:00Z"},
        {"type": "PAUSED", "name": "Suspended", "message": "suspended from runtui",
         "timestamp": "2026-01-01T00:00:09Z"},
    ]
    timeline = parse_timeline(states)
    assert [(t.raw_status, t.note) for t in timeline] == [
        ("SCHEDULED", "Late"), ("RUNNING", None), ("PAUSED", "Suspended: suspended from runtui")]


def test_deployment_schema_becomes_form_inputs() -> None:
    info = parse_workflow({
        "id": DEP, "name": "nightly", "parameters": {"n": 5},
        "parameter_openapi_schema": {"type": "object", "required": ["who"], "properties": {
            "who": {"title": "Who", "type": "string", "position": 1},
            "n": {"title": "n", "type": "integer", "position": 0, "default": 2}}},
    }, DEP)
    assert info.name == "nightly"
    assert info.inputs == (
        {"key": "n", "type": "integer", "required": False, "label": "n", "default": 5},
        {"key": "who", "type": "string", "required": True, "label": "Who"},
    )


def test_read_error_shapes() -> None:
    assert read_error({"detail": "Flow run not found"}) == "Flow run not found"
    assert read_error({
        "exception_message": "Invalid request received.",
        "exception_detail": [{"loc": ["body", "limit"], "msg": "Input should be a valid integer"}],
    }) == "Invalid request received. Input should be a valid integer (at limit)"
    assert read_error({"detail": [{"msg": "field required"}]}) == "field required"
    assert read_error("nope") is None


@pytest.mark.parametrize(("answer", "action", "ok"), [
    ({"status": "ACCEPT", "details": {}}, Action.CANCEL, True),
    # CANCELLING on a run without a process: rejected, but the server cancelled it at once
    ({"status": "REJECT", "state": {"type": "CANCELLED"},
      "details": {"reason": "Scheduled flow run has no infrastructure to terminate."}}, Action.CANCEL, True),
    ({"status": "ABORT", "state": {"type": "COMPLETED"},
      "details": {"reason": "Run is already in terminal state COMPLETED."}}, Action.CANCEL, False),
    ({"status": "ABORT", "state": None,
      "details": {"reason": "Cannot resume a flow run that is not paused."}}, Action.RESUME, False),
    ({"status": "REJECT", "state": {"type": "RUNNING"},
      "details": {"reason": "Cannot suspend flows that are not currently running."}}, Action.PAUSE, False),
])
def test_orchestration_answers(answer: dict[str, Any], action: Action, ok: bool) -> None:
    if ok:
        orchestration_outcome(answer, 200, action)
        return
    with pytest.raises(ProviderError) as err:
        orchestration_outcome(answer, 200, action)
    assert err.value.status == 200
    assert answer["details"]["reason"] in err.value.message
    assert err.value.message.startswith(answer["status"])


def test_workspace_prefix() -> None:
    assert workspace_prefix(None) == ""
    assert workspace_prefix("accounts/a1/workspaces/w1") == "/accounts/a1/workspaces/w1"
    assert workspace_prefix("/a1/w1/") == "/accounts/a1/workspaces/w1"
    with pytest.raises(ConfigError):
        workspace_prefix("accounts/a1/projects/w1")
    with pytest.raises(ConfigError):
        workspace_prefix("accounts/../workspaces/w1")


def test_server_types() -> None:
    assert server_types(None) is None
    assert server_types(frozenset({Status.UNKNOWN, Status.FAILED})) is None
    assert server_types(frozenset({Status.WAITING})) == ["PAUSED"]  # kept when they ask for input
    assert server_types(frozenset({Status.PAUSED, Status.WAITING})) == ["PAUSED"]
    assert sorted(server_types(frozenset({Status.RUNNING, Status.FAILED})) or []) == [
        "CANCELLING", "CRASHED", "FAILED", "RUNNING"]


# ---- requests over a MockTransport -------------------------------------------------------


def test_listing_pages_filters_server_side_and_joins_names_once() -> None:
    runs = [flow_run(i, "RUNNING") for i in range(5)]

    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        assert request.url.path == "/api/flow_runs/filter"
        q = body(request)
        return httpx.Response(200, json=runs[q["offset"]: q["offset"] + q["limit"]])

    provider, seen = build(handler)

    async def main() -> list[list[Run]]:
        pages = [page async for page in provider.iter_runs(
            ListQuery(statuses=frozenset({Status.RUNNING}), page_size=2))]
        await provider.aclose()
        return pages

    pages = asyncio.run(main())
    assert [[r.id for r in page] for page in pages] == [["r0000", "r0001"], ["r0002", "r0003"], ["r0004"]]
    assert all(r.workflow_name == "etl/nightly" for page in pages for r in page)
    filters = [body(r) for r in seen if r.url.path.endswith("/flow_runs/filter")]
    assert [(f["offset"], f["limit"]) for f in filters] == [(0, 2), (2, 2), (4, 2)]
    assert {f["sort"] for f in filters} == {"EXPECTED_START_TIME_DESC"}
    assert sorted(filters[0]["flow_runs"]["state"]["type"]["any_"]) == ["CANCELLING", "RUNNING"]
    assert "before_" in filters[0]["flow_runs"]["expected_start_time"]
    joins = [r.url.path for r in seen if not r.url.path.endswith("/flow_runs/filter")]
    assert joins == ["/api/flows/filter", "/api/deployments/filter"]  # cached after the first page


@pytest.mark.parametrize(("status", "kept"), [(Status.WAITING, ["r-asked"]), (Status.PAUSED, ["r-plain"])])
def test_waiting_and_paused_ask_the_server_for_paused_and_keep_their_own(status: Status,
                                                                        kept: list[str]) -> None:
    keyset = {"schema": "paused-1-schema", "description": "paused-1-description"}
    paused = [paused_flow_run("r-asked", keyset), paused_flow_run("r-plain", None)]

    def handler(request: httpx.Request) -> httpx.Response:
        return names_handler(request) or httpx.Response(200, json=paused[body(request)["offset"]:])

    provider, seen = build(handler)
    runs = asyncio.run(provider.list_runs(ListQuery(statuses=frozenset({status}))))
    assert [r.id for r in runs] == kept
    sent = [body(r) for r in seen if r.url.path.endswith("/flow_runs/filter")]
    assert sent[0]["flow_runs"]["state"]["type"]["any_"] == ["PAUSED"]


def test_limit_and_deployment_filter_and_no_horizon() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        return httpx.Response(200, json=[flow_run(i) for i in range(body(request)["limit"])])

    provider, seen = build(handler, scheduled_horizon_minutes=0)
    runs = asyncio.run(provider.list_runs(ListQuery(limit=3, workflow_id=DEP)))
    assert len(runs) == 3
    first = body(seen[0])
    assert first["limit"] == 3
    assert first["flow_runs"] == {"deployment_id": {"any_": [DEP]}}


def test_cancel_sends_cancelling_and_a_reject_raises_with_prefects_reason() -> None:
    answers = {"status": "ABORT", "state": {"type": "COMPLETED"},
               "details": {"type": "abort_details", "reason": "Run is already in terminal state COMPLETED."}}

    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        if request.url.path.endswith("/set_state"):
            return httpx.Response(200, json=answers)
        return httpx.Response(200, json=flow_run(7, "COMPLETED"))

    provider, seen = build(handler)
    run = Run(profile="pf", provider="prefect", id="r0007", status=Status.RUNNING, raw_status="RUNNING")
    result = asyncio.run(provider.perform(run, Action.CANCEL))
    sent = [r for r in seen if r.method == "POST" and r.url.path.endswith("/set_state")]
    assert len(sent) == 1 and body(sent[0]) == {"state": {"type": "CANCELLING"}}
    assert result.ok is False
    assert "ABORT: Run is already in terminal state COMPLETED." in (result.message or "")
    assert "HTTP 200" in (result.message or "")
    assert result.run is not None and result.run.raw_status == "COMPLETED"


def test_pause_is_a_suspend_and_resume_posts_resume() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        if request.method == "POST":
            return httpx.Response(201, json={"status": "ACCEPT", "details": {"type": "accept_details"}})
        return httpx.Response(200, json=flow_run(1, "PAUSED", "Suspended"))

    provider, seen = build(handler, suspend_timeout_seconds=120, workspace="acc/ws")
    run = Run(profile="pf", provider="prefect", id="r0001", status=Status.RUNNING, raw_status="RUNNING")
    assert asyncio.run(provider.perform(run, Action.PAUSE)).ok
    suspend = body(next(r for r in seen if r.url.path.endswith("/set_state")))["state"]
    assert (suspend["type"], suspend["name"]) == ("PAUSED", "Suspended")
    assert suspend["state_details"]["pause_reschedule"] is True
    assert suspend["state_details"]["pause_timeout"]
    paused = run.model_copy(update={"status": Status.PAUSED, "raw_status": "PAUSED"})
    assert asyncio.run(provider.perform(paused, Action.RESUME)).ok
    resume = [r for r in seen if r.url.path.endswith("/resume")]
    assert len(resume) == 1
    assert resume[0].url.path == "/api/accounts/acc/workspaces/ws/flow_runs/r0001/resume"
    assert all(r.url.path.startswith("/api/accounts/acc/workspaces/ws/") for r in seen)


def test_execute_posts_parameters_to_the_deployment() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        if request.method == "POST":
            return httpx.Response(201, json=flow_run(9, "SCHEDULED"))
        return httpx.Response(200, json=flow_run(9, "SCHEDULED"))

    provider, seen = build(handler, api_key="pnu_secret_key_123")
    result = asyncio.run(provider.execute(StartRequest(workflow_id=DEP, inputs={"n": 3})))
    assert result.ok and result.new_run_id == "r0009"
    post = next(r for r in seen if r.method == "POST" and "create_flow_run" in r.url.path)
    assert post.url.path == f"/api/deployments/{DEP}/create_flow_run"
    assert body(post)["parameters"] == {"n": 3}
    assert body(post)["idempotency_key"].startswith("runtui-")
    assert post.headers["authorization"] == "Bearer pnu_secret_key_123"


def test_no_key_means_no_authorization_header() -> None:
    provider, seen = build(lambda r: httpx.Response(200, json=True if r.url.path.endswith("/health") else 4))
    assert "4 flow runs" in asyncio.run(provider.check())
    assert all("authorization" not in r.headers for r in seen)


def test_http_errors_carry_prefects_detail() -> None:
    provider, _ = build(lambda r: httpx.Response(404, json={"detail": "Flow run not found"}))
    with pytest.raises(ProviderError) as err:
        asyncio.run(provider.get_summary("00000000-0000-0000-0000-000000000000"))
    assert (err.value.status, err.value.message) == (404, "Flow run not found")


def test_providers_command_lists_prefect() -> None:
    res = CliRunner().invoke(cli, ["providers"])
    assert res.exit_code == 0
    line = next(line for line in res.stdout.splitlines() if line.startswith("prefect"))
    assert "runtui.providers.prefect:PrefectProvider" in line


def test_a_503_on_an_action_is_reported_not_resent() -> None:
    """runtui sends an action once; a busy Prefect's 503 reaches the user with the run read back."""

    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        if request.method == "POST":
            return httpx.Response(503, json={"exception_message": "Service Unavailable"})
        return httpx.Response(200, json=flow_run(9, "SCHEDULED"))

    provider, seen = build(handler)
    result = asyncio.run(provider.execute(StartRequest(workflow_id=DEP, inputs={})))
    assert not result.ok and "503" in (result.message or "")
    creates = [body(r) for r in seen if "create_flow_run" in r.url.path]
    assert len(creates) == 1 and creates[0]["idempotency_key"].startswith("runtui-")


@pytest.mark.parametrize("failure", [
    httpx.Response(500, json={"exception_message": "Internal Server Error"}),
    httpx.Response(503, json={"exception_message": "Service Unavailable"}),
    httpx.Response(409, json={"detail": "Error creating flow run: Validation failed"}),
    "timeout",
])
def test_other_action_failures_are_never_resent(failure: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        found = names_handler(request)
        if found is not None:
            return found
        if request.method == "POST":
            if failure == "timeout":
                raise httpx.ReadTimeout("slow", request=request)
            assert isinstance(failure, httpx.Response)
            return failure
        return httpx.Response(200, json=flow_run(1, "RUNNING"))

    provider, seen = build(handler)
    run = Run(profile="pf", provider="prefect", id="r0001", status=Status.RUNNING, raw_status="RUNNING")
    result = asyncio.run(provider.perform(run, Action.CANCEL))
    assert result.ok is False
    assert result.uncertain is (failure == "timeout")
    assert len([r for r in seen if r.method == "POST" and "set_state" in r.url.path]) == 1


def task_run(name: str, dynamic_key: str, task_key: str = "step-a1c") -> dict[str, Any]:
    return {"id": f"t-{name}", "name": name, "task_key": task_key, "dynamic_key": dynamic_key,
            "state_type": "COMPLETED", "state": {"type": "COMPLETED"}}


def test_step_key_is_the_task_name_without_the_per_run_suffix() -> None:
    steps = parse_steps([
        task_run("step-2d5", "2d51c0e4-8a7e-4d8e-9c1b-0f3b3f8a6e21"),  # a task in Prefect 3
        task_run("child-0", "0", task_key="child-9b2"),                  # a subflow's task run
        task_run("fetch eu", "77f0c4a2-1b5c-4a9e-8d3e-2c9b1e0a4f55", task_key="fetch-3e0"),
        {"id": "t-bare", "name": "lonely", "state_type": "COMPLETED"},
    ])
    assert [s.name for s in steps] == ["step-2d5", "child-0", "fetch eu", "lonely"]
    assert [s.key for s in steps] == ["step", "child", "fetch-3e0", None]


def test_pause_help_says_what_prefects_pause_does() -> None:
    """The table's caveat reaches `runs pause --help`; other actions' help has none."""
    said = CliRunner().invoke(cli, ["runs", "pause", "--help"])
    assert said.exit_code == 0
    text = " ".join(said.output.split())
    assert "Prefect suspends the run: its code keeps running until it starts its next task" in text
    retry = CliRunner().invoke(cli, ["runs", "retry", "--help"]).output
    assert "Where a platform does it differently" not in retry


def test_resume_of_a_suspended_run_reads_as_rescheduled() -> None:
    from runtui.display import interim_text

    resumed = Run(profile="p", provider="prefect", id="r", status=Status.QUEUED, raw_status="SCHEDULED")
    said = interim_text(Action.RESUME, resumed)
    assert said is not None and said.startswith("rescheduled (SCHEDULED: the flow runs again from its start")


def test_a_deployment_schema_is_closed_unless_it_says_it_takes_more() -> None:
    from runtui.providers.capabilities import unknown_inputs

    listed = {"parameter_openapi_schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}
    info = parse_workflow(listed, "d1")
    assert info.closed
    assert unknown_inputs(info, ["n"]) is None
    assert unknown_inputs(info, ["n", "bogus"]) == "unknown input 'bogus' (known: n)"
    assert unknown_inputs(info, ["a", "b"]) == "unknown inputs 'a', 'b' (known: n)"
    none = parse_workflow({"parameter_openapi_schema": {"properties": {}}}, "d2")
    assert unknown_inputs(none, ["x"]) == "unknown input 'x' (it takes no inputs)"
    more = {"parameter_openapi_schema": {**listed["parameter_openapi_schema"], "additionalProperties": True}}
    assert not parse_workflow(more, "d3").closed
    assert not parse_workflow({"parameter_openapi_schema": None}, "d4").closed  # unknown: not refused
