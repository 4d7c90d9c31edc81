"""`runtui runs wait`: the real command in its own process against the simulator.

Each test starts the command, reads its NDJSON events until the runs are seen,
then moves the runs on the simulator and checks the exit code and the summary.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtui import config as config_mod
from runtui.engine.waiter import RunWaiter
from runtui.providers import registry
from tests.integration.conftest import Sim

PROFILE = "edges-sim"
REFRESH = 0.2


@pytest.fixture(scope="module")
def fast_config(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sim's config with a short refresh, so a status change is seen within ~0.2 s."""
    text = sim.config_path.read_text(encoding="utf-8").replace("refresh_seconds = 2",
                                                                f"refresh_seconds = {REFRESH}")
    path = tmp_path_factory.mktemp("wait") / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


class Waiting:
    """A running `runtui runs wait` and the events it printed so far."""

    def __init__(self, sim: Sim, config: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runtui", "--config", str(config), "runs", "wait", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **sim.env})
        self.events: list[dict[str, Any]] = []

    def read_until(self, predicate: Any, limit: int = 200) -> dict[str, Any]:
        """Events until one matches (each readline blocks until the command prints)."""
        assert self.proc.stdout is not None
        for _ in range(limit):
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"wait ended early: {self.finish()}")
            event: dict[str, Any] = json.loads(line)
            self.events.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"no matching event in {self.events}")

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        for line in out.splitlines():
            self.events.append(json.loads(line))
        return self.proc.returncode, out, err

    @property
    def summary(self) -> dict[str, Any]:
        summaries = [e["summary"] for e in self.events if "summary" in e]
        assert len(summaries) == 1, self.events
        return summaries[0]


@pytest.fixture
def running(sim: Sim) -> Iterator[list[str]]:
    """Three Edges runs forced to RUNNING for this test."""
    ids = [r["id"] for r in sim.find("edges", limit=60)][-3:]
    for run_id in ids:
        sim.control("POST", f"/runs/edges/{run_id}/status", json={"status": "RUNNING"})
    yield ids


def _force(sim: Sim, run_id: str, status: str) -> None:
    sim.control("POST", f"/runs/edges/{run_id}/status", json={"status": status})


def _seen_all(ids: list[str], waiting: Waiting) -> None:
    seen: set[str] = set()
    waiting.read_until(lambda e: seen.add(e.get("id", "")) or set(ids) <= seen)


def test_all_succeeded_exits_0_with_an_event_per_change(sim: Sim, fast_config: Path,
                                                        running: list[str]) -> None:
    waiting = Waiting(sim, fast_config, *running, "-p", PROFILE, "--json", "--timeout", "60")
    _seen_all(running, waiting)
    assert {e["status"] for e in waiting.events} == {"running"}
    for run_id in running:
        _force(sim, run_id, "SUCCEEDED")
    code, _out, err = waiting.finish()
    assert code == 0, err
    finals = {e["id"]: e["status"] for e in waiting.events if "id" in e}
    assert finals == dict.fromkeys(running, "succeeded")
    assert sorted(waiting.summary["succeeded"]) == sorted(running)
    assert set(waiting.events[0]) == {"id", "profile", "status", "raw_status", "time"}


def test_a_failed_or_cancelled_run_exits_1_and_is_named(sim: Sim, fast_config: Path,
                                                        running: list[str]) -> None:
    waiting = Waiting(sim, fast_config, *running, "-p", PROFILE, "--json", "--timeout", "60")
    _seen_all(running, waiting)
    _force(sim, running[0], "SUCCEEDED")
    _force(sim, running[1], "FAILED")
    _force(sim, running[2], "STOPPED")
    code, _out, err = waiting.finish()
    assert code == 1, err
    assert waiting.summary["failed"] == [running[1]]
    assert waiting.summary["cancelled"] == [running[2]]



