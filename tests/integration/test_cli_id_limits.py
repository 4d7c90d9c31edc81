"""Ids that cannot be ids (70,000 characters, empty) are refused before any request:
exit 2, the id shortened in the message, nothing read, sent or journaled."""

from __future__ import annotations

import json

import pytest

from runtui.cli_args import MAX_ID_LENGTH
from runtui.engine.journal import Journal
from tests.integration.conftest import Sim, run_cli

HUGE = "a" * 70_000

COMMANDS = [
    ("runs", "show", HUGE, "-p", "edges-sim"),
    ("runs", "cancel", HUGE, "-p", "edges-sim", "--yes"),
    ("runs", "wait", HUGE, "-p", "edges-sim"),
    ("runs", "logs", HUGE, "-p", "edges-sim"),
    ("runs", "execute", "-p", "edges-sim", "-w", HUGE),
    ("tasks", "show", HUGE, "-p", "wexa-sim"),
    ("attention", "answer", HUGE, "-p", "b3os-sim"),
    ("attention", "ack", HUGE, "-p", "edges-sim"),
    ("workflows", "pause", HUGE, "-p", "edges-sim"),
    ("runs", "diff", HUGE, "x", "-p", "edges-sim"),
]


def _requests(sim: Sim) -> int:
    return int(sim.control("GET", "/stats")["total"])


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_an_id_too_long_is_refused_before_any_request(sim: Sim, args: tuple[str, ...]) -> None:
    before = _requests(sim)  # /_sim routes are not counted
    result = run_cli(sim, *args)
    assert result.code == 2, result.err
    assert "aaaa… (70,000 characters)" in result.err and f"{MAX_ID_LENGTH:,}" in result.err
    assert len(result.err) < 1000, "the id is shortened, not echoed"
    assert _requests(sim) == before, "nothing was read or sent"
    assert list(Journal().entries()) == []


def test_execute_with_a_huge_workflow_id_is_a_json_usage_error_and_not_journaled(sim: Sim) -> None:
    result = run_cli(sim, "runs", "execute", "-p", "edges-sim", "-w", HUGE, "--json")
    assert result.code == 2
    error = result.json()["error"]
    assert error["code"] == 2 and error["kind"] == "usage" and len(error["message"]) < 1000
    assert run_cli(sim, "history", "--json").json() == []


def test_an_id_at_the_limit_is_still_looked_up(sim: Sim) -> None:
    result = run_cli(sim, "runs", "show", "a" * MAX_ID_LENGTH, "-p", "edges-sim")
    assert result.code == 1 and "no run has the id" in result.err


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_id_is_refused(sim: Sim, empty: str) -> None:
    for args in (("runs", "show", empty, "-p", "edges-sim"), ("attention", "ack", empty, "-p", "edges-sim")):
        result = run_cli(sim, *args)
        assert result.code == 2 and "cannot be empty" in result.err, (args, result)


async def test_history_caps_what_one_long_value_can_widen(sim: Sim) -> None:
    """A journal written by an older build may hold a 70,000-character id."""
    journal = Journal()
    entry = await journal.started(profile="edges-sim", provider="edges", run_id=HUGE, action="cancel")
    await journal.finished(entry, outcome="uncertain", message="URL too long", run_id=HUGE)
    await journal.refused(profile="edges-sim", provider="edges", run_id="r-1", action="pause", message="no")
    result = run_cli(sim, "history")
    assert result.code == 0
    assert max(len(line) for line in result.out.splitlines()) < 200
    assert "r-1" in result.out and "aaa…" in result.out
    assert json.loads(run_cli(sim, "history", "--json").out)[0]["run_id"] == HUGE  # JSON keeps it whole


NOT_IDS = ["../x", "a/b", "..", "a\\b"]
WITHOUT_PROFILE = [
    ("runs", "show", "{}"),
    ("runs", "wait", "{}"),
    ("runs", "logs", "{}"),
    ("runs", "cancel", "{}", "--yes"),
    ("runs", "diff", "{}", "x"),
    ("attention", "ack", "{}"),
]


@pytest.mark.parametrize("bad", NOT_IDS)
@pytest.mark.parametrize("args", [*COMMANDS, *WITHOUT_PROFILE], ids=lambda a: " ".join(a[:3]))
def test_an_id_no_platform_has_is_a_usage_error_with_or_without_profile(
        sim: Sim, args: tuple[str, ...], bad: str) -> None:
    """`runs show ../x` without --profile said every profile "could not be read" (exit 1),
    and `runs execute -w ../../x` was sent and journaled as a failed action."""
    before = _requests(sim)
    result = run_cli(sim, *(bad if a in (HUGE, "{}") else a for a in args))
    assert result.code == 2, result
    assert f"invalid id {bad!r}" in result.err
    assert "could not be read" not in result.err
    assert _requests(sim) == before, "nothing was read or sent"
    assert list(Journal().entries()) == []
