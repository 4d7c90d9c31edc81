"""Shared fixtures: an isolated state dir for every test, so the journal never touches $HOME;
no CLI run in the test process leaves its key-command notice set for the next test; and
every app draws for a truecolor terminal, whatever terminal the tests run from."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtui import key_command


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(state))
    monkeypatch.delenv("RUNTUI_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(key_command, "on_slow", None)  # a CLI command sets it for its process
    return state


@pytest.fixture(autouse=True)
def _truecolor_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual takes its colour depth from TERM and COLORTERM when an app is made, and on
    16 colours runtui draws with colours of its own (runtui.tui.looks): without this, the
    snapshots would depend on the terminal that ran the tests (a bare TERM=xterm, or none
    in CI, is 16 colours). A test of 16 colours sets them itself."""
    monkeypatch.setenv("COLORTERM", "truecolor")