def test_a_run_read_in_a_status_runtui_does_not_know_is_still_followed(
        sim: Sim, fast_config: Path, running: list[str]) -> None:
    """A read that says RETRYING (a status we map to unknown: new on the platform, or a
    proxy's garbage) is not the end: the run is read again until it ends. It was dropped
    from the reads, and the wait hung long after the run had succeeded."""
    _force(sim, running[0], "RETRYING")
    waiting = Waiting(sim, fast_config, running[0], "-p", PROFILE, "--json", "--timeout", "15")
    waiting.read_until(lambda e: e.get("status") == "unknown")
    _force(sim, running[0], "SUCCEEDED")
    code, _out, err = waiting.finish()
    assert code == 0, err
    assert waiting.summary["succeeded"] == [running[0]]


def test_timeout_exits_4_naming_the_unfinished(sim: Sim, fast_config: Path, running: list[str]) -> None:
    waiting = Waiting(sim, fast_config, running[0], "-p", PROFILE, "--json", "--timeout", "0.5")
    code, _out, err = waiting.finish()
    assert code == 4, err
    assert waiting.summary["timed_out"] is True
    assert waiting.summary["unfinished"] == [running[0]]


def test_human_output_names_the_failed_run(sim: Sim, fast_config: Path, running: list[str]) -> None:
    _force(sim, running[0], "FAILED")
    result = subprocess.run(
        [sys.executable, "-m", "runtui", "--config", str(fast_config), "runs", "wait", running[0],
         "-p", PROFILE], capture_output=True, text=True, timeout=60, env={**os.environ, **sim.env})
    assert result.returncode == 1, result.stderr
    assert f"failed: {running[0]}" in result.stdout
    assert "0 of 1 runs succeeded" in result.stdout


def _b3os_running(sim: Sim) -> str:
    """A B3OS run that had succeeded, forced back to running for this test."""
    run_id: str = sim.find("b3os", "success", limit=60)[-1]["id"]
    sim.control("POST", f"/runs/b3os/{run_id}/status", json={"status": "running"})
    return run_id


def test_a_failed_run_says_why_from_its_listing_or_else_its_detail(
        sim: Sim, fast_config: Path, running: list[str]) -> None:
    """An Edges listing carries a failure's error; a B3OS listing says no more than
    "failed", so the wait reads that run's detail once and names its failed node. The
    summary keys the reasons by id; a run that succeeded has none."""
    b3os = _b3os_running(sim)
    waiting = Waiting(sim, fast_config, running[0], running[1], b3os, "--json", "--timeout", "60")
    _seen_all([running[0], running[1], b3os], waiting)
    _force(sim, running[0], "FAILED")
    _force(sim, running[1], "SUCCEEDED")
    sim.control("POST", f"/runs/b3os/{b3os}/status", json={"status": "failure"})
    code, _out, err = waiting.finish()
    assert code == 1, err
    why = waiting.summary["why_failed"]
    assert sorted(why) == sorted([running[0], b3os]), why
    shown = subprocess.run([sys.executable, "-m", "runtui", "--config", str(fast_config), "runs", "show",
                            running[0], "-p", PROFILE, "--json"], capture_output=True, text=True,
                           timeout=60, env={**os.environ, **sim.env})
    assert why[running[0]] == json.loads(shown.stdout)["last_error"]
    assert why[b3os] != "failed" and ": " in why[b3os], why


def test_human_output_says_why_after_the_failed_run_s_id(sim: Sim, fast_config: Path) -> None:
    b3os = _b3os_running(sim)
    sim.control("POST", f"/runs/b3os/{b3os}/status", json={"status": "failure"})
    result = subprocess.run(
        [sys.executable, "-m", "runtui", "--config", str(fast_config), "runs", "wait", b3os,
         "-p", "b3os-sim", "--json"], capture_output=True, text=True, timeout=60,
        env={**os.environ, **sim.env})
    why = json.loads(result.stdout.splitlines()[-1])["summary"]["why_failed"][b3os]
    result = subprocess.run(
        [sys.executable, "-m", "runtui", "--config", str(fast_config), "runs", "wait", b3os,
         "-p", "b3os-sim"], capture_output=True, text=True, timeout=60, env={**os.environ, **sim.env})
    assert result.returncode == 1, result.stderr
    assert f"failed: {b3os}: {why}" in result.stdout.splitlines()


@pytest.mark.parametrize(("args", "code"), [(["no-such-run", "-p", PROFILE], 1),
                                            (["x", "-p", "no-such-profile"], 2)])
