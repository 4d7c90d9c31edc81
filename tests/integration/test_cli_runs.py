"""Every CLI verb against every provider on a real simulator, checked by a later read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from runtui import cli_json_array
from runtui.commands import cli
from tests.integration.conftest import Sim, run_cli
from tests.integration.json_writes import watch_json_writes

PROFILE = {"wexa": "wexa-sim", "edges": "edges-sim", "b3os": "b3os-sim"}


def show(sim: Sim, provider: str, run_id: str) -> dict:  # type: ignore[type-arg]
    res = run_cli(sim, "runs", "show", run_id, "--profile", PROFILE[provider], "--json")
    assert res.code == 0, res.err
    return res.json()  # type: ignore[no-any-return]


def test_list_all_profiles_json_shape(sim: Sim) -> None:
    res = run_cli(sim, "runs", "list", "--json")
    assert res.code == 0, res.err
    runs = res.json()
    assert {r["provider"] for r in runs} == {"wexa", "edges", "b3os"}
    for key in ("profile", "provider", "id", "workflow", "status", "raw_status", "created_at",
                "started_at", "finished_at"):
        assert all(key in r for r in runs), key
    assert all(r["status"] in {"queued", "running", "paused", "waiting", "succeeded", "failed",
                               "cancelled", "unknown"} for r in runs)


def test_list_filters_by_status_and_profile_and_limit(sim: Sim) -> None:
    res = run_cli(sim, "runs", "list", "--profile", "edges-sim", "--status", "succeeded", "--json")
    runs = res.json()
    assert runs and {r["status"] for r in runs} == {"succeeded"}
    assert {r["profile"] for r in runs} == {"edges-sim"}
    res = run_cli(sim, "runs", "list", "-p", "b3os-sim", "--limit", "3", "--json")
    assert len(res.json()) == 3


def test_list_table_output_is_human(sim: Sim) -> None:
    res = run_cli(sim, "runs", "list", "-p", "wexa-sim")
    assert res.code == 0
    assert res.out.splitlines()[0].split()[:3] == ["PROFILE", "PROVIDER", "ID"]


@pytest.mark.parametrize("provider", ["wexa", "edges", "b3os"])
def test_show_has_steps_and_raw(sim: Sim, provider: str) -> None:
    status = {"wexa": "completed", "edges": "SUCCEEDED", "b3os": "success"}[provider]
    run_id = sim.find(provider, status)[0]["id"]
    data = show(sim, provider, run_id)
    assert data["id"] == run_id and data["status"] == "succeeded"
    assert isinstance(data["raw"], dict) and "steps" in data
    if provider != "edges":
        assert data["steps"], "wexa agents / b3os nodes are steps"
    text = run_cli(sim, "runs", "show", run_id, "-p", PROFILE[provider])
    assert run_id in text.out and "succeeded" in text.out


@pytest.mark.parametrize(("provider", "workflow", "extra"), [
    ("wexa", "6c277b4a6d7e0d0331606c31", ["--goal", "qualify acme"]),
    ("edges", "linkedin-profile-enrich", []),
    ("b3os", "wf_55888cb232856c251e89", []),
])
def test_execute_starts_a_run_that_a_later_read_finds(sim: Sim, provider: str, workflow: str,
                                                      extra: list[str]) -> None:
    catalog = sim.control("GET", "/catalog")
    if provider == "wexa":
        workflow = catalog["wexa"]["agentflows"][0]["agentflow_id"]
    elif provider == "b3os":
        workflow = catalog["b3os"]["workflows"][0]["id"]
    res = run_cli(sim, "runs", "execute", "-p", PROFILE[provider], "--workflow", workflow,
                  "--input", "url=https://example.com/in/x", "--input", "count=3", *extra, "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["ok"] and out["new_run_id"]
    data = show(sim, provider, out["new_run_id"])
    assert data["workflow_id"] in (workflow, None) or workflow in str(data["raw"])
    assert data["inputs"].get("count") == 3 or "count" in str(data["raw"])


def test_execute_inputs_that_are_no_json_number_are_strings_or_a_usage_error(
        sim: Sim, tmp_path: Path) -> None:
    """`-i x=NaN` and `-i x=1e999` were read as floats the encoder then refused (a
    traceback, nothing sent); a file nested past Python's recursion was a traceback too."""
    workflow = sim.control("GET", "/catalog")["b3os"]["workflows"][0]["id"]
    res = run_cli(sim, "runs", "execute", "-p", "b3os-sim", "--workflow", workflow,
                  "--input", "ratio=NaN", "--input", "big=1e999", "--json")
    assert res.code == 0, res.err
    inputs = show(sim, "b3os", res.json()["new_run_id"])["inputs"]
    assert inputs.get("ratio") == "NaN" and inputs.get("big") == "1e999", inputs
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    res = run_cli(sim, "runs", "execute", "-p", "edges-sim", "--workflow", "linkedin-profile-enrich",
                  "--input-json", str(deep))
    assert res.code == 2 and "nested too deeply" in res.err and "Traceback" not in res.err


