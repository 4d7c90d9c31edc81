"""`runtui workflows` and `runtui runs diff` against the simulator over loopback HTTP.

The simulator's clock is almost stopped here, so the figures can be checked against
a hand computation from `runs list --json` of the same world.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from runtui.sim import SimConfig
from runtui.sim.server import KEY_ENV
from tests.cli_result import invoke
from tests.integration.conftest import Result, Sim, serve_sim

FINISHED = {"succeeded", "failed", "cancelled"}


@pytest.fixture(scope="module")
def still_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    cfg = SimConfig(seed=23, runs=150, spawn_every=0, speed=0.0001)
    with serve_sim(cfg, tmp_path_factory.mktemp("wf-sim")) as found:
        yield found


def cli(sim: Sim, *args: str) -> Result:
    return invoke(sim.config_path, *args)


def b3os(sim: Sim, path: str) -> Any:
    headers = {"Authorization": f"Bearer {sim.env[KEY_ENV['b3os']]}"}
    response = httpx.get(f"{sim.url}/b3os{path}", headers=headers)
    return response.json()["data"]


def _time(value: str | None) -> float | None:
    return None if value is None else datetime.fromisoformat(value).timestamp()


def by_hand(runs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The documented figures, computed plainly from the runs' JSON (all runs fit in 7 d)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run in runs:
        if run["workflow_id"] and (run["started_at"] or run["created_at"]):
            groups.setdefault((run["profile"], run["workflow_id"]), []).append(run)
    out = {}
    for key, items in groups.items():
        count = {s: sum(1 for r in items if r["status"] == s) for s in FINISHED}
        done = sum(count.values())
        durations = sorted(
            _time(r["finished_at"]) - _time(r["started_at"] or r["created_at"])  # type: ignore[operator]
            for r in items if r["status"] in FINISHED and r["finished_at"])

        def rank(q: float, values: list[float] = durations) -> float | None:
            return round(values[math.ceil(q * len(values)) - 1], 3) if values else None

        out[key] = {"runs": len(items), **count,
                    "success_rate": None if done == 0 else round(count["succeeded"] / done, 4),
                    "p50_s": rank(0.5), "p95_s": rank(0.95)}
    return out


def test_workflows_list_matches_a_hand_computation(still_sim: Sim) -> None:
    runs = cli(still_sim, "runs", "list", "--json")
    assert runs.code == 0, runs.err
    expected = by_hand(runs.json())
    listed = cli(still_sim, "workflows", "list", "--since", "7d", "--json")
    assert listed.code == 0, listed.err
    rows = {(r["profile"], r["workflow_id"]): r for r in listed.json()}
    assert expected and set(expected) <= set(rows)
    for key, want in expected.items():
        got = {k: rows[key][k] for k in want}
        assert got == want, key
    # a workflow the platform lists with no run (B3OS lists every workflow) still shows
    b3_ids = {w["id"] for w in b3os(still_sim, "/v1/workflows?limit=100")["items"]}
    assert b3_ids <= {wid for (profile, wid) in rows if profile == "b3os-sim"}
    for row in rows.values():
        assert row["paused"] in (True, False, None)
        assert row["success_rate"] is None or 0 <= row["success_rate"] <= 1
    assert "Wexa publishes no route" in listed.err  # why Wexa rows have no pause


def test_workflows_list_window_and_bad_since(still_sim: Sim) -> None:
    runs = cli(still_sim, "runs", "list", "--json").json()
    starts = sorted(_time(r["started_at"] or r["created_at"]) or 0.0 for r in runs if r["workflow_id"])
    middle = datetime.fromtimestamp((starts[len(starts) // 2] + starts[len(starts) // 2 + 1]) / 2, UTC)
    newer = sum(1 for t in starts if t >= middle.timestamp())
    recent = cli(still_sim, "workflows", "list", "--since", middle.isoformat(), "--json").json()
    assert sum(r["runs"] for r in recent) == newer < len(starts)
    bad = cli(still_sim, "workflows", "list", "--since", "yesterday")
    assert bad.code == 2 and "--since" in bad.err
    too_far = cli(still_sim, "workflows", "list", "--since", "9999999999w")
    assert too_far.code == 2 and "before any date" in too_far.err


def test_b3os_pause_resume_round_trip_is_journaled(still_sim: Sim) -> None:
    items = b3os(still_sim, "/v1/workflows?limit=100")["items"]
    wid = next(w["id"] for w in items if w["status"] == "active")
    paused = cli(still_sim, "workflows", "pause", wid, "-p", "b3os-sim", "--json")
    assert paused.code == 0, paused.err
    out = paused.json()
    assert out["ok"] is True and out["results"][0]["trigger"]["paused"] is True
    assert b3os(still_sim, f"/v1/workflows/{wid}")["status"] == "paused"
    again = cli(still_sim, "workflows", "pause", wid, "-p", "b3os-sim")
    assert again.code == 3 and "pause works on active" in again.err  # refused before any request
    resumed = cli(still_sim, "workflows", "resume", wid, "-p", "b3os-sim")
    assert resumed.code == 0 and "resume" in resumed.out
    assert b3os(still_sim, f"/v1/workflows/{wid}")["status"] == "active"
    journal = cli(still_sim, "history", "--json").json()
    actions = [(e["action"], e["outcome"]) for e in journal if wid in e["action"]]
    assert actions == [(f"pause workflow {wid}", "ok"), (f"resume workflow {wid}", "ok")]


def test_edges_schedules_pause_by_flow_and_cancel_by_uid(still_sim: Sim) -> None:
    key = {"X-API-Key": still_sim.env[KEY_ENV["edges"]]}

    def schedules() -> list[dict[str, Any]]:
        answer = httpx.get(f"{still_sim.url}/edges/v1/flows/schedules?limit=100", headers=key)
        return answer.json()  # type: ignore[no-any-return]

    flow = "sales-navigator-search-export"  # one ACTIVE and one PAUSED schedule in the seeded world
    assert sorted(s["status"] for s in schedules() if s["flow_preset_slug"] == flow) == ["ACTIVE", "PAUSED"]
    paused = cli(still_sim, "workflows", "pause", flow, "-p", "edges-sim", "--json")
    assert paused.code == 0, paused.err
    assert len(paused.json()["results"]) == 1  # only the active schedule takes a pause
    assert {s["status"] for s in schedules() if s["flow_preset_slug"] == flow} == {"PAUSED"}
    rows = cli(still_sim, "workflows", "list", "--json", "-p", "edges-sim").json()
    listed = {r["workflow_id"]: r for r in rows}
    assert listed[flow]["paused"] is True and len(listed[flow]["triggers"]) == 2
    uid = next(s["uid"] for s in schedules() if s["flow_preset_slug"] == flow)
    cancelled = cli(still_sim, "workflows", "cancel", uid, "-p", "edges-sim")  # no TTY: never asks
    assert cancelled.code == 0, cancelled.err
    assert next(s for s in schedules() if s["uid"] == uid)["status"] == "CANCELLED"
    refused = cli(still_sim, "workflows", "resume", uid, "-p", "edges-sim")
    assert refused.code == 3


def test_refusals_and_unknown_ids(still_sim: Sim) -> None:
    wexa = cli(still_sim, "workflows", "pause", "anything", "-p", "wexa-sim", "--json")
    assert wexa.code == 3 and wexa.json()["error"]["kind"] == "not_allowed"
    unknown = cli(still_sim, "workflows", "pause", "wf_nope", "-p", "b3os-sim")
    assert unknown.code == 1 and "no workflow or schedule" in unknown.err
    no_profile = cli(still_sim, "workflows", "pause", "x", "-p", "nope")
    assert no_profile.code == 2


def test_read_only_profile_refuses_before_sending(still_sim: Sim, tmp_path: Any) -> None:
    text = still_sim.config_path.read_text()
    marker = "[profiles.b3os-sim]\n"
    assert marker in text
    path = tmp_path / "ro.toml"
    path.write_text(text.replace(marker, marker + "read_only = true\n"))
    path.chmod(0o600)
    items = b3os(still_sim, "/v1/workflows?limit=100")["items"]
    wid = next(w["id"] for w in items if w["status"] == "active")
    before = httpx.get(f"{still_sim.url}/_sim/stats").json()["routes"]
    refused = invoke(path, "workflows", "pause", wid, "-p", "b3os-sim")
    assert refused.code == 3 and "read-only" in refused.err
    after = httpx.get(f"{still_sim.url}/_sim/stats").json()["routes"]
    assert {k: v for k, v in after.items() if "pause" in k} == {
        k: v for k, v in before.items() if "pause" in k}


def test_runs_diff_same_and_across_profiles(still_sim: Sim) -> None:
    b3 = cli(still_sim, "runs", "list", "-p", "b3os-sim", "-s", "succeeded", "-n", "2", "--json").json()
    edges = cli(still_sim, "runs", "list", "-p", "edges-sim", "-s", "failed", "-n", "1", "--json").json()
    same = cli(still_sim, "runs", "diff", b3[0]["id"], b3[0]["id"], "-p", "b3os-sim")
    assert same.code == 0 and "no differences" in same.out
    across = cli(still_sim, "runs", "diff", b3[0]["id"], edges[0]["id"], "-p", "b3os-sim",
                 "--profile-b", "edges-sim", "--json")
    assert across.code == 0, across.err
    data = across.json()
    fields = {d["field"]: (d["a"], d["b"]) for d in data["differences"]}
    assert fields["provider"] == ("b3os", "edges") and fields["status"] == ("succeeded", "failed")
    assert data["a"] == {"profile": "b3os-sim", "id": b3[0]["id"]} and data["fields"] >= len(fields)
    full = cli(still_sim, "runs", "diff", b3[0]["id"], b3[1]["id"], "-p", "b3os-sim", "--all",
               "--json").json()
    assert len(full["all"]) == full["fields"] and any(not f["differs"] for f in full["all"])
    missing = cli(still_sim, "runs", "diff", b3[0]["id"], "run_missing", "-p", "b3os-sim")
    assert missing.code == 1


def test_runs_diff_says_a_run_not_started_and_where_run_b_may_be(still_sim: Sim) -> None:
    """A run that never started read `started ` with nothing after it; a RUN_B in another
    profile than -p's was "no run has the id" with no word of --profile-b."""
    runs = cli(still_sim, "runs", "list", "-n", "500", "--json").json()
    waiting = next(r for r in runs if r["started_at"] is None)
    other = next(r for r in runs if r["profile"] != waiting["profile"])
    text = cli(still_sim, "runs", "diff", waiting["id"], waiting["id"], "-p", waiting["profile"])
    assert text.code == 0, text.err
    assert text.out.splitlines()[0].endswith("  not started")
    elsewhere = cli(still_sim, "runs", "diff", waiting["id"], other["id"], "-p", waiting["profile"])
    assert elsewhere.code == 1 and "--profile-b" in elsewhere.err


