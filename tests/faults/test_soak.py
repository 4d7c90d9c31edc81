"""The TUI under fault injection: responsive, honest about trouble, quick to recover.

The soak's length comes from RUNTUI_SOAK_SECONDS (default 60, the CI size);
docs/security.md shows the long run.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import defaultdict
from pathlib import Path

import pytest

from runtui.engine import watcher as watcher_mod
from runtui.engine.health import Health, HealthState
from runtui.engine.workspace import Workspace
from runtui.providers import http as http_mod
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.widgets.health_bar import HealthBar

from .conftest import SimFactory, wait_for

SOAK_SECONDS = float(os.environ.get("RUNTUI_SOAK_SECONDS", "60"))
KEY_DEADLINE = 2.0  # a key press must be reflected on screen within this
PROFILES = ("b3os-sim", "edges-sim", "wexa-sim")
TROUBLE = (HealthState.ERROR, HealthState.RATE_LIMITED)


def _bar_segments(bar: HealthBar) -> dict[str, str]:
    """The health bar's visible text, one segment per profile."""
    out: dict[str, str] = {}
    for part in bar._last.split(" │ "):
        bits = part.split(" ", 2)
        if len(bits) == 3:
            out[bits[1]] = bits[2]
    return out


@pytest.mark.soak
async def test_tui_stays_responsive_under_30_percent_faults(sims: SimFactory) -> None:
    sim = sims(faults=0.3, speed=25.0, runs=45, spawn_every=4.0, refresh=1.0)
    ws = Workspace.load(sim.config_path)
    app = RuntuiApp(ws, watch=True)
    troubles: dict[str, list[Health]] = defaultdict(list)
    bar_trouble: dict[str, set[str]] = defaultdict(set)
    oks: dict[str, float] = {}

    def record(health: Health) -> None:
        if health.state in TROUBLE:
            troubles[health.profile].append(health)
        elif health.state is HealthState.OK:
            oks[health.profile] = time.monotonic()

    ws.health_listeners.append(record)
    slowest = 0.0
    presses = 0
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        bar = runs.query_one(HealthBar)
        await wait_for(pilot, lambda: runs.table.total_count > 0, timeout=30, what="first rows")

        async def press(*keys: str) -> None:
            nonlocal slowest, presses
            started = time.monotonic()
            await pilot.press(*keys)
            took = time.monotonic() - started
            slowest = max(slowest, took)
            presses += len(keys)
            assert took < KEY_DEADLINE * len(keys), f"keys {keys} took {took:.1f}s"

        async def toggle_active() -> None:
            """A key whose effect is certain: the summary line must say so in time."""
            before = runs.table.active_only
            started = time.monotonic()
            await pilot.press("a")
            while runs.table.active_only == before or (
                    ("active only" in runs.query_one("#summary").render().plain) != runs.table.active_only):
                assert time.monotonic() - started < KEY_DEADLINE, "'a' was not reflected in time"
                await pilot.pause(0.02)

        def all_seen() -> bool:
            return all(troubles[n] and bar_trouble[n] for n in PROFILES)

        soak_end = time.monotonic() + SOAK_SECONDS
        step = 0
        # A short soak runs on (at most 30 s more) until every profile has shown trouble once.
        while time.monotonic() < soak_end or (not all_seen() and time.monotonic() < soak_end + 30):
            step += 1
            assert app._exception is None and app.return_code is None
            for name, text in _bar_segments(bar).items():
                if text.startswith(("error", "rate-limited")):
                    bar_trouble[name].add(text)
            kind = step % 6
            if kind == 0:
                await press("down", "down", "j", "up")
            elif kind == 1:
                await toggle_active()
            elif kind == 2:
                await press("slash", "r", "u", "escape")
                assert runs.table.filter_text == ""
            elif kind == 3 and runs.table.cursor_run is not None:
                await press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), KEY_DEADLINE,
                               "detail to open")
                await press("right_square_bracket", "right_square_bracket")
                await press("escape")
                await wait_for(pilot, lambda: app.screen is runs, KEY_DEADLINE, "detail to close")
            elif kind == 4:
                await press("ctrl+r", "G", "g")
            else:
                await press("pagedown", "s")
            await pilot.pause(0.15)

        # Every profile showed its trouble, with the server's (or our) message.
        for name in PROFILES:
            assert any(h.message for h in troubles[name]), f"{name} never showed trouble"
            assert bar_trouble[name], f"the health bar never showed {name}'s trouble"

        # Faults end: each profile is ok again within one refresh plus what is already scheduled.
        loop = asyncio.get_running_loop()
        sim.faults(0.0)
        ended = time.monotonic()
        # A profile whose last poll (70% of them succeed) was fine is already ok.
        ok_already = {n for n in PROFILES if ws.health[n].state is HealthState.OK}
        now = loop.time()
        budget: dict[str, float] = {}
        for name, w in ws.watchers.items():
            if w.next_poll_at is not None:  # waiting out an interval or a backoff
                scheduled = max(0.0, w.next_poll_at - now)
            else:  # a poll is in flight: its request may sit in a `timeout` hold
                scheduled = http_mod.READ_TIMEOUT.read + 1.0 + watcher_mod.MAX_ERROR_BACKOFF
            budget[name] = scheduled + w.interval + 3.0
        for name in PROFILES:
            await wait_for(pilot, lambda n=name: ws.health[n].state is HealthState.OK,
                           timeout=budget[name], what=f"{name} to recover")
            assert name in ok_already or oks[name] >= ended
        await wait_for(pilot, lambda: all("✘" not in s and "⏳" not in s for s in [bar._last]), 3.0,
                       "the bar to show all ok")
        assert app._exception is None and app.return_code is None
    assert presses > 0 and slowest < KEY_DEADLINE * 4


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


