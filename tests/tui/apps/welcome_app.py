"""Snapshot app: the welcome screen (no profile yet) at 80x24, under a fixed fake path."""

from __future__ import annotations

from pathlib import Path

from runtui import config as config_mod
from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp

FAKE_PATH = Path("/home/demo/.config/runtui/config.toml")

app = RuntuiApp(Workspace(config_mod.Config(path=FAKE_PATH)), watch=False)