def test_a_workflow_with_no_schedule_is_said_so_not_unknown(still_sim: Sim) -> None:
    rows = cli(still_sim, "workflows", "list", "--since", "7d", "-p", "edges-sim", "--json").json()
    bare = next(r for r in rows if not r["triggers"] and r["runs"] and r["workflow_name"])
    wid, name = bare["workflow_id"], bare["workflow_name"]
    by_id = cli(still_sim, "workflows", "pause", wid, "-p", "edges-sim")
    assert by_id.code == 3, by_id.err
    assert f"workflow {wid} has no schedule to pause" in by_id.err
    by_name = cli(still_sim, "workflows", "resume", name.upper(), "-p", "edges-sim", "--json")
    assert by_name.code == 3
    assert f"({wid}) has no schedule to resume" in by_name.json()["error"]["message"]


def test_a_workflow_is_taken_by_its_name_and_a_typo_gets_the_id_meant(still_sim: Sim) -> None:
    items = b3os(still_sim, "/v1/workflows?limit=100")["items"]
    active = next(w for w in items if w["status"] == "active")
    paused = cli(still_sim, "workflows", "pause", active["name"], "-p", "b3os-sim", "--json")
    assert paused.code == 0, paused.err
    assert paused.json()["workflow_id"] == active["id"]
    assert b3os(still_sim, f"/v1/workflows/{active['id']}")["status"] == "paused"
    assert cli(still_sim, "workflows", "resume", active["name"], "-p", "b3os-sim").code == 0
    typo = cli(still_sim, "workflows", "pause", active["name"][:-1] + "#", "-p", "b3os-sim")
    assert typo.code == 1 and f"did you mean {active['id']}" in typo.err


