"""A journal on a slow disk: an fsync of 10-100 ms (an NFS home, a busy laptop) froze every
key while the journal was written on the event loop. It is written in a thread of its own:
keys are answered meanwhile, and the action still goes out only once its line is on disk.
"""

from __future__ import annotations

import asyncio
import errno
import os
import time
from collections.abc import Iterator

import httpx
import pytest

from runtui.engine.control import Controller
from runtui.engine.journal import Journal
from runtui.engine.workspace import Workspace
from runtui.errors import NotAllowed
from runtui.model import Action
from runtui.tui.app import RuntuiApp
from tests.slow_disk import HeldFsync, the_file

from .conftest import SimFactory, wait_for
from .test_actions import _open_on, capture_notes
from .test_journal import RUN, lines, provider
from .test_journal_disk import PAUSE_ROUTE, _running_wexa, _said


@pytest.fixture
def held_fsync(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldFsync]:
    held = HeldFsync(the_file(Journal().path))
    monkeypatch.setattr(os, "fsync", held)
    try:
        yield held
    finally:
        held.release()  # never leave the writer thread waiting


async def test_keys_are_answered_while_the_journal_waits_for_the_disk(
        sims: SimFactory, held_fsync: HeldFsync) -> None:
    sim, run_id = _running_wexa(sims)
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("wexa-sim", run_id))
        sim.reset_stats()
        await pilot.press("p")
        await wait_for(pilot, held_fsync.entered.is_set, 10, "the journal's fsync")
        await pilot.press("down")
        await wait_for(pilot, lambda: runs.table.cursor_key != ("wexa-sim", run_id), 5,
                       "the cursor moved by a key")
        assert held_fsync.still_held, "the key was answered only after the journal's write"
        assert sim.posts() == {}, "sent before its journal line was on disk"
        held_fsync.release()
        await wait_for(pilot, lambda: sim.posts() == {PAUSE_ROUTE: 1}, 10, "the pause sent")
        await wait_for(pilot, lambda: [r["phase"] for r in lines(app.workspace.journal.path)]
                       == ["started", "finished"], 10, "the outcome journaled")


async def test_a_second_action_while_the_journal_waits_is_refused_as_busy(
        monkeypatch: pytest.MonkeyPatch, held_fsync: HeldFsync) -> None:
    """The run is busy from before the journal's write: with the write awaited, a second
    action on the same run came through the gate while the first was being journaled."""
    posts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request.url.path)
        return httpx.Response(200, json={"uid": RUN.id, "status": "STOPPED"})

    prov = provider(monkeypatch, handler)
    controller = Controller(Journal())
    first = asyncio.create_task(controller.act(prov, RUN, Action.CANCEL))
    assert await asyncio.to_thread(held_fsync.entered.wait, 10), "the journal's fsync"
    with pytest.raises(NotAllowed, match="in flight"):
        await controller.act(prov, RUN, Action.CANCEL)
    assert posts == []
    held_fsync.release()
    assert (await first).ok
    assert len(posts) == 1 and not controller.is_busy(RUN)
    await prov.aclose()


async def test_a_start_whose_fsync_fails_is_not_sent(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, run_id = _running_wexa(sims)
    is_journal = the_file(Journal().path)
    real = os.fsync

    def failing(fd: int) -> None:
        if is_journal(fd):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    app = RuntuiApp(Workspace.load(sim.config_path), watch=True)
    notes = capture_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        runs = await _open_on(pilot, app, ("wexa-sim", run_id))
        await pilot.press("p")
        await wait_for(pilot, _said(notes, "not sent: cannot write the journal"), 10, "the refusal")
        await wait_for(pilot, lambda: not runs.table.pending, 10, "the row free again")
        assert not runs.ws.controller.in_flight and sim.posts() == {}
        assert any("Input/output error" in message for _, message, _ in notes), notes


async def test_an_action_cancelled_while_its_start_is_written_is_journaled_as_not_sent(
        monkeypatch: pytest.MonkeyPatch, held_fsync: HeldFsync) -> None:
    """Quitting while the "started" line waits for the disk: the line is written all the
    same, and its end says nothing was sent (not "no outcome recorded", which an auditor
    must read as "it may have gone out")."""
    posts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posts.append(request.url.path)
        return httpx.Response(200, json={"uid": RUN.id, "status": "STOPPED"})

    prov = provider(monkeypatch, handler)
    journal = Journal()
    controller = Controller(journal)
    action = asyncio.create_task(controller.act(prov, RUN, Action.CANCEL))
    assert await asyncio.to_thread(held_fsync.entered.wait, 10), "the journal's fsync"
    action.cancel()
    with pytest.raises(asyncio.CancelledError):
        await action
    assert not controller.is_busy(RUN)
    held_fsync.release()
    deadline = time.monotonic() + 10
    while len(lines(journal.path)) < 2 and time.monotonic() < deadline:  # poll until written
        await asyncio.sleep(0.02)
    assert posts == []
    assert [(e.run_id, e.outcome, e.message) for e in journal.entries()] == [
        (RUN.id, "refused", "not sent: interrupted while the journal was written")]
    await prov.aclose()
