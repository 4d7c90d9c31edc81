"""A journal on a disk that fails: full, read-only, a state path that is a file.

An action whose "started" line cannot be written is not sent, and said so in one line
(the CLI exits 2); one whose outcome cannot be written is shown as it went, with a
warning. Lines are written whole, on a line of their own, and `history -n` reads the
journal from its end, in bounded memory.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtui import display
from runtui.engine import journal as journal_mod
from runtui.engine.control import Controller
from runtui.engine.journal import Journal, default_path
from runtui.engine.workspace import Workspace
from runtui.errors import StateUnusable
from runtui.model import Action
from runtui.providers.edges import EdgesProvider
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.answer import AnswerScreen
from tests.tui.conftest import runs_loaded, screen_text

from .conftest import SimFactory, SimHandle, run_cli, wait_for
from .test_actions import FROZEN, _open_on, capture_notes
from .test_answer_not_sent import _asking, _typed
from .test_journal import RUN, lines, provider

PAUSE_ROUTE = "POST /wexa/execute_flow/{execution_id}/pause"


def _disk_full_at(monkeypatch: pytest.MonkeyPatch, phase: str) -> None:
    """The disk fills up just as a `phase` line ("started", "finished") is written."""
    real = os.write

    def write(fd: int, data: Any) -> int:
        if f'"phase":"{phase}"'.encode() in bytes(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(journal_mod.os, "write", write)


def _state_is_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    state = tmp_path / "statefile"
    state.write_text("hi\n")
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(state))
    return state


@pytest.fixture
def read_only_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real read-only state directory (root ignores mode bits: a read-only tmpfs)."""
    state = tmp_path / "ro"
    state.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(state)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {mounted.stderr.decode().strip()}")
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(state))
    try:
        yield state
    finally:
        subprocess.run(["umount", str(state)], check=True)


# ---- the engine ------------------------------------------------------------------------


def _cancelled_on_post(monkeypatch: pytest.MonkeyPatch) -> tuple[EdgesProvider, list[str]]:
    """An Edges provider whose server answers every request with `RUN` stopped, and the
    paths of the POSTs it was sent: whether the cancel went out."""
    posts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request.url.path)
        return httpx.Response(200, json={"uid": RUN.id, "status": "STOPPED"})

    return provider(monkeypatch, handler), posts


async def test_a_start_the_journal_cannot_record_is_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    prov, posts = _cancelled_on_post(monkeypatch)
    _disk_full_at(monkeypatch, "started")
    controller = Controller(Journal())
    with pytest.raises(StateUnusable) as raised:
        await controller.act(prov, RUN, Action.CANCEL)
    assert str(raised.value) == (f"not sent: cannot write the journal {default_path()}: "
                                 "No space left on device")
    assert posts == [] and not controller.is_busy(RUN)
    await prov.aclose()


async def test_an_outcome_the_journal_cannot_record_is_still_returned_and_told(
        monkeypatch: pytest.MonkeyPatch) -> None:
    prov, posts = _cancelled_on_post(monkeypatch)
    journal = Journal()
    told: list[str] = []
    journal.on_unrecorded = told.append
    _disk_full_at(monkeypatch, "finished")
    result = await Controller(journal).act(prov, RUN, Action.CANCEL)
    assert result.ok and len(posts) == 1
    assert told == [f"the journal could not record the outcome of cancel {RUN.id}: cannot write "
                    f"the journal {journal.path}: No space left on device"]
    await prov.aclose()


