"""`!` with a Wexa inbox longer than one read: the title says what is not read yet, and
the next reads bring the oldest items (the longest waits) into the queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtui.engine.attention import Reason
from runtui.providers import wexa_inbox
from runtui.sim import SimConfig, SimServer, write_config
from tests.tui.conftest import screen_text, wait_for
from tests.tui.test_actions_pilot import tui
from tests.tui.test_attention import open_attention

INBOX = 300


@pytest.fixture
def long_inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SimServer, Path]]:
    cfg = SimConfig(seed=5, runs=8000, spawn_every=0, speed=0.001, inbox=INBOX)
    with SimServer(cfg) as server:
        path = tmp_path / "config.toml"
        for name, value in write_config(path, server.url, cfg).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
        yield server, path


async def test_the_title_says_what_is_not_read_yet_and_the_oldest_come_next(
        long_inbox: tuple[SimServer, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    server, config = long_inbox
    pending = {i.execution.id for i in server.world.wexa.inbox.items if i.status == "pending"}
    assert len(pending) == INBOX
    monkeypatch.setattr(wexa_inbox, "PAGES_PER_READ", 1)
    async with tui(config) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts = app.alerts
        await open_attention(pilot)
        note = "100 inbox items of wexa-sim read, the oldest not yet (read 100 at a time)"
        await wait_for(pilot, lambda: note in screen_text(app), what="the title's note")

        def asked() -> set[str]:
            return {i.run.id for i in alerts.queue.items.values()
                    if i.reason is Reason.WAITING and i.run is not None and i.profile == "wexa-sim"}

        assert not asked() >= pending, "the first read left the oldest out"
        for _ in range(3):  # each read goes on where the last one stopped
            await wait_for(pilot, lambda: not alerts._polling, what="the last read done")
            alerts.poll()
            await wait_for(pilot, lambda: not alerts._polling, what="this read done")
        assert asked() >= pending, "every inbox item in the queue"
        await wait_for(pilot, lambda: note not in screen_text(app), what="the note gone")


async def test_the_title_says_when_max_runs_cut_a_profiles_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue judges the failures among the runs it holds: where `[defaults] max_runs`
    cut them, its title says so, as `runtui attention` says its own cut."""
    cfg = SimConfig(seed=5, runs=300, spawn_every=0, speed=0.001)
    with SimServer(cfg) as server:
        config = tmp_path / "config.toml"
        for name, value in write_config(config, server.url, cfg).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[defaults]\n", "[defaults]\nmax_runs = 20\n"), encoding="utf-8")
        async with tui(config) as (app, pilot, _screen):
            await open_attention(pilot)
            note = "failures among the newest 20 runs of b3os-sim, edges-sim, wexa-sim ([defaults] max_runs)"
            await wait_for(pilot, lambda: note in screen_text(app), what="the title's note")
