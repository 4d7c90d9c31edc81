"""Trigger parsing (Edges schedules, B3OS workflows, Prefect deployments) and Prefect's
server-side counts: real shapes, odd shapes, hostile shapes."""

from __future__ import annotations

from typing import Any

import pytest

from runtui.actions import allowed_trigger_actions, decide_trigger
from runtui.errors import ProviderError
from runtui.model import Action
from runtui.providers.b3os_workflows import parse_workflow_page
from runtui.providers.edges_schedules import parse_schedules
from runtui.providers.paging import offset_items
from runtui.providers.prefect_deployments import history_counts, parse_deployment, schedule_text
from runtui.workflow_model import Trigger


def test_edges_schedules_in_the_documented_shape() -> None:
    body = [{"uid": "s-1", "flow_preset_slug": "enrich", "status": "ACTIVE", "cron": "0 * * * *",
             "timezone": "UTC", "next_execution_at": "2026-12-04T10:00:00Z"},
            {"scheduled_flow_run_uid": "s-2", "flow_slug": "enrich", "status": "PAUSED",
             "schedule_at": "2026-12-05T09:00:00Z"},
            {"status": "ACTIVE"},  # no uid, no flow: nothing to act on
            "junk"]
    found, ids = parse_schedules(body, "edges-prod")
    assert [(t.id, t.workflow_id, t.paused, t.schedule) for t in found] == [
        ("s-1", "enrich", False, "cron 0 * * * * (UTC)"),
        ("s-2", "enrich", True, "once at 2026-12-05T09:00:00Z")]
    assert found[0].next_run_at is not None and len(ids) == 4


def test_a_cancelled_edges_schedule_is_neither_live_nor_paused() -> None:
    """A CANCELLED schedule counted as live: the workflow said "live" after its cancel."""
    from runtui.engine.stats import WorkflowFigures
    from runtui.engine.workflows import WorkflowRow

    def schedule(uid: str, status: str) -> dict[str, Any]:
        return {"uid": uid, "flow_preset_slug": "enrich", "status": status, "cron": "0 * * * *"}

    found, _ = parse_schedules([schedule("s-1", "CANCELLED"), schedule("s-2", "CANCELLED")], "e")
    assert [t.paused for t in found] == [None, None]
    figures = WorkflowFigures(profile="e", provider="edges", workflow_id="enrich")
    row = WorkflowRow(figures, tuple(found))
    assert (row.paused, row.state_word, row.schedule) == (None, "cancelled", "2 schedules, 2 ended")
    paused, _ = parse_schedules([schedule("s-1", "CANCELLED"), schedule("s-3", "PAUSED")], "e")
    row = WorkflowRow(figures, tuple(paused))
    assert (row.paused, row.state_word, row.schedule) == (True, "paused", "2 schedules, 1 paused, 1 ended")
    live, _ = parse_schedules([schedule("s-1", "CANCELLED"), schedule("s-4", "ACTIVE")], "e")
    assert WorkflowRow(figures, tuple(live)).state_word == "live"
    some, _ = parse_schedules([schedule("s-3", "PAUSED"), schedule("s-4", "ACTIVE")], "e")
    assert WorkflowRow(figures, tuple(some)).state_word == "1/2 paused"  # "live" hid the paused one


def test_edges_schedules_that_are_not_a_list_are_refused() -> None:
    with pytest.raises(ProviderError):
        parse_schedules({"detail": "nope"}, "edges-prod")


def test_b3os_workflows_page_and_states() -> None:
    body = {"items": [{"id": "wf_1", "name": "A", "status": "active"},
                      {"id": "wf_2", "name": "B", "status": "paused"},
                      {"id": "wf_3", "name": "C", "status": "draft"}, {"name": "no id"}], "hasMore": False}
    found, ids, more = parse_workflow_page(body, "b3")
    assert [(t.id, t.paused) for t in found] == [("wf_1", False), ("wf_2", True), ("wf_3", None)]
    assert more is False and len(ids) == 4


