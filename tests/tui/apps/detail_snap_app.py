"""Snapshot app: the full-screen detail of a running B3OS run at 80x24, clock frozen, in UTC."""

from __future__ import annotations

from datetime import UTC

from textual.app import App

from runtui.engine.workspace import Workspace
from runtui.tui.screens.detail import DetailScreen
from tests.tui.apps.detail_support import CSS_PATH, frozen_clock, make_workspace, sample_detail


class DetailSnapApp(App[None]):
    CSS_PATH = CSS_PATH

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def on_mount(self) -> None:
        self.push_screen(DetailScreen(DETAIL.run, clock=frozen_clock, tz=UTC))


WORKSPACE, FAKES = make_workspace(refresh=60)
DETAIL = sample_detail()
FAKES["b3-prod"].details[DETAIL.run.id] = DETAIL
app = DetailSnapApp(WORKSPACE)
