"""Shared TUI fixtures: a real simulator for pilot tests, and the screenshots/ export hook.

`tui_sim` runs one simulator per test module on 127.0.0.1 with the sim clock almost
stopped (speed 0.001), so runs only change when a test acts on them or ticks the clock.
Tests pick their subjects with `TuiSim.take()`, which never hands out a run twice.

`pytest_sessionfinish` copies every snapshot SVG into screenshots/ with a flat, stable
name, but only after a run with `--snapshot-update` (a plain run never writes there).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp
from textual import events
from textual.app import App
from textual.keys import key_to_character
from textual.pilot import Pilot

from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.sim import SimConfig, SimServer, write_config
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from tests.environment import environment_with
from tests.integration.conftest import Sim

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"
SCREENSHOTS = ROOT / "screenshots"

# snapshot (test module dir, svg stem) -> flat screenshot name; anything else falls back to
# "<module without test_>_<test without test_>.svg", which is stable too.
SCREENSHOT_NAMES: dict[tuple[str, str], str] = {
    ("test_runs_screen", "test_snapshot_runs_120x36"): "runs_120x36.svg",
    ("test_runs_screen", "test_snapshot_runs_80x24"): "runs_80x24.svg",
    ("test_runs_screen", "test_snapshot_filter_80x24"): "runs_filter_80x24.svg",
    ("test_runs_screen", "test_snapshot_confirm_cancel"): "runs_confirm_cancel_120x36.svg",
    ("test_toasts", "test_snapshot_confirm_over_toasts_80x24"): "runs_confirm_toasts_80x24.svg",
    ("test_runs_screen", "test_snapshot_help"): "runs_help_120x36.svg",
    ("test_runs_screen", "test_snapshot_health_config_error"): "runs_health_error_180x30.svg",
    ("test_run_table", "test_run_table_snapshot"): "run_table_120x36.svg",
    ("test_detail", "test_detail_screen_snapshot"): "detail_80x24.svg",
    ("test_execute", "test_execute_form_snapshot"): "execute_80x24.svg",
    ("test_profiles", "test_snapshot_profiles_with_error"): "profiles_error_100x30.svg",
    ("test_profiles", "test_snapshot_welcome"): "welcome_80x24.svg",
    ("test_attention", "test_snapshot_attention[size0]"): "attention_80x24.svg",
    ("test_attention", "test_snapshot_attention[size1]"): "attention_120x36.svg",
    ("test_attention", "test_snapshot_answer_form"): "answer_form_80x24.svg",
    ("test_logs", "test_snapshot_log_view[size0]"): "logs_80x24.svg",
    ("test_logs", "test_snapshot_log_view[size1]"): "logs_200x50.svg",
    ("test_workflows", "test_snapshot_workflows[size0]"): "workflows_80x24.svg",
    ("test_workflows", "test_snapshot_workflows[size1]"): "workflows_200x50.svg",
    ("test_workflows", "test_snapshot_diff[size0]"): "diff_80x24.svg",
    ("test_workflows", "test_snapshot_diff[size1]"): "diff_200x50.svg",
}


def screenshot_name(svg: Path) -> str:
    module, stem = svg.parent.name, svg.stem
    known = SCREENSHOT_NAMES.get((module, stem))
    if known:
        return known
    return f"{module.removeprefix('test_')}_{stem.removeprefix('test_')}.svg"


def export_screenshots(source: Path = SNAPSHOTS, target: Path = SCREENSHOTS) -> list[str]:
    """Copy every snapshot SVG to `target` under its flat name; returns the names written."""
    written: list[str] = []
    if not source.is_dir():
        return written
    target.mkdir(parents=True, exist_ok=True)
    for svg in sorted(source.rglob("*.svg")):
        name = screenshot_name(svg)
        shutil.copyfile(svg, target / name)
        written.append(name)
    return written


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if getattr(session.config.option, "update_snapshots", False):
        export_screenshots()


# ---- waiting ---------------------------------------------------------------------------------


async def wait_for(pilot: Pilot[Any], cond: Callable[[], object], timeout: float = 10.0,
                   what: str = "condition") -> None:
    """Let the app run until `cond()` holds; fails after `timeout` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        await pilot.pause(0.02)
    await pilot.pause()


@asynccontextmanager
async def runs_loaded(config: Path, *, size: tuple[int, int], profiles: int = 3
                      ) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], RunsScreen]]:
    """The real app, watching the simulator, once every profile has loaded its runs."""
    ws = Workspace.load(config)
    app = RuntuiApp(ws)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        screen = app.screen
        assert isinstance(screen, RunsScreen)

        def loaded() -> bool:
            states = [h.state for h in ws.health.values()]
            return len(states) == profiles and all(s is HealthState.OK for s in states) \
                and screen.table.total_count > 0

        await wait_for(pilot, loaded, what="every profile loaded")
        yield app, pilot, screen


# Characters the terminal sends with named keys that Textual's key_to_character does not name.
KEY_CHARACTERS = {"slash": "/", "enter": "\r", "tab": "\t"}


