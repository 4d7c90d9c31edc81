"""Snapshot app: the execute form at 80x24 for a B3OS workflow that publishes an input schema."""

from __future__ import annotations

from textual.app import App

from runtui.engine.workspace import Workspace
from runtui.model import StartRequest
from runtui.providers.base import WorkflowInfo
from runtui.tui.screens.execute import ExecuteScreen
from tests.tui.apps.detail_support import CSS_PATH, make_workspace, sample_run


class ExecuteSnapApp(App[None]):
    CSS_PATH = CSS_PATH

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.result: tuple[str, StartRequest] | None = None

    def on_mount(self) -> None:
        self.push_screen(ExecuteScreen(["b3-prod", "wexa-dev"], sample_run(), same_inputs=False))


WORKSPACE, FAKES = make_workspace({"b3-prod": "b3os", "wexa-dev": "wexa"})
FAKES["b3-prod"].workflows["wf_invoice_sync"] = WorkflowInfo(
    id="wf_invoice_sync",
    inputs=({"key": "month", "type": "string", "required": True},
            {"key": "limit", "type": "number", "required": False}),
)
app = ExecuteSnapApp(WORKSPACE)
