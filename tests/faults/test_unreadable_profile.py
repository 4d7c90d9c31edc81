"""Commands without `--profile` while one stored profile cannot be read (500s, a closed
port, a wrong key), against real simulators on loopback.

A read (`runs wait`, `runs show`) of a run found in a healthy profile goes on and names
the unreadable profile on stderr; an id found nowhere readable is "not found" (exit 1)
saying where it may be; an action refuses (exit 2) and sends nothing, since the same id
might be in the profile it could not read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from runtui.cli_ids import IdNotFound, read_summary, resolve
from runtui.display import short_id
from runtui.engine.workspace import Workspace
from runtui.model import Kind
from runtui.sim.config import KEY_ENV

from .conftest import SimFactory, SimHandle, run_cli

FROZEN = 1e-9  # the sim's clock barely moves: runs keep their state during the test
WRONG_KEY = "wrong-key-9f3c1d"  # must never be printed
R = TypeVar("R")


def with_profiles(good: SimHandle, tmp_path: Path, **extra: tuple[str, str]) -> Path:
    """`good`'s config plus Edges profiles NAME=(base URL, key variable)."""
    text = good.config_path.read_text()
    for name, (url, key_env) in extra.items():
        text += (f'\n[profiles.{name.replace("_", "-")}]\nprovider = "edges"\nbase_url = "{url}"\n'
                 f'api_key_env = "{key_env}"\n')
    path = tmp_path / "mixed.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture
def good(sims: SimFactory) -> SimHandle:
    return sims(name="good", speed=FROZEN, runs=30, refresh=0.2)


@pytest.fixture
def failing(sims: SimFactory) -> SimHandle:
    """A second account whose every answer is a 500."""
    sim = sims(name="failing", seed=5, speed=FROZEN, runs=30)
    sim.faults(1.0, ["500"])
    return sim


@pytest.fixture
def with_failing(good: SimHandle, failing: SimHandle, tmp_path: Path) -> Path:
    return with_profiles(good, tmp_path, edges_other=(failing.url + "/edges/v1", KEY_ENV["edges"]))