def type_in_one_burst(app: App[Any], *keys: str) -> None:
    """The keys as a terminal read delivers them when typed fast (one read, over SSH):
    all queued on the app at once. `pilot.press` waits for the app to go idle after
    each key, so the second key always found the first one's screen already up.

    Each key carries the character the driver gives it ("/" for slash, none for ctrl+r):
    a key named by its name ("backspace" as its own character) is printable, and a text
    box would take it as text."""
    for key in keys:
        character = KEY_CHARACTERS.get(key) or key_to_character(key)
        app.post_message(events.Key(key, character))


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def grey_contrast(style: Any) -> float:
    """How much lighter a segment's text is than its background, in grey levels (0-255):
    what is left of it once NO_COLOR's filter has turned both into greys."""

    def grey(color: Any) -> float:
        red, green, blue = color.get_truecolor()
        return float(0.2126 * red + 0.7152 * green + 0.0722 * blue)

    return abs(grey(style.color) - grey(style.bgcolor))


def styles_holding(app: App[Any], needle: str) -> list[Any]:
    """The styles of the screen's segments whose text holds `needle`, as the terminal gets
    them (after the line filters)."""
    return [style for strip in app.screen._compositor.render_strips()
            for text, style, _ in strip if needle in text]


def notifications(app: App[Any]) -> list[str]:
    """Every notification still listed, as "title: message"."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


# ---- the simulator ---------------------------------------------------------------------------

SIM_PROFILE = {"wexa": "wexa-sim", "edges": "edges-sim", "b3os": "b3os-sim"}
DONE = {"wexa": "completed", "edges": "SUCCEEDED", "b3os": "success"}


@dataclass
class TuiSim(Sim):
    """The integration `Sim` plus what pilot tests need: subjects, forcing, route counts."""

    used: set[str] = field(default_factory=set)
    server: SimServer | None = None

    def extra(self, provider: str, run_id: str) -> dict[str, Any]:
        """What the simulator keeps about a run beyond its JSON (e.g. the inputs it was given)."""
        assert self.server is not None
        run = self.server.world.store(provider).get(run_id)
        assert run is not None, run_id
        return dict(run.extra or {})

    def runs(self, provider: str, status: str | None = None) -> list[dict[str, Any]]:
        return self.find(provider, status, limit=1000)

    def status(self, provider: str, run_id: str) -> str | None:
        for run in self.runs(provider):
            if run["id"] == run_id:
                return run["status"]  # type: ignore[no-any-return]
        raise KeyError(f"{provider} run {run_id} not in the simulator")

    def ids(self, provider: str) -> set[str]:
        return {r["id"] for r in self.runs(provider)}

    def force(self, provider: str, run_id: str, status: str | None) -> None:
        self.control("POST", f"/runs/{provider}/{run_id}/status", json={"status": status})

    def take(self, provider: str, status: str, *, seeded: bool = False) -> str:
        """A run nobody used yet, in raw `status`: a seeded one if asked and there is one,
        else a finished one forced into that status."""
        if seeded:
            for run in self.runs(provider, status):
                if run["id"] not in self.used:
                    self.used.add(run["id"])
                    return run["id"]  # type: ignore[no-any-return]
        for run in reversed(self.runs(provider, DONE[provider])):  # oldest first: off the top
            if run["id"] not in self.used:
                self.used.add(run["id"])
                self.force(provider, run["id"], status)
                return run["id"]  # type: ignore[no-any-return]
        raise AssertionError(f"no unused {provider} run left to force into {status}")

    def routes(self) -> dict[str, int]:
        return dict(self.control("GET", "/stats")["routes"])

    def count(self, route: str) -> int:
        return self.routes().get(route, 0)

    def catalog(self) -> dict[str, Any]:
        return dict(self.control("GET", "/catalog"))


def start_sim(tmp: Path, *, seed: int, runs: int = 60, refresh: float = 0.5,
              wrap: Callable[[ASGIApp], ASGIApp] | None = None) -> tuple[SimServer, TuiSim]:
    """A simulator on loopback and its config; `wrap` puts a test's ASGI middleware (one that
    watches the requests as the server sees them) around the sim's app."""
    cfg = SimConfig(seed=seed, runs=runs, spawn_every=0, speed=0.001)
    server = SimServer(cfg)
    if wrap is not None:
        server.app = wrap(server.app)  # type: ignore[assignment]
    server.start()
    path = tmp / "config.toml"
    env = write_config(path, server.url, cfg)
    text = path.read_text(encoding="utf-8").replace("refresh_seconds = 2", f"refresh_seconds = {refresh}")
    path.write_text(text, encoding="utf-8")
    return server, TuiSim(server.url, path, env, server=server)


@pytest.fixture(scope="module")
def tui_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TuiSim]:
    server, sim = start_sim(tmp_path_factory.mktemp("tui-sim"), seed=5)
    try:
        with environment_with(sim.env):
            yield sim
    finally:
        server.stop()
