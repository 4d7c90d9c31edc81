"""Snapshot app: the full-screen log of a finished run, read to the end, in UTC."""

from __future__ import annotations

from datetime import UTC

from textual.app import App

from runtui.engine.workspace import Workspace
from runtui.model import Run
from runtui.tui.screens.logs import LogScreen
from tests.tui.apps.detail_support import CSS_PATH
from tests.tui.apps.logs_support import logging_workspace


class LogsSnapApp(App[None]):
    CSS_PATH = CSS_PATH

    def __init__(self, workspace: Workspace, run: Run) -> None:
        super().__init__()
        self.workspace = workspace
        self.log_run = run

    def on_mount(self) -> None:
        self.push_screen(LogScreen(self.log_run, tz=UTC))


WORKSPACE, PROVIDER, RUN = logging_workspace()
app = LogsSnapApp(WORKSPACE, RUN)
