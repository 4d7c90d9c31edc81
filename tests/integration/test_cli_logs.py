"""`runtui runs logs` on the simulated platforms, which publish no log API: their events,
said so on stderr, in text and NDJSON, filtered, and followed until the run ends."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import Sim, run_cli

PROFILE = {"wexa": "wexa-sim", "edges": "edges-sim", "b3os": "b3os-sim"}
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR)\s+\S+ ")


def failed_run(sim: Sim, provider: str) -> dict:  # type: ignore[type-arg]
    res = run_cli(sim, "runs", "list", "-p", PROFILE[provider], "--status", "failed", "--json")
    runs = res.json()
    assert runs, f"the seeded {provider} world has a failed run"
    return runs[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("provider", ["wexa", "edges", "b3os"])
def test_events_as_text_say_there_is_no_log_api(sim: Sim, provider: str) -> None:
    run = failed_run(sim, provider)
    res = run_cli(sim, "runs", "logs", run["id"], "-p", PROFILE[provider])
    assert res.code == 0, res.err
    assert "publishes no log API" in res.err
    lines = [line for line in res.out.splitlines() if not line.startswith(" ")]
    assert lines and all(LINE.match(line) or line.startswith("-") for line in lines), lines
    errors = [line for line in lines if " ERROR " in line]
    assert errors, "a failed run has an ERROR line"
    shown = run_cli(sim, "runs", "show", run["id"], "-p", PROFILE[provider], "--json").json()
    if shown.get("last_error"):
        assert any(shown["last_error"][:30] in line for line in res.out.splitlines())


@pytest.mark.parametrize("provider", ["wexa", "edges", "b3os"])
def test_json_is_one_object_per_line_with_the_stable_keys(sim: Sim, provider: str) -> None:
    run = failed_run(sim, provider)
    res = run_cli(sim, "runs", "logs", run["id"], "-p", PROFILE[provider], "--json")
    assert res.code == 0, res.err
    objects = [json.loads(line) for line in res.out.splitlines()]
    assert objects
    for obj in objects:
        assert {"time", "level", "message", "source"} <= obj.keys()
        assert obj["level"] in {"debug", "info", "warning", "error"}
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids)), "no line twice"


def test_level_filter_keeps_only_loud_lines(sim: Sim) -> None:
    run = failed_run(sim, "b3os")
    res = run_cli(sim, "runs", "logs", run["id"], "-p", "b3os-sim", "--level", "error", "--json")
    levels = {json.loads(line)["level"] for line in res.out.splitlines()}
    assert levels == {"error"}


def test_edges_lists_the_action_runs_behind_the_steps(sim: Sim) -> None:
    done = run_cli(sim, "runs", "list", "-p", "edges-sim", "--status", "succeeded", "--json").json()
    res = run_cli(sim, "runs", "logs", done[0]["id"], "-p", "edges-sim")
    assert "action run completed" in res.out, res.out


def test_a_bad_since_is_a_usage_error(sim: Sim) -> None:
    run = failed_run(sim, "wexa")
    res = run_cli(sim, "runs", "logs", run["id"], "-p", "wexa-sim", "--since", "yesterday-ish")
    assert res.code == 2
    assert "--since" in res.err
    # An age no clock holds (it raised OverflowError, a traceback) is one too.
    res = run_cli(sim, "runs", "logs", run["id"], "-p", "wexa-sim", "--since", "9999999999w")
    assert res.code == 2 and "--since" in res.err and "Traceback" not in res.err


def test_follow_prints_until_the_run_ends_then_exits_0(sim: Sim) -> None:
    running = run_cli(sim, "runs", "list", "-p", "b3os-sim", "--status", "running", "--json").json()
    assert running, "the seeded b3os world has a running run"
    env = {**os.environ, **sim.env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtui", "--config", str(sim.config_path), "runs", "logs",
         running[0]["id"], "-p", "b3os-sim", "--follow"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            sim.tick(120)  # the simulated run moves on; the follower sees it end
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "end of log" in err
    ids = out.splitlines()
    assert ids and len(ids) == len(set(ids)), "each line once"


async def test_a_followed_edges_run_costs_one_request_a_read(sim: Sim) -> None:
    from runtui.engine.logs import LogFollower
    from runtui.engine.workspace import Workspace

    running = sim.find("edges")[0]["id"]
    sim.control("POST", f"/runs/edges/{running}/status", json={"status": "RUNNING"})
    ws = Workspace.load(sim.config_path)
    provider = ws.provider("edges-sim")
    follower = LogFollower(provider, await provider.get_summary(running))  # type: ignore[arg-type]
    await follower.read_once()  # the flow run and its action runs
    sent = provider.http.requests
    for _ in range(5):
        await follower.read_once()
    # The action runs are read again only when the flow run changed (rarely, in 5 quick reads).
    assert provider.http.requests - sent <= 5 + 1
    await ws.aclose()


def test_skipped_nodes_read_in_their_place_not_after_the_end(sim: Sim) -> None:
    """A node skipped after a failure has no time. It was put after every timed line,
    below `run failed`, as if it happened after the end: it now stays after the node
    before it, and the run's end closes the log (followed by its last error, the failed
    node's, when the detail says it)."""
    failed = run_cli(sim, "runs", "list", "-p", "b3os-sim", "--status", "failed", "--json").json()
    for run in failed:
        lines = run_cli(sim, "runs", "logs", run["id"], "-p", "b3os-sim", "--json").json_lines()
        if any(line["time"] is None for line in lines):
            break
    else:
        pytest.fail("the seeded b3os world has a failed run with a skipped node")
    ids = [line["id"] for line in lines]
    end = next(i for i, line_id in enumerate(ids) if line_id.startswith("run:end:"))
    assert ids[end + 1:] in ([], ["run:last_error"]), ids
    times = [line["time"] for line in lines if line["time"] is not None]
    assert times == sorted(times)
    for i, line in enumerate(lines):
        if line["time"] is None:
            assert i > 0 and lines[i - 1]["source"] != "run", "next to the node before it"
    text = run_cli(sim, "runs", "logs", run["id"], "-p", "b3os-sim").out.splitlines()
    assert len(text) == len(lines) and "run failed" in text[end], text