async def test_short_writes_still_write_whole_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk filling up takes part of a write: the rest is written, never dropped."""
    real = os.write
    monkeypatch.setattr(journal_mod.os, "write", lambda fd, data: real(fd, bytes(data)[:7]))
    journal = Journal()
    await journal.refused(profile="p", provider="edges", run_id="r-1", action="pause", message="no")
    monkeypatch.undo()
    assert [r["phase"] for r in lines(journal.path)] == ["started", "finished"]
    assert [(e.run_id, e.outcome) for e in journal.entries()] == [("r-1", "refused")]


async def test_a_torn_last_line_does_not_swallow_the_next_record() -> None:
    """A full disk cut a line short; the next action's record was glued onto it and lost
    from `history` (a resume that worked disappeared)."""
    journal = Journal()
    await journal.refused(profile="p", provider="edges", run_id="r-pause", action="pause", message="no")
    with journal.path.open("a") as fh:
        fh.write('{"id":"a6aca748e6ab",')  # torn: no end of line
    await journal.refused(profile="p", provider="edges", run_id="r-resume", action="resume", message="no")
    assert [e.run_id for e in journal.entries()] == ["r-pause", "r-resume"]
    assert journal.unreadable == 1


async def test_an_outcome_with_no_start_is_counted_as_unreadable() -> None:
    journal = Journal()
    await journal.refused(profile="p", provider="edges", run_id="r-1", action="pause", message="no")
    with journal.path.open("a") as fh:
        fh.write('{"id":"orphan123456","phase":"finished","outcome":"ok"}\n')
    assert [e.run_id for e in journal.entries()] == ["r-1"]
    assert journal.unreadable == 1


def test_history_n_reads_the_end_of_a_big_journal_in_bounded_memory(tmp_path: Path) -> None:
    """`history -n 50` of a 100 MB journal took 475 MB: the whole file was read and decoded."""
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    record = ('{{"id":"{i:012d}","phase":"started","time":"2026-12-06T10:00:00+00:00","profile":"p",'
              '"provider":"edges","run_id":"r-{i}","action":"pause"}}\n'
              '{{"id":"{i:012d}","phase":"finished","time":"2026-12-06T10:00:01+00:00",'
              '"outcome":"ok","message":"{pad}"}}\n')
    with path.open("w") as fh:
        for start in range(0, 40_000, 1000):
            fh.write("".join(record.format(i=i, pad="x" * 200) for i in range(start, start + 1000)))
    assert path.stat().st_size > 15_000_000
    tracemalloc.start()
    try:
        entries = Journal().entries(limit=50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [e.run_id for e in entries] == [f"r-{i}" for i in range(39_950, 40_000)]
    assert all(e.outcome == "ok" for e in entries)
    assert peak < 2_000_000, f"peak {peak} bytes"
    shown = run_cli(tmp_path / "none.toml", "history", "-n", "2", "--json")
    assert shown.code == 0 and [e["run_id"] for e in shown.json()] == ["r-39998", "r-39999"]


async def test_a_line_too_long_to_be_a_record_is_counted_in_bounded_memory() -> None:
    journal = Journal()
    await journal.refused(profile="p", provider="edges", run_id="r-1", action="pause", message="no")
    with journal.path.open("a") as fh:
        fh.write("z" * 3_000_000 + "\n")
    await journal.refused(profile="p", provider="edges", run_id="r-2", action="pause", message="no")
    tracemalloc.start()
    try:
        entries = list(journal.entries())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [e.run_id for e in entries] == ["r-1", "r-2"] and journal.unreadable == 1
    assert peak < 2_000_000, f"peak {peak} bytes"


# ---- the CLI ---------------------------------------------------------------------------


def _running_wexa(sims: SimFactory) -> tuple[SimHandle, str]:
    sim = sims(speed=FROZEN, runs=30)
    run_id = sim.subject("wexa", "running")
    sim.reset_stats()
    return sim, run_id


def _status(sim: SimHandle, run_id: str) -> str:
    return next(str(r["status"]) for r in sim.find("wexa", None, 200) if r["id"] == run_id)


def test_cli_history_and_actions_on_a_state_path_that_is_a_file(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sim, run_id = _running_wexa(sims)
    state = _state_is_a_file(monkeypatch, tmp_path)
    said = f"the state directory {state} is not a directory"
    history = run_cli(sim.config_path, "history")
    assert history.code == 2 and said in history.err and "Traceback" not in history.err
    paused = run_cli(sim.config_path, "runs", "pause", run_id, "-p", "wexa-sim")
    assert paused.code == 2, paused.err
    assert paused.err.strip() == (f"runtui: not sent: cannot write the journal {state / 'journal.jsonl'}: "
                                  f"{said}")
    assert sim.posts() == {} and _status(sim, run_id) == "running"
    as_json = run_cli(sim.config_path, "runs", "pause", run_id, "-p", "wexa-sim", "--json").json()
    assert as_json["error"]["kind"] == "state" and as_json["error"]["code"] == 2


def test_cli_history_when_the_journal_is_a_directory(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sim, run_id = _running_wexa(sims)
    (tmp_path / "st4" / "journal.jsonl").mkdir(parents=True)
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "st4"))
    history = run_cli(sim.config_path, "history")
    assert history.code == 2 and "Traceback" not in history.err
    assert "it is a directory, not a file" in history.err
    paused = run_cli(sim.config_path, "runs", "pause", run_id, "-p", "wexa-sim")
    assert paused.code == 2 and "not sent: cannot write the journal" in paused.err
    assert sim.posts() == {}


def test_cli_action_on_a_read_only_state_dir_is_not_sent(
        sims: SimFactory, read_only_state: Path) -> None:
    sim, run_id = _running_wexa(sims)
    paused = run_cli(sim.config_path, "runs", "pause", run_id, "-p", "wexa-sim")
    assert paused.code == 2, paused.err
    assert paused.err.strip() == (f"runtui: not sent: cannot write the journal "
                                  f"{read_only_state / 'journal.jsonl'}: Read-only file system")
    assert sim.posts() == {} and _status(sim, run_id) == "running"


def test_cli_action_on_a_full_disk_exits_by_its_outcome_and_warns(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pause went out and took effect; the journal's failure to record it printed a
    traceback, exit 1, and a second pause was refused: the operator could not tell."""
    sim, run_id = _running_wexa(sims)
    _disk_full_at(monkeypatch, "finished")
    paused = run_cli(sim.config_path, "runs", "pause", run_id, "-p", "wexa-sim")
    assert paused.code == 0, paused.err
    assert f"pause {run_id}: ok" in paused.out
    assert paused.err.strip() == (f"runtui: warning: the journal could not record the outcome of "
                                  f"pause {run_id}: cannot write the journal {default_path()}: "
                                  "No space left on device")
    assert sim.posts() == {PAUSE_ROUTE: 1} and _status(sim, run_id) == "paused"


