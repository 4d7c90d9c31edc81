"""A profile or id given twice is one profile, one id: never rows or runs counted twice."""

from __future__ import annotations

from tests.integration.conftest import Sim, run_cli


def test_runs_list_with_a_profile_twice_lists_each_run_once(sim: Sim) -> None:
    once = run_cli(sim, "runs", "list", "-p", "wexa-sim", "--json").json()
    twice = run_cli(sim, "runs", "list", "-p", "wexa-sim", "-p", "wexa-sim", "--json").json()
    assert once and [r["id"] for r in twice] == [r["id"] for r in once]


def test_profiles_keep_the_order_they_were_first_named_in(sim: Sim) -> None:
    result = run_cli(sim, "runs", "list", "-p", "edges-sim", "-p", "b3os-sim", "-p", "edges-sim", "--json")
    ids = [r["id"] for r in result.json()]
    assert len(ids) == len(set(ids)) and {r["profile"] for r in result.json()} == {"edges-sim", "b3os-sim"}


def test_attention_with_a_profile_twice_lists_each_item_once(sim: Sim) -> None:
    once = run_cli(sim, "attention", "-p", "b3os-sim", "--json").json()
    twice = run_cli(sim, "attention", "-p", "b3os-sim", "-p", "b3os-sim", "--json").json()
    assert once and [(i["reason"], i["id"]) for i in twice] == [(i["reason"], i["id"]) for i in once]


def test_workflows_list_with_a_profile_twice_has_one_row_per_workflow(sim: Sim) -> None:
    once = run_cli(sim, "workflows", "list", "-p", "edges-sim", "--json").json()
    twice = run_cli(sim, "workflows", "list", "-p", "edges-sim", "-p", "edges-sim", "--json").json()
    assert once and [w["workflow_id"] for w in twice] == [w["workflow_id"] for w in once]
    assert [w["runs"] for w in twice] == [w["runs"] for w in once]