def test_execute_reads_inputs_from_stdin_and_refuses_a_goal_with_no_place(sim: Sim) -> None:
    """`--input-json -` was a missing file named '-'; a `--goal` for a platform that takes
    none was dropped without a word."""
    args = ["--config", str(sim.config_path), "runs", "execute", "-p", "edges-sim",
            "--workflow", "linkedin-profile-enrich"]
    res = CliRunner().invoke(cli, [*args, "--input-json", "-", "--json"],
                             input='{"url": "https://example.com/in/y", "count": 4}', catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    data = show(sim, "edges", json.loads(res.stdout)["new_run_id"])
    assert data["inputs"].get("count") == 4 or "count" in str(data["raw"])
    posts = sim.posts()
    goal = run_cli(sim, "runs", "execute", "-p", "edges-sim", "--workflow", "linkedin-profile-enrich",
                   "--goal", "qualify acme")
    assert goal.code == 2 and "--goal: edges runs take no goal text" in goal.err
    assert sim.posts() == posts  # refused before anything was sent


def test_execute_unknown_workflow_reports_the_server(sim: Sim) -> None:
    res = run_cli(sim, "runs", "execute", "-p", "edges-sim", "--workflow", "no-such-flow")
    assert res.code == 1
    assert "404" in res.err


@pytest.mark.parametrize(("provider", "status"), [("wexa", "running"), ("edges", "RUNNING"),
                                                  ("b3os", "running")])
def test_cancel_then_read_shows_cancelled(sim: Sim, provider: str, status: str) -> None:
    run_id = sim.find(provider, status)[0]["id"]
    res = run_cli(sim, "runs", "cancel", run_id, "-p", PROFILE[provider], "--json")
    assert res.code == 0, res.err
    assert show(sim, provider, run_id)["status"] == "cancelled"
    again = run_cli(sim, "runs", "cancel", run_id, "-p", PROFILE[provider])
    assert again.code == 3 and "cannot cancel" in again.err


def test_wexa_pause_and_resume(sim: Sim) -> None:
    run_id = sim.find("wexa", "running")[-1]["id"]
    assert run_cli(sim, "runs", "pause", run_id, "-p", "wexa-sim").code == 0
    assert show(sim, "wexa", run_id)["raw_status"] == "paused"
    assert run_cli(sim, "runs", "resume", run_id, "-p", "wexa-sim").code == 0
    assert show(sim, "wexa", run_id)["raw_status"] == "running"


def test_wexa_start_a_prepared_execution(sim: Sim) -> None:
    ready = sim.find("wexa", "ready")
    assert ready, "the sim seeds a held ready execution"
    run_id = ready[-1]["id"]  # the oldest: the seeded held one, not a run that just started
    res = run_cli(sim, "runs", "start", run_id, "-p", "wexa-sim")
    assert res.code == 0, res.err
    sim.tick(5)
    assert show(sim, "wexa", run_id)["raw_status"] != "ready"


def test_edges_resume_a_blocked_run(sim: Sim) -> None:
    run_id = sim.find("edges", "BLOCKED")[0]["id"]
    assert run_cli(sim, "runs", "resume", run_id, "-p", "edges-sim").code == 0
    assert show(sim, "edges", run_id)["raw_status"] != "BLOCKED"


def test_b3os_resume_a_waiting_run_and_retry_a_failed_one(sim: Sim) -> None:
    run_id = sim.find("b3os", "waiting")[0]["id"]
    res = run_cli(sim, "runs", "resume", run_id, "-p", "b3os-sim")
    assert res.code == 0, res.err
    assert show(sim, "b3os", run_id)["raw_status"] != "waiting"
    failed = sim.find("b3os", "failure")[0]["id"]
    res = run_cli(sim, "runs", "retry", failed, "-p", "b3os-sim", "--json")
    assert res.code == 0, res.err
    new_id = res.json()["new_run_id"]
    assert new_id and new_id != failed
    assert show(sim, "b3os", new_id)["raw"]["data"]["sourceRunId"] == failed  # raw keeps the envelope


def test_not_allowed_exits_3_before_any_post(sim: Sim) -> None:
    run_id = sim.find("edges", "SUCCEEDED")[0]["id"]
    before = sim.posts()
    res = run_cli(sim, "runs", "cancel", run_id, "-p", "edges-sim")
    assert res.code == 3 and "not allowed" in res.err
    res = run_cli(sim, "runs", "pause", run_id, "-p", "edges-sim")
    assert res.code == 3 and "no pause" in res.err
    assert sim.posts() == before


def test_wexa_tasks_list_show_pause_resume_stop(sim: Sim) -> None:
    res = run_cli(sim, "tasks", "list", "-p", "wexa-sim", "--json")
    assert res.code == 0, res.err
    tasks = res.json()
    assert tasks and all(t["kind"] == "task" for t in tasks)
    running = [t for t in tasks if t["raw_status"] in ("running", "pending")]
    assert running
    task_id = running[0]["id"]
    detail = run_cli(sim, "tasks", "show", task_id, "-p", "wexa-sim", "--json").json()
    assert detail["steps"], "the execution_nodes tree becomes steps"
    assert run_cli(sim, "tasks", "pause", task_id, "-p", "wexa-sim").code == 0
    assert run_cli(sim, "tasks", "show", task_id, "-p", "wexa-sim", "--json").json()["raw_status"] == "paused"
    assert run_cli(sim, "tasks", "resume", task_id, "-p", "wexa-sim").code == 0
    res = run_cli(sim, "tasks", "stop", task_id, "-p", "wexa-sim")
    assert res.code == 0, res.err
    assert run_cli(sim, "tasks", "show", task_id, "-p", "wexa-sim", "--json").json()["status"] == "cancelled"


def test_tasks_list_json_is_written_as_the_tasks_are_encoded(sim: Sim,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """As `runs list --json`: written in batches (shrunk here to one task each), never
    the whole array held, and the text is `json.dumps` of the whole list."""
    monkeypatch.setattr(cli_json_array, "BATCH_CHARS", 1)
    watch = watch_json_writes(monkeypatch)
    res = run_cli(sim, "tasks", "list", "-p", "wexa-sim", "--json")
    assert res.code == 0, res.err
    tasks = res.json()
    assert len(tasks) > 1 and watch.encoded == len(tasks)
    assert watch.encoded_at_writes[0] < len(tasks), "nothing written before every task was encoded"
    assert res.out == json.dumps(tasks, indent=2, ensure_ascii=True) + "\n"


def test_tasks_on_a_provider_without_tasks_is_a_usage_error(sim: Sim) -> None:
    assert run_cli(sim, "tasks", "list", "-p", "edges-sim").code == 2  # 3 is "not in this state"


def test_history_records_the_actions(sim: Sim) -> None:
    run_id = sim.find("edges", "RUNNING")[0]["id"]
    assert run_cli(sim, "runs", "cancel", run_id, "-p", "edges-sim").code == 0
    res = run_cli(sim, "history", "--json")
    entries = res.json()
    mine = [e for e in entries if e["run_id"] == run_id and e["action"] == "cancel"]
    assert mine and mine[-1]["outcome"] == "ok"


def test_execute_json_names_the_profile_and_the_new_run(sim: Sim) -> None:
    res = run_cli(sim, "runs", "execute", "-p", "edges-sim", "--workflow", "linkedin-profile-enrich",
                  "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["profile"] == "edges-sim"
    assert out["run_id"] and out["run_id"] == out["new_run_id"]
    assert out["run"]["workflow_id"] == "linkedin-profile-enrich"  # the flow started
    assert show(sim, "edges", out["run_id"])["id"] == out["run_id"]
    failed = run_cli(sim, "runs", "execute", "-p", "edges-sim", "--workflow", "no-such-flow", "--json")
    assert failed.code == 1 and failed.json()["profile"] == "edges-sim"


def test_show_gives_every_time_in_one_format(sim: Sim) -> None:
    run_id = sim.find("edges", "SUCCEEDED")[0]["id"]
    res = run_cli(sim, "runs", "show", run_id, "-p", "edges-sim")
    assert res.code == 0, res.err
    times = {line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip() for line in res.out.splitlines()
             if line.strip().startswith(("created:", "started:", "finished:"))}
    assert set(times) == {"created", "started", "finished"}, res.out
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", t) for t in times.values()), times
