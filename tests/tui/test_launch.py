"""`run_app`: what the app runs under, and what is left as it was afterwards."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from runtui.tui import launch
from runtui.tui.app import RuntuiApp


def test_the_app_runs_with_a_short_switch_interval_and_restores_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's writer thread waits for the GIL with every piece of a frame: while the app
    runs, a thread holds it at most SWITCH_INTERVAL when another asks; the process's own
    setting is back once the app is done, even when it failed."""
    seen: list[float] = []

    def run(app: RuntuiApp) -> None:
        seen.append(sys.getswitchinterval())
        raise RuntimeError("the app failed")

    monkeypatch.setattr(RuntuiApp, "run", run)
    monkeypatch.setattr(launch, "refused_without_terminal", lambda: None)  # (pytest's stdout is no tty)
    before = sys.getswitchinterval()
    assert before != launch.SWITCH_INTERVAL
    with pytest.raises(RuntimeError, match="the app failed"):
        launch.run_app(tmp_path / "config.toml")
    assert seen == [launch.SWITCH_INTERVAL]
    assert sys.getswitchinterval() == before