async def test_one_failing_profile_never_blocks_the_others(sims: SimFactory, tmp_path: Path) -> None:
    good = sims(speed=20.0, runs=30, spawn_every=3.0, refresh=0.5, name="good")
    # A second simulator that never answers (every request held until the client gives up).
    hung = sims(faults=1.0, fault_kinds=("timeout",), runs=3, name="hung")
    text = good.config_path.read_text() + f"""
[profiles.dead]
provider = "edges"
base_url = "http://127.0.0.1:{_closed_port()}/edges/v1"
api_key_env = "RUNTUI_SIM_EDGES_KEY"

[profiles.hung]
provider = "edges"
base_url = "{hung.url}/edges/v1"
api_key_env = "RUNTUI_SIM_EDGES_KEY"
"""
    path = tmp_path / "mixed.toml"
    path.write_text(text)
    path.chmod(0o600)
    ws = Workspace.load(path)
    app = RuntuiApp(ws, watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: ws.health.get("dead") is not None
                       and ws.health["dead"].state is HealthState.ERROR, 15, "dead profile error")
        assert "connection failed" in (ws.health["dead"].message or "")
        for name in PROFILES:
            await wait_for(pilot, lambda n=name: ws.health[n].state is HealthState.OK, 15, name)
        # The good profiles keep polling (several times) while `hung` is still stuck in its first.
        polls = {n: ws.watchers[n].polls for n in PROFILES}
        await wait_for(pilot, lambda: all(ws.watchers[n].polls >= polls[n] + 3 for n in PROFILES), 10,
                       "good profiles to keep polling")
        assert ws.watchers["hung"].polls == 1 and ws.watchers["hung"].next_poll_at is None
        assert ws.health["hung"].state is HealthState.LOADING
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        profiles_shown = {r.profile for r in runs.table.visible_runs()}
        assert set(PROFILES) <= profiles_shown
        await pilot.press("down", "a", "a")  # still answering
        assert app._exception is None
