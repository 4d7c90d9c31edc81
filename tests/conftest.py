"""Shared fixtures: an isolated state dir for every test, so the journal never touches $HOME."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(state))
    monkeypatch.delenv("RUNTUI_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return state
