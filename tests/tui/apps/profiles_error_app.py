"""Snapshot app: the profiles screen with one good profile and one in error (100x30).

The config is written to a temp file named config.toml, then shown under a fixed fake
path so the screenshot does not depend on where the test runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp

CONFIG = """\
# my runtui profiles
[profiles.edges-prod]
provider = "edges"
api_key_env = "EDGES_API_KEY"
read_only = true

[profiles.broken]
provider = "nope"
api_key_env = "NOPE_KEY"
"""

FAKE_PATH = Path("/home/demo/.config/runtui/config.toml")


class RunsScreen(Screen[None]):
    """Stand-in for the real runs screen (its table widget is not needed here)."""

    def compose(self) -> ComposeResult:
        yield Static("runs")


class SnapApp(RuntuiApp):
    def open_runs(self) -> None:
        self.push_screen(RunsScreen())


def build() -> SnapApp:
    with tempfile.TemporaryDirectory(prefix="runtui-snap-") as tmp:
        path = Path(tmp) / "config.toml"
        path.write_text(CONFIG, encoding="utf-8")
        path.chmod(0o600)
        workspace = Workspace.load(path)
    workspace.config.path = FAKE_PATH  # nothing on screen depends on where the test runs
    return SnapApp(workspace, watch=False)


app = build()
