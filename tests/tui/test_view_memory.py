"""The runs view opens as the operator left it: sort, "active only" and profile scope come
back after a restart (a dropped SSH link, a stray `q`); the filter and marks do not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runtui.tui.view_memory import memory_path
from tests.slow_disk import HeldFsync, named_from
from tests.tui.conftest import TuiSim, wait_for
from tests.tui.test_actions_pilot import tui
from tests.tui.test_runs_screen import summary


async def test_sort_active_only_and_profile_come_back_but_not_the_filter(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        assert not memory_path().exists(), "nothing is written while nothing changed"
        await pilot.press("a", "o", "s", "S")
        left = (screen.table.sort_column, screen.table.sort_reverse)
        assert left[0] != "created" and screen.profile_filter is not None
        profile = screen.profile_filter
        await pilot.press("slash", "b", "enter")
        await wait_for(pilot, lambda: memory_path().exists()
                       and json.loads(memory_path().read_text())["sort"] == left[0], what="the view saved")
    async with tui(tui_sim.config_path) as (_app, pilot, screen):
        table = screen.table
        assert (table.sort_column, table.sort_reverse) == left
        assert table.active_only and screen.profile_filter == profile
        assert table.filter_text == "" and "filter" not in summary(screen)
        assert profile in summary(screen)
        assert all(run.profile == profile and not run.status.terminal for run in table.visible_runs())


async def test_keys_are_answered_while_the_view_waits_for_the_disk(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The view is fsynced as every state file is: on a slow disk, made on the event loop,
    that froze the keys after each sort. Saved in a thread, the last sort is what stays."""
    held = HeldFsync(named_from(".view.json."))
    monkeypatch.setattr(os, "fsync", held)
    try:
        async with tui(tui_sim.config_path) as (_app, pilot, screen):
            await pilot.press("s")
            await wait_for(pilot, held.entered.is_set, what="the view's fsync")
            first = screen.table.sort_column
            await pilot.press("s")
            await wait_for(pilot, lambda: screen.table.sort_column != first, what="the next sort")
            assert held.still_held, "the key was answered only after the view's write"
            held.release()
            latest = screen.table.sort_column
            await wait_for(pilot, lambda: memory_path().exists()
                           and json.loads(memory_path().read_text())["sort"] == latest,
                           what="the latest view saved")
    finally:
        held.release()


async def test_an_unreadable_or_stale_memory_opens_the_default_view(tui_sim: TuiSim) -> None:
    path = memory_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    for text in ("\x00\xff not json", json.dumps({"sort": "no-such-column", "reverse": "yes",
                                                  "active_only": 1, "profile": "gone-profile"})):
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        async with tui(tui_sim.config_path) as (_app, _pilot, screen):
            table = screen.table
            assert (table.sort_column, table.sort_reverse, table.active_only) == ("created", True, False)
            assert screen.profile_filter is None and screen.table.visible_count == screen.table.total_count


def test_the_memory_file_is_the_owners_only(tmp_path: Path) -> None:
    from runtui.tui.view_memory import ViewMemory, load_view, save_view

    path = tmp_path / "view.json"
    assert save_view(ViewMemory(sort="status", reverse=False, active_only=True, profile="p"), path)
    assert path.stat().st_mode & 0o077 == 0
    assert load_view(path) == ViewMemory(sort="status", reverse=False, active_only=True, profile="p")
    path.write_bytes(b'{"sort": "status"' + b" " * 5000 + b"}")
    assert load_view(path) == ViewMemory(), "an oversized file is not ours"


def test_an_unwritable_state_dir_is_skipped_not_raised(tmp_path: Path) -> None:
    from runtui.tui.view_memory import ViewMemory, save_view

    blocker = tmp_path / "file"
    blocker.write_text("")
    assert not save_view(ViewMemory(), blocker / "view.json")


@pytest.mark.parametrize("planted", ["link", "stale file"])
def test_a_planted_temp_name_is_neither_followed_nor_in_the_way(tmp_path: Path, planted: str) -> None:
    """The view was written as `view.json.tmp`, then renamed: a link planted under that
    name was followed (the view's JSON replaced whatever file it pointed to), and once
    that was refused, the link stopped every save until someone found and removed it.
    Written as runtui's other state files are (`write_atomic`), the temp file has a fresh
    name, made exclusively: whatever lies under the old name is not followed and blocks
    nothing (and is left as it was: not runtui's to remove)."""
    from runtui.tui.view_memory import ViewMemory, load_view, save_view

    victim = tmp_path / "victim.rc"
    victim.write_text("alias ls='ls -F'\n", encoding="utf-8")
    stale = tmp_path / "view.json.tmp"
    if planted == "link":
        stale.symlink_to(victim)
    else:
        stale.write_text('{"sort": "sta', encoding="utf-8")  # a crash mid-write, long ago
    path = tmp_path / "view.json"
    chosen = ViewMemory(sort="status", active_only=True)
    assert save_view(chosen, path)
    assert load_view(path) == chosen and not path.is_symlink()
    assert path.stat().st_mode & 0o777 == 0o600
    assert victim.read_text(encoding="utf-8") == "alias ls='ls -F'\n"
    assert stale.is_symlink() == (planted == "link")
    assert {p.name for p in tmp_path.iterdir()} == {"victim.rc", "view.json.tmp", "view.json"}


def test_a_link_planted_as_the_memory_file_is_not_written_through(tmp_path: Path) -> None:
    from runtui.tui.view_memory import ViewMemory, save_view

    victim = tmp_path / "victim.rc"
    victim.write_text("alias ls='ls -F'\n", encoding="utf-8")
    (tmp_path / "view.json").symlink_to(victim)
    assert not save_view(ViewMemory(sort="status"), tmp_path / "view.json")
    assert victim.read_text(encoding="utf-8") == "alias ls='ls -F'\n"
    assert (tmp_path / "view.json").is_symlink()
