"""Each outage of a platform is news, and so is its end: on a simulator stopped and started
again on the same port, as an operator saw it over a long session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runtui import display
from runtui.engine.attention import TROUBLE_AFTER, Reason
from runtui.engine.health import HealthState
from runtui.sim.config import SimConfig
from runtui.sim.server import SimServer, write_config
from runtui.tui import alerts
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp
from tests.tui.conftest import TuiSim, runs_loaded, wait_for
from tests.tui.test_actions_pilot import tui

PROFILES = ("wexa-sim", "edges-sim", "b3os-sim")


@dataclass
class Platform:
    """A simulator that can go down and come back on the same address."""

    config: SimConfig
    server: SimServer
    config_path: Path
    notified: Path  # what the `[notify]` command was given, a file an event

    def down(self) -> None:
        self.server.stop()

    def up(self) -> None:
        self.server = SimServer(self.config, port=self.server.port)
        self.server.start()

    def events(self) -> list[dict[str, object]]:
        texts = [path.read_text(encoding="utf-8") for path in self.notified.iterdir()]
        return [json.loads(text) for text in texts if text.endswith("}")]  # written whole


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    cfg = SimConfig(seed=11, runs=20, spawn_every=0, speed=0.001)
    server = SimServer(cfg)
    server.start()
    config = tmp_path / "config.toml"
    for key, value in write_config(config, server.url, cfg).items():
        monkeypatch.setenv(key, value)
    notified = tmp_path / "notified"
    notified.mkdir()
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\ncat > "$(mktemp -p "{notified}")"\n', encoding="utf-8")
    hook.chmod(0o700)
    text = config.read_text(encoding="utf-8").replace("refresh_seconds = 2", "refresh_seconds = 0.5")
    config.write_text(text + f'\n[notify]\ncommand = "{hook}"\nmin_interval_seconds = 0\n', encoding="utf-8")
    config.chmod(0o600)
    running = Platform(cfg, server, config, notified)
    try:
        yield running
    finally:
        running.server.stop()


def said(app: RuntuiApp, words: str) -> list[str]:
    """What `M` lists that holds `words`."""
    return [f"{m.title}: {m.text}" for m in app.messages if words in f"{m.title}: {m.text}"]


async def test_every_outage_is_told_and_so_is_the_return(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a profile's first outage was ever told: the event's key named the profile and
    was remembered for the session, so later outages put the items back in the queue with
    no toast, no line in `M` and no `[notify]` command; nothing said a profile was back."""
    monkeypatch.setattr(alerts, "TOAST_SPACING_SECONDS", 0.5)
    async with runs_loaded(platform.config_path, size=(120, 36)) as (app, pilot, _screen):
        alerts_ = app.alerts
        assert alerts_ is not None
        ws = app.workspace
        # Trouble is news once a profile has failed for TROUBLE_AFTER: the app's clock is ahead
        # (by more in the second outage: it lasted longer, and its return says so).
        ahead = [TROUBLE_AFTER]
        monkeypatch.setattr(tui_clock, "now", lambda: datetime.now(UTC) + ahead[0])

        def all_down() -> bool:
            return all(ws.health[p].state is HealthState.ERROR for p in PROFILES)

        def troubled() -> set[str]:
            return {i.profile for i in alerts_.queue.items.values() if i.reason is Reason.PROFILE}

        def outage_events() -> list[object]:
            return [e["profile"] for e in platform.events() if e.get("reason") == "profile"]

        def back_events() -> list[object]:
            return [e["profile"] for e in platform.events() if e.get("event") == "back"]

        for outage in (1, 2):
            ahead[0] += timedelta(seconds=10)
            platform.down()
            await wait_for(pilot, all_down, timeout=20, what=f"outage {outage} seen")
            alerts_.tick()
            await wait_for(pilot, lambda: troubled() == set(PROFILES), what="profile trouble")
            await wait_for(pilot, lambda n=outage: all(len(said(app, f"{p}: error")) == n for p in PROFILES),
                           what=f"outage {outage} in M")
            await wait_for(pilot, lambda n=outage: sorted(outage_events()) == sorted(PROFILES * n),
                           what=f"outage {outage} given to the notify command")
            alerts_.tick()  # the same outage judged again is not news again
            await pilot.pause(0.3)
            assert all(len(said(app, f"{p}: error")) == outage for p in PROFILES)
            platform.up()
            ws.refresh_now()
            await wait_for(pilot, lambda: not troubled(), timeout=30, what=f"back after outage {outage}")
            await wait_for(pilot, lambda n=outage: all(len(said(app, f"{p} answers again after ")) == n
                                              for p in PROFILES), what=f"the return {outage} in M")
            await wait_for(pilot, lambda n=outage: sorted(back_events()) == sorted(PROFILES * n),
                           what=f"return {outage} given to the notify command")


async def test_a_run_that_waits_again_after_an_answer_is_news_again(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that waits, is answered and waits again asks for a person again: its second
    wait was never told (the same key as the first, remembered for the session)."""
    monkeypatch.setattr(alerts, "TOAST_SPACING_SECONDS", 0.5)
    monkeypatch.setattr(RuntuiApp, "NOTIFICATION_TIMEOUT", 0.5)  # the first toast is gone by then
    run_id = tui_sim.take("edges", "RUNNING")
    key = ("edges-sim", run_id)
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        alerts_ = app.alerts
        assert alerts_ is not None
        short = display.short_id(run_id)

        def waiting() -> bool:
            item = alerts_.queue.items.get(key)
            return item is not None and item.reason is Reason.WAITING

        def told() -> int:
            return len(said(app, short))

        for wait in (1, 2):
            tui_sim.force("edges", run_id, "BLOCKED")
            app.workspace.refresh_now()  # a sweep reads it now, not in 30 s
            await wait_for(pilot, waiting, what=f"wait {wait}")
            later = datetime.now(UTC) + timedelta(seconds=alerts.WAITING_SETTLE * wait + 1)
            monkeypatch.setattr(tui_clock, "now", lambda later=later: later)
            alerts_._settle()
            await wait_for(pilot, lambda n=wait: told() == n, what=f"wait {wait} told")
            alerts_._settle()  # the same wait settled again is not news again
            await pilot.pause(0.3)
            assert told() == wait
            tui_sim.force("edges", run_id, "RUNNING")  # answered
            app.workspace.refresh_now()
            await wait_for(pilot, lambda: not waiting(), what=f"answer {wait}")
