"""Shared by the profiles snapshot apps: a config written to a temp file, then shown under
a fixed fake path so the screenshot does not depend on where the test runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp

FAKE_PATH = Path("/home/demo/.config/runtui/config.toml")


class RunsScreen(Screen[None]):
    """Stand-in for the real runs screen (its table widget is not needed here)."""

    def compose(self) -> ComposeResult:
        yield Static("runs")


class SnapApp(RuntuiApp):
    def open_runs(self) -> None:
        self.push_screen(RunsScreen())


def build(config: str) -> SnapApp:
    with tempfile.TemporaryDirectory(prefix="runtui-snap-") as tmp:
        path = Path(tmp) / "config.toml"
        path.write_text(config, encoding="utf-8")
        path.chmod(0o600)
        workspace = Workspace.load(path)
    workspace.config.path = FAKE_PATH  # nothing on screen depends on where the test runs
    return SnapApp(workspace, watch=False)
