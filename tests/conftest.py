"""Shared fixtures: an isolated state dir for every test, so the journal never touches $HOME;
and no CLI run in the test process leaves its key-command notice set for the next test."""

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