@pytest.fixture
def with_locked(good: SimHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A profile whose key the server refuses (401: not worth another try)."""
    monkeypatch.setenv("RUNTUI_TEST_WRONG_KEY", WRONG_KEY)
    return with_profiles(good, tmp_path, edges_locked=(good.url + "/edges/v1", "RUNTUI_TEST_WRONG_KEY"))


@pytest.mark.parametrize(("status", "code"), [("SUCCEEDED", 0), ("FAILED", 1)])
def test_wait_goes_on_with_runs_found_while_another_profile_fails(
        good: SimHandle, with_failing: Path, status: str, code: int) -> None:
    run_id = good.subject("edges", status)
    res = run_cli(with_failing, "runs", "wait", run_id, "--json", "--timeout", "30")
    assert res.code == code, res.out + res.err
    summary = res.json_lines()[-1]["summary"]
    assert summary[status.lower()] == [run_id] and summary["exit_code"] == code
    assert "warning: profile edges-other could not be read" in res.err
    assert "HTTP 500" in res.err


def test_wait_takes_a_short_id_past_a_closed_port(good: SimHandle, tmp_path: Path) -> None:
    config = with_profiles(good, tmp_path, edges_closed=("http://127.0.0.1:9/v1", KEY_ENV["edges"]))
    run_id = good.subject("edges", "SUCCEEDED")
    res = run_cli(config, "runs", "wait", short_id(run_id), "--timeout", "30")
    assert res.code == 0, res.err
    assert res.out.splitlines()[-1] == "1 of 1 runs succeeded"
    assert "warning: profile edges-closed could not be read" in res.err


def test_a_run_found_nowhere_readable_exits_1_naming_where_it_may_be(good: SimHandle,
                                                                   with_locked: Path) -> None:
    found = good.subject("edges", "SUCCEEDED")
    res = run_cli(with_locked, "runs", "wait", found, "zz-nowhere", "--json")
    assert res.code == 1, res.out + res.err
    error = res.json()["error"]
    assert error["kind"] == "not_found" and error["code"] == 1
    assert error["unreadable"] == ["edges-locked"]
    assert "'zz-nowhere'" in error["message"]
    assert "may be in a profile that could not be read" in error["message"]
    assert found not in error["message"]  # the run that was found is not the one missing
    human = run_cli(with_locked, "runs", "wait", "zz-nowhere")
    assert human.code == 1
    assert "edges-locked" in human.err and "401" in human.err
    shown = run_cli(with_locked, "runs", "show", "zz-nowhere", "--json")
    assert shown.code == 1 and shown.json()["error"]["unreadable"] == ["edges-locked"]
    for said in (res.out, res.err, human.out, human.err, shown.out, shown.err):
        assert WRONG_KEY not in said


def test_wait_rides_out_a_failing_profile_that_alone_may_hold_the_run(
        good: SimHandle, failing: SimHandle, with_failing: Path) -> None:
    """Found nowhere else, the failing profile gets the patience of the wait's own reads."""
    run_id = failing.subject("edges", "SUCCEEDED")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtui", "--config", str(with_failing), "runs", "wait", run_id,
         "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        said = proc.stderr.readline()  # blocks until the command reports the failed read
        assert "edges-other" in said and "500" in said and "trying again" in said, said
        failing.faults(0.0)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, said + err
    assert out.splitlines()[-1] == "1 of 1 runs succeeded"
    assert "edges-other" in out  # waited on where it was found


def test_an_action_refuses_when_another_profile_cannot_be_read(good: SimHandle, with_failing: Path) -> None:
    run_id = good.subject("wexa", "running")
    before = good.posts()
    for ref in (run_id, short_id(run_id)):  # found by GET, and by listing
        res = run_cli(with_failing, "runs", "pause", ref, "--json")
        assert res.code == 2, res.out
        error = res.json()["error"]
        assert error["kind"] == "unsearchable"
        assert error["matches"] == [f"wexa-sim/{run_id}"] and error["unreadable"] == ["edges-other"]
        assert "--profile wexa-sim" in error["message"]
    nowhere = run_cli(with_failing, "runs", "cancel", "zz-nowhere")
    assert nowhere.code == 1 and "edges-other" in nowhere.err
    assert good.posts() == before  # nothing was sent
    shown = run_cli(with_failing, "runs", "show", short_id(run_id), "--json")
    assert shown.code == 0 and shown.json()["id"] == run_id
    assert "edges-other" in shown.err
    paused = run_cli(with_failing, "runs", "pause", run_id, "-p", "wexa-sim", "--json")
    assert paused.code == 0, paused.out
    assert sum(good.posts().values()) == sum(before.values()) + 1  # named, it goes, once


def test_an_id_in_two_readable_profiles_is_still_ambiguous_beside_an_unreadable_one(
        good: SimHandle, failing: SimHandle, tmp_path: Path) -> None:
    config = with_profiles(good, tmp_path, edges_again=(good.url + "/edges/v1", KEY_ENV["edges"]),
                           edges_other=(failing.url + "/edges/v1", KEY_ENV["edges"]))
    run_id = good.subject("edges", "SUCCEEDED")
    res = run_cli(config, "runs", "wait", run_id, "--json")
    assert res.code == 2, res.out
    error = res.json()["error"]
    assert error["kind"] == "ambiguous"
    assert sorted(error["matches"]) == [f"edges-again/{run_id}", f"edges-sim/{run_id}"]


def test_logs_and_diff_read_past_a_failing_profile(good: SimHandle, with_failing: Path) -> None:
    a, b = (good.subject("edges", status) for status in ("SUCCEEDED", "FAILED"))
    logs = run_cli(with_failing, "runs", "logs", short_id(a), "--json")
    assert logs.code == 0, logs.out
    assert "warning: profile edges-other could not be read" in logs.err
    diff = run_cli(with_failing, "runs", "diff", a, b, "--json")
    assert diff.code == 0, diff.out
    assert diff.json()["a"]["id"] == a and diff.json()["b"]["id"] == b
    assert diff.err.count("warning: profile edges-other") == 1  # once, for both ids


async def test_a_failing_profile_gets_another_try_only_when_the_id_is_nowhere_else(
        good: SimHandle, with_failing: Path) -> None:
    """A run found in a healthy profile is not delayed by the failing one's retries; an
    id found nowhere readable gives only the failing profile another (patient) search."""
    retried: list[str] = []

    async def retry(profile: str, read: Callable[[], Awaitable[R]]) -> R:
        retried.append(profile)
        return await read()

    run_id = good.subject("edges", "SUCCEEDED")
    ws = Workspace.load(with_failing)
    try:
        found = await resolve(ws, run_id, Kind.RUN, read_summary, reads_only=True, retry=retry)
        assert (found.profile, found.full_id) == ("edges-sim", run_id)
        assert list(found.unread) == ["edges-other"] and "500" in found.unread["edges-other"]
        assert retried == []
        with pytest.raises(IdNotFound) as missing:
            await resolve(ws, "zz-nowhere", Kind.RUN, read_summary, reads_only=True, retry=retry)
        assert list(missing.value.unreadable) == ["edges-other"]
        assert retried == ["edges-other"]  # its one GET, which still fails: no listing
        assert "searched b3os-sim, edges-sim, wexa-sim" in str(missing.value)
    finally:
        await ws.aclose()


@pytest.mark.parametrize("args", [("zz-nowhere",), ("zz-nowhere", "-p", "edges-closed"),
                                  ("{found}", "zz-nowhere")], ids=["all", "closed", "one-found"])
def test_wait_timeout_bounds_the_lookup_past_a_closed_port(good: SimHandle, tmp_path: Path,
                                                           args: tuple[str, ...]) -> None:
    """`runs wait zzzz --timeout 1` took ~26 s with a profile on a closed port: each read
    was retried 1, 2, 4, 8 s apart outside the timeout. It now ends at the timeout, exit 4,
    naming the ids it was still looking up."""
    config = with_profiles(good, tmp_path, edges_closed=("http://127.0.0.1:9/v1", KEY_ENV["edges"]))
    found = good.subject("edges", "SUCCEEDED")
    named = [found if a == "{found}" else a for a in args]
    started = time.monotonic()
    res = run_cli(config, "runs", "wait", *named, "--timeout", "1.5", "--json")
    took = time.monotonic() - started
    assert res.code == 4, res.out + res.err
    assert took < 5, f"took {took:.1f} s with --timeout 1.5"
    summary = res.json_lines()[-1]["summary"]
    assert summary["timed_out"] is True and summary["exit_code"] == 4
    # The found run may still be in its lookup (the closed port's own retries take ~2 s):
    # each id is either read (and its status told) or named as still looked up.
    assert "zz-nowhere" in summary["unresolved"]
    ids = [a for a in named if a not in ("-p", "edges-closed")]
    assert sorted(summary["unresolved"] + summary["succeeded"]) == sorted(ids)
    assert "timed out after 1.5 s looking up " in res.err and "'zz-nowhere'" in res.err


def test_wait_timeout_covers_the_first_reads_of_the_waited_runs(good: SimHandle, tmp_path: Path) -> None:
    """Found, then its server fails every read: the first reads ride it out, within --timeout."""
    run_id = good.subject("edges", "RUNNING")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtui", "--config", str(good.config_path), "runs", "wait", run_id,
         "-p", "edges-sim", "--timeout", "3", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        good.faults(1.0, ["500"])
        started = time.monotonic()
        out, err = proc.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        proc.kill()
        good.faults(0.0)
    assert proc.returncode == 4, out + err
    assert took < 8, f"took {took:.1f} s with --timeout 3"
    assert json.loads(out.splitlines()[-1])["summary"]["timed_out"] is True