def test_a_trigger_whose_id_no_request_can_name_is_left_out() -> None:
    """A schedule or workflow id holding `/` or `..` listed a row whose pause failed on our
    own refusal ("invalid id"): left out, as an item with no id is."""
    bad = "../../admin"
    found, _ids = parse_schedules([{"uid": bad, "flow_preset_slug": "enrich", "status": "ACTIVE"},
                                   {"uid": "s-1", "flow_preset_slug": "enrich", "status": "ACTIVE"}], "e")
    assert [t.id for t in found] == ["s-1"]
    page, _ids, _more = parse_workflow_page({"items": [{"id": bad}, {"id": "wf_1"}]}, "b3")
    assert [t.id for t in page] == ["wf_1"]
    assert parse_deployment({"id": "a/b?c", "name": "x"}, "prefect", {}) is None


def test_prefect_deployment_named_like_its_runs() -> None:
    body = {"id": "d-1", "name": "nightly", "flow_id": "f-1", "paused": False,
            "schedules": [{"active": True, "schedule": {"cron": "0 3 * * *", "timezone": "UTC"}}]}
    trigger = parse_deployment(body, "prefect", {"f-1": "etl"})
    assert trigger is not None
    assert (trigger.workflow_name, trigger.state, trigger.paused, trigger.schedule) == (
        "etl/nightly", "active", False, "cron 0 3 * * * (UTC)")


@pytest.mark.parametrize(("schedules", "text"), [
    ([], None),
    ([{"active": True, "schedule": {"interval": 3600}}], "every 3600s"),
    ([{"active": False, "schedule": {"rrule": "FREQ=DAILY"}}], "rrule FREQ=DAILY (off)"),
    ([{"active": True, "schedule": {}}, {"active": False, "schedule": {}}], "2 schedules (1 off)"),
    ("junk", None),
])
def test_prefect_schedule_text(schedules: Any, text: str | None) -> None:
    assert schedule_text(schedules) == text


def test_prefect_history_counts_sum_the_buckets_and_skip_junk() -> None:
    body = [{"interval_start": "x", "states": [
                {"state_type": "COMPLETED", "count_runs": 5}, {"state_type": "FAILED", "count_runs": 2},
                {"state_type": "CRASHED", "count_runs": 1}, {"state_type": "CANCELLED", "count_runs": 1},
                {"state_type": "RUNNING", "count_runs": 3}, {"state_type": "COMPLETED", "count_runs": -9},
                {"state_type": "COMPLETED", "count_runs": "many"}]},
            {"states": [{"state_type": "COMPLETED", "count_runs": 2}]}, "junk"]
    counts = history_counts(body)
    assert (counts.runs, counts.succeeded, counts.failed, counts.cancelled) == (14, 7, 3, 1)


async def test_offset_items_stops_on_a_repeated_page_and_at_the_cap() -> None:
    calls: list[int] = []

    async def same_page(offset: int) -> tuple[list[str], list[str], bool | None]:
        calls.append(offset)
        return ["a", "b"], ["a", "b"], None  # a server ignoring the offset

    assert await offset_items(same_page, 2, 100) == ["a", "b"]
    assert len(calls) == 2

    async def endless(offset: int) -> tuple[list[int], list[str], bool | None]:
        return list(range(offset, offset + 10)), [str(i) for i in range(offset, offset + 10)], True

    assert len(await offset_items(endless, 10, 35)) == 35


def test_workflow_rules_gate_actions_and_read_only() -> None:
    # importing an adapter registers its table
    import runtui.providers.b3os
    import runtui.providers.wexa  # noqa: F401

    live = Trigger("b3", "b3os", "wf_1", "wf_1", state="active", paused=False)
    assert allowed_trigger_actions(live) == [Action.PAUSE]
    assert not decide_trigger(live, Action.PAUSE, read_only=True)
    assert "read-only" in decide_trigger(live, Action.PAUSE, read_only=True).reason
    refused = decide_trigger(live.model_copy(update={"state": "paused"}), Action.PAUSE)
    assert not refused and "pause works on active" in refused.reason
    assert not decide_trigger(live.model_copy(update={"state": "draft"}), Action.RESUME)
    wexa = Trigger("w", "wexa", "x", "x")
    assert "Wexa publishes no route" in decide_trigger(wexa, Action.PAUSE).reason