def test_cli_action_when_the_start_cannot_be_written_is_not_sent(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, run_id = _running_wexa(sims)
    _disk_full_at(monkeypatch, "started")
    paused = run_cli(sim.config_path, "runs", "pause", run_id, "-p", "wexa-sim")
    assert paused.code == 2, paused.err
    assert "not sent: cannot write the journal" in paused.err and "No space left on device" in paused.err
    assert sim.posts() == {} and _status(sim, run_id) == "running"


# ---- the TUI ---------------------------------------------------------------------------


def _said(notes: list[tuple[str, str, str]], words: str) -> Callable[[], bool]:
    return lambda: any(words in message for _, message, _ in notes)


async def test_tui_says_the_state_dir_at_start_and_refuses_an_action_without_dying(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sim, run_id = _running_wexa(sims)
    state = _state_is_a_file(monkeypatch, tmp_path)
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("wexa-sim", run_id))
        start = f"no action can be sent: the state directory {state} is not a directory"
        assert [(t, s) for t, m, s in notes if m == start] == [("journal", "error")], notes
        await pilot.press("p")
        await wait_for(pilot, _said(notes, "not sent: cannot write the journal"), 10, "the refusal")
        await wait_for(pilot, lambda: not runs.table.pending, 10, "the row free again")
        assert app.is_running and app.return_code is None
        assert not runs.ws.controller.in_flight and sim.posts() == {}
        assert (f"pause {display.short_id(run_id)}", "error") in [(t, s) for t, _, s in notes]


async def test_tui_warns_when_the_outcome_of_a_sent_action_cannot_be_recorded(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, run_id = _running_wexa(sims)
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_on(pilot, app, ("wexa-sim", run_id))
        _disk_full_at(monkeypatch, "finished")
        await pilot.press("p")
        await wait_for(pilot, _said(notes, "pause sent"), 10, "the outcome")
        await wait_for(pilot, _said(notes, "could not record the outcome of pause"), 10, "the warning")
        assert app.is_running and sim.posts() == {PAUSE_ROUTE: 1}
        warning = next((t, s) for t, m, s in notes if "could not record" in m)
        assert warning == ("journal", "warning")


async def test_tui_answer_not_journaled_stays_in_the_form(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sim = sims(speed=FROZEN, runs=30)
    run_id = _asking(sim)
    async with runs_loaded(sim.config_path, size=(120, 36)) as (app, pilot, _screen):
        form, region = await _typed(pilot, run_id)
        _state_is_a_file(monkeypatch, tmp_path)
        app.workspace.journal.path = default_path()  # the state dir broke while the app ran
        sim.reset_stats()
        await pilot.press("f2")
        await wait_for(pilot, lambda: "not sent: cannot write the journal" in screen_text(app), 15,
                       "why, in the form")
        assert app.screen is form and isinstance(form, AnswerScreen) and region.value == "eu"
        assert app.is_running and sim.posts() == {}
