"""What screens may ask of the app, typed, without importing the app.

Screens are pushed by the app, so a screen that imported `RuntuiApp` (even only
for a `cast`) would close an import circle app -> screen -> app. They cast
`self.app` to this protocol instead (Posting's typed-app pattern, minus the
circle); `RuntuiApp` satisfies it, which mypy checks in `runtui.tui.app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from runtui.demo import Demo
    from runtui.engine.store import Key
    from runtui.engine.workspace import Workspace
    from runtui.model import Run
    from runtui.tui.alerts import Alerts
    from runtui.tui.answering import Answers


class AppHost(Protocol):
    workspace: Workspace
    watched: set[Key]  # runs whose end is announced (`w`)
    demo: Demo | None  # the welcome screen's simulator, when started
    alerts: Alerts | None  # the attention queue, once the runs list shows
    answers: Answers  # `r` on a run that waits for a person (runtui.tui.answering)

    def open_runs(self) -> None:
        """Show the runs screen (first time: start watching)."""

    def copy_id(self, text: str) -> str:
        """Copy a run id to every clipboard there is; returns where it went, in words."""

    def control_run(self, name: str, run: Run) -> None:
        """A run key pressed outside the runs list (the detail screen): act on `run` as
        the list does, asking first where the list asks."""