def test_unknown_run_exits_1_as_runs_show_and_unknown_profile_2(sim: Sim, fast_config: Path,
                                                                args: list[str], code: int) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "runtui", "--config", str(fast_config), "runs", "wait", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **sim.env})
    assert result.returncode == code, result.stdout + result.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "runtui", "--config", str(fast_config), "runs", "show", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **sim.env})
    assert shown.returncode == code, shown.stdout + shown.stderr
    assert "no-such" in result.stderr


async def test_waiting_on_many_runs_costs_what_showing_them_costs(sim: Sim, fast_config: Path) -> None:
    """20 waited active runs: a few requests per tick, not one per run per tick."""
    cfg = config_mod.load(fast_config, known_providers=registry.names())
    provider = registry.create(cfg.profiles[PROFILE])
    ids = [r["id"] for r in sim.find("edges", limit=90)][:20]
    for run_id in ids:
        _force(sim, run_id, "RUNNING")
    waiter = RunWaiter({PROFILE: provider}, [(PROFILE, i) for i in ids], interval=lambda _n: 0.05)
    task = asyncio.create_task(waiter.wait(timeout=None))
    try:
        async with asyncio.timeout(30):
            while not waiter.watchers or waiter.watchers[0].polls < 10:
                await asyncio.sleep(0.05)
        watcher = waiter.watchers[0]
        before, polls_before = provider.http.requests, watcher.polls
        async with asyncio.timeout(30):
            while watcher.polls < polls_before + 10:
                await asyncio.sleep(0.05)
        per_poll = (provider.http.requests - before) / (watcher.polls - polls_before)
        assert per_poll <= 3, f"{per_poll} requests per tick for 20 runs"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await provider.aclose()


def test_the_same_run_named_twice_is_waited_on_once(sim: Sim) -> None:
    from runtui.display import short_id
    from tests.integration.conftest import run_cli

    run_id = sim.find("edges", "SUCCEEDED")[0]["id"]
    result = run_cli(sim, "runs", "wait", run_id, run_id, short_id(run_id), "-p", PROFILE)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1] == "1 of 1 runs succeeded" and len(lines) == 2, "one status line, one summary"
    summary = run_cli(sim, "runs", "wait", run_id, run_id, "-p", PROFILE, "--json").json_lines()[-1]
    assert summary["summary"]["succeeded"] == [run_id]


@pytest.mark.parametrize("args", [
    ("runs", "wait", "{ok}", "zzzz-no-such-run", "--json"),
    ("runs", "wait", "zzzz-no-such-run", "-p", PROFILE, "--json"),
    ("runs", "wait", "{ok}", "-p", "no-such-profile", "--json"),
    ("runs", "wait", "{ok}", "--timeout", "-1", "--json"),
    ("runs", "logs", "zzzz-no-such-run", "-p", "b3os-sim", "--json"),
    ("runs", "logs", "{ok}", "--since", "soon", "--json"),
    ("runs", "logs", "{ok}", "--level", "loud", "--json"),
], ids=lambda a: " ".join(a[1:4]))
def test_ndjson_commands_print_their_errors_as_one_line(sim: Sim, args: tuple[str, ...]) -> None:
    """`runs wait --json` and `runs logs --json` are NDJSON: an error object over 8
    indented lines broke `while read line; do jq ...; done`."""
    from tests.integration.conftest import run_cli

    ok = sim.find("edges", "SUCCEEDED")[0]["id"]
    result = run_cli(sim, *(ok if a == "{ok}" else a for a in args))
    assert result.code in (1, 2), result
    lines = result.out.splitlines()
    assert len(lines) == 1, result.out
    error = json.loads(lines[0])["error"]
    assert error["code"] == result.code


def test_runs_show_json_errors_stay_indented_for_people(sim: Sim) -> None:
    from tests.integration.conftest import run_cli

    result = run_cli(sim, "runs", "show", "zzzz-no-such-run", "-p", PROFILE, "--json")
    assert result.code == 1 and len(result.out.splitlines()) > 1
    assert result.json()["error"]["kind"] == "not_found"