def test_execute_given_a_name_says_the_id_it_meant(still_sim: Sim) -> None:
    wexa = [r for r in cli(still_sim, "runs", "list", "-p", "wexa-sim", "--json").json() if r["workflow"]]
    name, wid = wexa[0]["workflow"], wexa[0]["workflow_id"]
    res = cli(still_sim, "runs", "execute", "-p", "wexa-sim", "-w", name)
    assert res.code == 1 and "not found" in res.err  # the platform's answer, still said
    assert f"did you mean --workflow {wid} ({name})?" in res.err
    known = cli(still_sim, "runs", "execute", "-p", "wexa-sim", "-w", wid, "--json")
    assert known.code == 0 and "hint" not in known.json()


def test_a_workflow_cancel_answered_no_at_a_terminal_sends_nothing(
        still_sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow commands judged "a person at a terminal" with their own copy of the
    rule, which no test could reach: they ask through the run actions' one now."""
    from click.testing import CliRunner

    from runtui import cli_actions
    from runtui.cli import cli as runtui_cli

    key = {"X-API-Key": still_sim.env[KEY_ENV["edges"]]}
    listed = httpx.get(f"{still_sim.url}/edges/v1/flows/schedules?limit=100", headers=key).json()
    uid = next(s["uid"] for s in listed if s["status"] == "ACTIVE")
    monkeypatch.setattr(cli_actions, "interactive", lambda: True)
    answer = CliRunner().invoke(runtui_cli, ["--config", str(still_sim.config_path), "workflows", "cancel",
                                             uid, "-p", "edges-sim"], input="n\n")
    assert answer.exit_code == 5, answer.stderr
    assert "cannot be undone" in answer.stderr and "not sent: answered no" in answer.stderr
    again = httpx.get(f"{still_sim.url}/edges/v1/flows/schedules?limit=100", headers=key).json()
    assert next(s for s in again if s["uid"] == uid)["status"] == "ACTIVE"
