"""`runs list` orders and labels runs as the TUI's run table: by creation, newest first.

Its own simulator (the `sim` fixture is per module), so forcing a run's status here
does not disturb the other CLI tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest

from tests.integration.conftest import Sim, run_cli
from tests.integration.json_writes import watch_json_writes


def table(sim: Sim, *args: str) -> list[dict[str, str]]:
    """The `runs list` table as one dict per row, cells cut at the header's columns."""
    res = run_cli(sim, "runs", "list", *args)
    assert res.code == 0, res.err
    header, *rows = res.out.splitlines()
    starts = [(m.group(), m.start()) for m in re.finditer(r"\S+", header)]
    bounds = [(name, start, starts[i + 1][1] if i + 1 < len(starts) else None)
              for i, (name, start) in enumerate(starts)]
    return [{name: row[a:b].strip() for name, a, b in bounds} for row in rows]


def listed(sim: Sim, *args: str) -> list[dict[str, Any]]:
    res = run_cli(sim, "runs", "list", "--json", *args)
    assert res.code == 0, res.err
    runs: list[dict[str, Any]] = res.json()
    return runs


def created(run: dict[str, Any]) -> datetime | None:
    when = run["created_at"] or run["started_at"]
    return None if when is None else datetime.fromisoformat(when)


def test_table_has_a_created_column_not_started(sim: Sim) -> None:
    res = run_cli(sim, "runs", "list")
    assert res.code == 0, res.err
    assert res.out.splitlines()[0].split() == ["PROFILE", "PROVIDER", "ID", "WORKFLOW", "STATUS",
                                               "CREATED", "DURATION", "COST"]


def test_runs_of_all_profiles_are_merged_newest_created_first(sim: Sim) -> None:
    runs = listed(sim)
    times = [t for t in map(created, runs) if t is not None]
    assert len(times) == len(runs), "every sim run has a creation or a start time"
    assert times == sorted(times, reverse=True)
    changes = sum(a["provider"] != b["provider"] for a, b in pairwise(runs))
    assert changes > 2, "one order over all profiles, not one block per profile"
    # The table is in the same order (creation times do not change between the reads).
    rows = table(sim)
    assert [row["ID"] for row in rows] == [r["id"] for r in runs]


def test_created_falls_back_to_started_when_the_server_gives_no_creation_time(sim: Sim) -> None:
    b3os = listed(sim, "-p", "b3os-sim")
    assert b3os and all(r["created_at"] is None and r["started_at"] for r in b3os), \
        "B3OS runs carry only a start time"
    rows = table(sim, "-p", "b3os-sim")
    assert len(rows) == len(b3os) and all(row["CREATED"] for row in rows)


def test_queued_run_that_has_not_started_has_no_duration(sim: Sim) -> None:
    # A held Wexa execution: "ready" (queued), never started, and it stays so.
    run_id = sim.find("wexa", "completed")[0]["id"]
    sim.control("POST", f"/runs/wexa/{run_id}/status", json={"status": "ready"})
    shown = {r["id"]: r for r in listed(sim, "-p", "wexa-sim")}[run_id]
    assert shown["status"] == "queued" and shown["started_at"] is None and shown["created_at"]
    rows = {row["ID"]: row for row in table(sim, "-p", "wexa-sim")}
    assert rows[run_id]["STATUS"] == "○ queued"
    assert rows[run_id]["CREATED"], "its age is in CREATED"
    assert rows[run_id]["DURATION"] == ""
    # The other rows' durations are read from the same column: a running run has one.
    running = [row for row in rows.values() if row["STATUS"] == "▶ running"]
    assert running and all(re.fullmatch(r"\d+[smhd].*", row["DURATION"]) for row in running)


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_a_terminal_encoding_without_the_status_symbols_degrades_instead_of_crashing(
        sim: Sim, encoding: str) -> None:
    """(click itself reads an ASCII stdout as misconfigured and writes UTF-8 to it.)"""
    env = {**os.environ, **sim.env, "PYTHONIOENCODING": encoding}
    result = subprocess.run([sys.executable, "-m", "runtui", "--config", str(sim.config_path),
                             "runs", "list", "-p", "edges-sim", "-n", "20"],
                            capture_output=True, timeout=60, env=env, check=False)
    err = result.stderr.decode(encoding, errors="replace")
    assert result.returncode == 0, err
    assert "Traceback" not in err
    out = result.stdout.decode(encoding if encoding != "ascii" else "utf-8")
    assert out.startswith("PROFILE") and len(out.splitlines()) == 21
    if encoding == "latin-1":
        assert "?" in out  # the symbols the encoding lacks, replaced


def test_a_run_asking_a_person_is_listed_shown_and_filtered_as_waiting(sim: Sim) -> None:
    """Wexa parks an execution that asks a person as `paused`, as a plain pause does: only
    its inbox tells them apart. It reads as waiting (the raw status stays, its actions
    with it), `--status waiting` finds it and `--status paused` does not."""
    asking, plain = (r["id"] for r in sim.find("wexa", "running")[:2])
    sim.control("POST", "/wexa/inbox", json={"execution_id": asking, "type": "preview"})
    sim.control("POST", f"/runs/wexa/{plain}/status", json={"status": "paused"})

    shown = {r["id"]: r for r in listed(sim, "-p", "wexa-sim")}
    assert (shown[asking]["status"], shown[asking]["raw_status"]) == ("waiting", "paused")
    assert (shown[plain]["status"], shown[plain]["raw_status"]) == ("paused", "paused")
    assert {row["ID"]: row["STATUS"] for row in table(sim, "-p", "wexa-sim")}[asking] == "◔ waiting"

    assert [r["id"] for r in listed(sim, "-p", "wexa-sim", "-s", "waiting", "-n", "1")] == [asking]
    paused = {r["id"] for r in listed(sim, "-p", "wexa-sim", "-s", "paused")}
    assert plain in paused and asking not in paused

    detail = run_cli(sim, "runs", "show", asking, "-p", "wexa-sim", "--json")
    assert detail.code == 0, detail.err
    assert (detail.json()["status"], detail.json()["raw_status"]) == ("waiting", "paused")
    item = next(i for i in run_cli(sim, "attention", "--json", "-p", "wexa-sim").json() if i["id"] == asking)
    assert (item["reason"], item["status"], item["raw_status"]) == ("waiting", "waiting", "paused")
    assert {"resume", "cancel"} <= set(item["actions"]), "the actions of a paused execution"


def test_json_is_written_as_the_runs_are_encoded(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 100,000 runs the whole array, built and then encoded at once, peaked at 574 MB:
    the first part is on stdout before the last run is encoded, and the text is still
    `json.dumps` of the whole list, byte for byte."""
    watch = watch_json_writes(monkeypatch)
    res = run_cli(sim, "runs", "list", "--json")
    assert res.code == 0, res.err
    runs = res.json()
    assert len(runs) > 50 and watch.encoded == len(runs)
    assert watch.encoded_at_writes[0] < len(runs), "nothing written before every run was encoded"
    assert res.out == json.dumps(runs, indent=2, ensure_ascii=True) + "\n"
