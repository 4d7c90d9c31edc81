"""Property tests: any JSON fed to any parser gives a model object or ProviderError(kind="parse")."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtui.config import Profile
from runtui.errors import ProviderError
from runtui.model import Kind, Run, RunDetail
from runtui.providers import b3os, edges, wexa
from runtui.providers.base import Provider, WorkflowInfo

KEYS = [
    "id", "_id", "uid", "runId", "execution_id", "flow_run_uid", "run_uid", "task_id", "status", "state",
    "data", "items", "executions", "execution_flows", "hasMore", "success", "code", "message", "detail",
    "error", "errors", "label", "last_error", "created_at", "start_time", "end_time", "updated_at",
    "started_at", "finished_at", "startedAt", "finishedAt", "createdAt", "totalCu", "tokens", "credits",
    "agentflow", "agentflow_id", "agents", "agents_output", "agent_id", "title", "name", "output",
    "execution_nodes", "children", "execution_type", "conclusion", "input_variables", "parent_execution_id",
    "workflow", "slug", "steps", "inputs", "workflowId", "workflowName", "executionState",
    "workflowDefinition", "nodes", "triggerNodeIds", "type", "result", "propValues", "sourceRunId",
    "nodeId", "run", "inputSchema", "definition", "total",
]
STATUSES = ["running", "RUNNING", "waiting", "success", "partial", "failure", "cancelled", "canceled",
            "completed", "PARTIAL_SUCCEEDED", "BLOCKED", "STOPPED", "ready", "in_progress", "paused",
            "needs_approval", "skipped", "???"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
           | st.sampled_from(STATUSES) | st.sampled_from(["2024-01-01T00:00:00Z", "1700000000", "r1"])
           | st.integers(min_value=0, max_value=2_000_000_000_000))
json_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), kids, max_size=6),
    max_leaves=40,
)

SAMPLES: dict[str, Any] = {
    "wexa_exec": {"execution_id": "e1", "status": "running", "agentflow_id": "af",
                  "agentflow": {"name": "F", "agents": [{"_id": "a1", "title": "A"}]},
                  "agents_output": [{"agent_id": "a1", "status": "completed", "output": "x"}],
                  "created_at": 1700000000.5, "end_time": "2024-01-01T00:00:00Z", "tokens": {"total": 3},
                  "errors": ["boom"], "input_variables": {"k": "v"}, "conclusion": {"c": 1}},
    "wexa_task": {"_id": "t1", "name": "T", "status": "completed", "created_at": 1700000000,
                  "execution_nodes": [{"execution_id": "e1", "children": [{"execution_id": "e2",
                                                                           "children": []}]}],
                  "executions": [{"execution_id": "e1", "status": "failed"}]},
    "edges_run": {"id": 1, "uid": "u1", "status": "PARTIAL_SUCCEEDED",
                  "workflow": {"uid": "w", "slug": "s", "name": "N"},
                  "last_error": {"label": "L", "message": "M"}, "created_at": "2024-01-01T00:00:00Z",
                  "steps": [{"uid": "s1", "status": "RUNNING"}], "credits": 3},
    "b3os_run": {"code": 0, "requestId": "r", "data": {
        "id": "run_1", "status": "waiting", "workflowId": "wf", "totalCu": 2,
        "startedAt": "2024-01-01T00:00:00Z",
        "executionState": {"root": {"status": "success", "result": {"a": 1}},
                           "gate": {"status": "waiting", "error": {"message": "m"}}},
        "workflowDefinition": {"nodes": {"root": {"children": ["gate"]}, "gate": {"children": []}},
                               "triggerNodeIds": ["root"]}}},
}
SAMPLES["wexa_page"] = {"data": [SAMPLES["wexa_exec"], SAMPLES["wexa_exec"] | {"execution_id": "e2"}]}
SAMPLES["edges_page"] = [SAMPLES["edges_run"], SAMPLES["edges_run"] | {"uid": "u2"}]
SAMPLES["b3os_page"] = {"code": 0, "data": {"items": [SAMPLES["b3os_run"]["data"]], "hasMore": True}}


@st.composite
def mutated(draw: st.DrawFn, sample: Any, depth: int = 0) -> Any:
    """The sample with random subtrees dropped, replaced or wrongly typed."""
    choice = draw(st.integers(0, 9))
    if choice == 0 or depth > 6:
        return draw(json_values)
    if isinstance(sample, dict):
        out: dict[str, Any] = {}
        for key, value in sample.items():
            action = draw(st.integers(0, 5))
            if action == 0:
                continue  # dropped
            out[key] = draw(json_values) if action == 1 else draw(mutated(value, depth + 1))
        if draw(st.booleans()):
            out[draw(st.sampled_from(KEYS))] = draw(json_values)
        return out
    if isinstance(sample, list):
        return [draw(mutated(v, depth + 1)) for v in sample if draw(st.integers(0, 4))] + draw(
            st.lists(json_values, max_size=2))
    return draw(json_values) if choice == 1 else sample


Parser = Callable[[Any], Any]

# Raise for a deeper local hunt: RUNTUI_HYPOTHESIS_EXAMPLES=2000 pytest tests/unit/providers
EXAMPLES = int(os.environ.get("RUNTUI_HYPOTHESIS_EXAMPLES", "25"))

PARSERS: dict[str, tuple[str, Parser]] = {
    "wexa.parse_execution": ("wexa_exec", lambda b: wexa.parse_execution(b, "p")),
    "wexa.parse_execution_detail": ("wexa_exec", lambda b: wexa.parse_execution_detail(b, "p")),
    "wexa.parse_task": ("wexa_task", lambda b: wexa.parse_task(b, "p")),
    "wexa.parse_task_detail": ("wexa_task", lambda b: wexa.parse_task_detail(b, "p")),
    "wexa.parse_page": ("wexa_page", lambda b: wexa.parse_page(b, "p")),
    "wexa.parse_page_tasks": ("wexa_page", lambda b: wexa.parse_page(b, "p", Kind.TASK)),
    "wexa.parse_new_execution_id": ("wexa_exec", wexa.parse_new_execution_id),
    "edges.parse_run": ("edges_run", lambda b: edges.parse_run(b, "p")),
    "edges.parse_detail": ("edges_run", lambda b: edges.parse_detail(b, "p", b)),
    "edges.parse_page": ("edges_page", lambda b: edges.parse_page(b, "p")),
    "edges.parse_new_run_id": ("edges_run", edges.parse_new_run_id),
    "b3os.parse_run": ("b3os_run", lambda b: b3os.parse_run(b, "p")),
    "b3os.parse_detail": ("b3os_run", lambda b: b3os.parse_detail(b, "p")),
    "b3os.parse_page": ("b3os_page", lambda b: b3os.parse_page(b, "p")),
    "b3os.parse_run_id": ("b3os_run", b3os.parse_run_id),
    "b3os.parse_workflow": ("b3os_run", lambda b: b3os.parse_workflow(b, "wf")),
    "b3os.stream_merge": ("b3os_run", lambda b: _merge_then_parse(b)),
}


def _merge_then_parse(body: Any) -> Any:
    state: dict[str, Any] = {"id": "run_1"}
    b3os.merge_event(state, body)
    b3os.merge_event(state, {"nodeId": "n", "status": body})
    state["id"] = "run_1"
    return b3os.parse_detail(state, "p")


def check_result(result: Any) -> None:
    if isinstance(result, RunDetail | Run):
        json.dumps(result.to_json(), allow_nan=False)  # the `--json` face can print it
    elif isinstance(result, list):
        assert all(isinstance(r, Run) for r in result)
    elif isinstance(result, tuple):
        runs, count, more = result
        assert all(isinstance(r, Run) for r in runs) and isinstance(count, int)
        assert more is None or isinstance(more, bool)
    else:
        assert isinstance(result, str | WorkflowInfo)


def run_parser(parser: Parser, body: Any) -> None:
    try:
        result = parser(body)
    except ProviderError as exc:
        assert exc.kind == "parse"
        return
    check_result(result)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_samples_parse(name: str) -> None:
    sample, parser = PARSERS[name]
    check_result(parser(SAMPLES[sample]))


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_json_never_raises_anything_else(name: str, data: st.DataObject) -> None:
    sample, parser = PARSERS[name]
    run_parser(parser, data.draw(mutated(SAMPLES[sample])))


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=json_values)
def test_random_json_never_raises_anything_else(name: str, body: Any) -> None:
    run_parser(PARSERS[name][1], body)


# ---- through the HTTP layer -------------------------------------------------------------

ADAPTERS: list[tuple[type[Provider], str]] = [
    (wexa.WexaProvider, "wexa_exec"), (edges.EdgesProvider, "edges_run"), (b3os.B3osProvider, "b3os_run")]


@pytest.mark.parametrize(("cls", "sample"), ADAPTERS, ids=[a[0].name for a in ADAPTERS])
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_adapter_reads_survive_any_body(monkeypatch: pytest.MonkeyPatch, cls: type[Provider],
                                              sample: str, data: st.DataObject) -> None:
    monkeypatch.setenv("RUNTUI_PROP_KEY", "k" * 12)
    body = data.draw(mutated(SAMPLES[sample]))
    status = data.draw(st.sampled_from([200, 200, 201, 400, 404, 409, 422]))
    raw = json.dumps(body).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=raw, headers={"content-type": "application/json"})

    profile = Profile(name="prop", provider=cls.name, api_key_env="RUNTUI_PROP_KEY",
                      settings={"project_id": "p" * 24, "user_id": "u"})
    provider = cls.from_profile(profile, transport=httpx.MockTransport(handler))
    for call in (lambda: provider.get_run("r1"), lambda: provider.get_summary("r1"),
                 lambda: provider.list_runs()):
        try:
            check_result(await call())
        except ProviderError as exc:
            assert exc.kind in ("parse", "http")
    await provider.aclose()
