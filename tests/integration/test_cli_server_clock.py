"""The CLI counts a profile's runs on its server's clock, as the TUI does: a server whose
clock is 15 min ahead (the sim at real speed, ticked: its `Date` says its own clock) showed
its new runs created "in 14m50s", its running ones at a DURATION of 0s, and sorted all of
them above another profile's newer runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from runtui.sim import SimConfig, SimServer
from tests.cli_result import invoke
from tests.integration.conftest import Sim, serve_sim
from tests.integration.test_cli_runs_list import table

AHEAD = 900  # seconds the ticked sim's clock is ahead of this machine's


@pytest.fixture(scope="module")
def ahead(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """A sim 15 min ahead, with the runs it started in those 15 min (one every 20 s)."""
    with serve_sim(SimConfig(seed=5, runs=30, spawn_every=20), tmp_path_factory.mktemp("ahead")) as sim:
        sim.tick(AHEAD)
        yield sim


def seconds_of(text: str) -> int:
    """A duration as `display.duration` writes it (`17s`, `4m05s`, `2h01m`), in seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([dhms])", text)
    assert parts and "".join(n + u for n, u in parts) == text, text
    return sum(int(n) * units[u] for n, u in parts)


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_runs_list_counts_ages_and_durations_on_the_servers_clock(ahead: Sim) -> None:
    before = datetime.now(UTC)
    runs = invoke(ahead.config_path, "runs", "list", "--json").json()
    rows = {row["ID"]: row for row in table(ahead)}
    after = datetime.now(UTC)
    assert not [r for r in rows.values() if r["CREATED"].startswith("in ")], "created in the future"
    running = [r for r in runs if r["status"] == "running" and r["started_at"]]
    assert running, "the sim started runs in its 15 min"
    longest = min(when(r["started_at"]) for r in running)
    assert (before + timedelta(seconds=AHEAD) - longest).total_seconds() > 30, "one has run a while"
    for run in running:
        started = when(run["started_at"])
        # on the server's clock: now there is this machine's now + AHEAD
        low = (before + timedelta(seconds=AHEAD) - started).total_seconds()
        high = (after + timedelta(seconds=AHEAD) - started).total_seconds()
        shown = seconds_of(rows[run["id"]]["DURATION"])
        assert low - 3 <= shown <= high + 3, (run["id"], shown, low, high)
    newest = max(runs, key=lambda r: when(r["created_at"] or r["started_at"]))
    assert rows[newest["id"]]["CREATED"] in {"now", *(f"{n}s ago" for n in range(5, 60))}, rows[newest["id"]]


def test_runs_show_counts_a_running_runs_duration_on_the_servers_clock(ahead: Sim) -> None:
    running = [r for r in invoke(ahead.config_path, "runs", "list", "--json").json()
               if r["status"] == "running" and r["started_at"]]
    run = min(running, key=lambda r: when(r["started_at"]))  # the longest running: not a 0s
    before = datetime.now(UTC)
    shown = invoke(ahead.config_path, "runs", "show", run["id"], "-p", run["profile"])
    after = datetime.now(UTC)
    assert shown.code == 0, shown
    line = next(ln for ln in shown.out.splitlines() if ln.strip().startswith("duration:"))
    seconds = seconds_of(line.split(":", 1)[1].strip())
    started = when(run["started_at"])
    low = (before + timedelta(seconds=AHEAD) - started).total_seconds()
    high = (after + timedelta(seconds=AHEAD) - started).total_seconds()
    assert low > 30, "a run that has run a while"
    assert low - 3 <= seconds <= high + 3, (line, low, high)


def test_the_order_across_profiles_follows_the_times_on_this_machines_clock(
        ahead: Sim, tmp_path: Path) -> None:
    """Two servers' creation times compared as given: every run of the one whose clock is
    15 min ahead sorted above the other's runs of those 15 min, and --limit kept them."""
    with SimServer(SimConfig(seed=5, runs=30, spawn_every=0)) as right:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[profiles.ahead]\nprovider = "edges"\nbase_url = "{ahead.url}/edges/v1"\n'
            'api_key_env = "RUNTUI_SIM_EDGES_KEY"\n'
            f'[profiles.right]\nprovider = "edges"\nbase_url = "{right.url}/edges/v1"\n'
            'api_key_env = "RUNTUI_SIM_EDGES_KEY"\n', encoding="utf-8")
        config.chmod(0o600)
        result = invoke(config, "runs", "list", "--json")
        assert result.code == 0, result
        runs: list[dict[str, Any]] = result.json()
        limited = invoke(config, "runs", "list", "--json", "-n", "10").json()

    def here(run: dict[str, Any]) -> datetime:
        created = when(run["created_at"] or run["started_at"])
        return created - timedelta(seconds=AHEAD if run["profile"] == "ahead" else 0)

    assert {r["profile"] for r in runs} == {"ahead", "right"}
    late = [(a["id"], b["id"]) for a, b in pairwise(runs) if here(b) > here(a) + timedelta(seconds=2)]
    assert late == [], "a newer run (on this machine's clock) sorted below an older one"
    changes = sum(a["profile"] != b["profile"] for a, b in pairwise(runs))
    assert changes > 2, "one order over both profiles"
    assert [r["id"] for r in limited] == [r["id"] for r in runs[:10]]


def test_attention_judges_waits_on_the_servers_clock(ahead: Sim) -> None:
    """`attention` said a run of that server "waits at email-finder, in 2m49s"."""
    result = invoke(ahead.config_path, "attention", "--json")
    assert result.code == 1, result
    waiting = [item["detail"] for item in result.json() if item["reason"] == "waiting"]
    assert waiting, "the sim has runs waiting"
    assert [d for d in waiting if re.search(r"\bin \d", d)] == [], "waiting since a time to come"
    assert any(re.search(r"\d+s ago", d) for d in waiting), waiting
