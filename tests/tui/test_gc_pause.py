"""The `runtui` command keeps the cyclic GC paused through the first load, never for good.

Start-up pauses the collector (runtui.startup); the app keeps it paused while the first
listing loads, then collects and freezes what start-up and the load built, and lets it
run once every profile has loaded, or after GC_LOAD_PAUSE at most. Nothing is collected
before then: not between the first frame and the first rows.
"""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtui import startup
from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.tui import app as app_mod
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from tests.tui.conftest import TuiSim, wait_for

SIM_PROFILES = ("b3os-sim", "edges-sim", "wexa-sim")


@pytest.fixture
def paused_gc() -> Iterator[None]:
    """As `runtui` starts: the collector off, nothing frozen yet; on again whatever the
    test did."""
    gc.unfreeze()
    startup.pause_gc()
    try:
        yield
    finally:
        startup.resume_gc()
        gc.enable()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers: a profile there stays loading."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def config(sim: TuiSim, tmp: Path, extra: str = "") -> Path:
    path = tmp / "config.toml"
    path.write_text(sim.config_path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    path.chmod(0o600)
    return path


def silent_profile(port: int) -> str:
    return f"""
[profiles.edges-silent]
provider = "edges"
base_url = "http://127.0.0.1:{port}/edges/v1"
api_key_env = "RUNTUI_SIM_EDGES_KEY"
"""


def loaded(app: RuntuiApp, names: tuple[str, ...]) -> bool:
    health = app.workspace.health
    return all(n in health and health[n].state is not HealthState.LOADING for n in names)


async def test_the_collector_runs_again_once_every_profile_has_loaded(
        tui_sim: TuiSim, tmp_path: Path, paused_gc: None) -> None:
    app = RuntuiApp(Workspace.load(config(tui_sim, tmp_path)))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        await wait_for(pilot, lambda: loaded(app, SIM_PROFILES), what="first load")
        await wait_for(pilot, gc.isenabled, what="collector running after the first load")
        assert gc.get_freeze_count() > 0  # what start-up and the load built is out of its sight


async def test_a_load_that_does_not_end_pauses_the_collector_only_for_a_while(
        tui_sim: TuiSim, tmp_path: Path, paused_gc: None, silent_port: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_mod, "GC_LOAD_PAUSE", 60.0)
    app = RuntuiApp(Workspace.load(config(tui_sim, tmp_path, silent_profile(silent_port))))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: loaded(app, SIM_PROFILES), what="the sim's profiles")
        await pilot.pause()
        assert app.workspace.health["edges-silent"].state is HealthState.LOADING
        assert not gc.isenabled()  # the first load is not over
        assert gc.get_freeze_count() == 0  # nor collected: that waits for its end

    monkeypatch.setattr(app_mod, "GC_LOAD_PAUSE", 0.2)
    startup.pause_gc()
    app = RuntuiApp(Workspace.load(config(tui_sim, tmp_path, silent_profile(silent_port))))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, gc.isenabled, what="collector running after GC_LOAD_PAUSE")
        assert app.workspace.health["edges-silent"].state is HealthState.LOADING
        assert gc.get_freeze_count() > 0  # start-up and what loaded so far: out of its sight