def _finished(sim: Sim, count: int, avoid: list[str]) -> list[str]:
    ids = [r["id"] for r in sim.find("edges", "SUCCEEDED", limit=90) if r["id"] not in avoid]
    assert len(ids) >= count, "the sim has too few succeeded Edges runs"
    return ids[:count]


@pytest.mark.parametrize("order", ["finished first", "running first", "four finished first"])
def test_a_finished_run_named_with_a_running_one_waits_for_the_running_one(
        sim: Sim, fast_config: Path, running: list[str], order: str) -> None:
    """Whatever the order of the ids. A wait that named finished runs before a running
    one returned at once with exit 1: the runs not read yet counted as ended, so the
    wait was over as soon as the first ones read had finished."""
    finished = _finished(sim, 4 if order == "four finished first" else 1, running)
    ids = [running[0], *finished] if order == "running first" else [*finished, running[0]]
    waiting = Waiting(sim, fast_config, *ids, "-p", PROFILE, "--json", "--timeout", "2")
    code, _out, err = waiting.finish()
    assert code == 4, err
    assert waiting.summary["timed_out"] is True
    assert waiting.summary["unfinished"] == [running[0]]
    assert sorted(waiting.summary["succeeded"]) == sorted(finished)


def test_a_wait_on_finished_and_running_runs_ends_when_the_running_one_ends(
        sim: Sim, fast_config: Path, running: list[str]) -> None:
    finished = _finished(sim, 1, running)
    waiting = Waiting(sim, fast_config, *finished, running[0], "-p", PROFILE, "--json", "--timeout", "60")
    _seen_all([*finished, running[0]], waiting)
    assert waiting.proc.poll() is None, "the wait ended while a run was still running"
    _force(sim, running[0], "SUCCEEDED")
    code, _out, err = waiting.finish()
    assert code == 0, err
    assert sorted(waiting.summary["succeeded"]) == sorted([*finished, running[0]])


async def test_a_waited_run_that_vanishes_ends_the_wait_as_missing(sim: Sim, fast_config: Path,
                                                                  running: list[str]) -> None:
    """A run the watcher's read answers 404 for (it leaves the store) is reported missing
    (exit 1), not left out of the summary as if there had been nothing to wait for."""
    cfg = config_mod.load(fast_config, known_providers=registry.names())
    provider = registry.create(cfg.profiles[PROFILE])
    waiter = RunWaiter({PROFILE: provider}, [(PROFILE, running[0])], interval=lambda _n: 0.05)
    task = asyncio.create_task(waiter.wait(timeout=30))
    try:
        async with asyncio.timeout(30):
            while not waiter.watchers:
                await asyncio.sleep(0.01)
        known = waiter.store.get((PROFILE, running[0]))
        assert known is not None
        waiter.store.remove([known])  # what the watcher does on a 404
        outcome = await task
    finally:
        await provider.aclose()
    assert outcome.missing == [(PROFILE, running[0])]
    assert not outcome.timed_out and not outcome.all_succeeded


def test_a_run_asking_a_person_reads_as_waiting_as_in_runs_list(sim: Sim, fast_config: Path) -> None:
    """Wexa parks a run that asks a person as `paused`: `runs list` said waiting and `runs
    wait` said paused. Once it ends, it reads as its server says."""
    # Any run, made running: the module's simulator runs on in real time, and on a busy
    # machine its running runs had all ended by the time this test came.
    asking = str(sim.find("wexa")[-1]["id"])
    sim.control("POST", f"/runs/wexa/{asking}/status", json={"status": "running"})
    sim.control("POST", "/wexa/inbox", json={"execution_id": asking, "type": "preview"})
    waiting = Waiting(sim, fast_config, asking, "-p", "wexa-sim", "--json", "--timeout", "30")
    first = waiting.read_until(lambda e: e.get("id") == asking)
    assert (first["status"], first["raw_status"]) == ("waiting", "paused")
    sim.control("POST", f"/runs/wexa/{asking}/status", json={"status": "completed"})
    code, _out, err = waiting.finish()
    assert code == 0, err
    assert [e["status"] for e in waiting.events if e.get("id") == asking][-1] == "succeeded"
