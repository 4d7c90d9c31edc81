"""CLI answers a script can rely on: usage errors are exit 2, failures name what failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import Sim, run_cli


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def test_tasks_of_a_platform_without_tasks_is_a_usage_error(sim: Sim) -> None:
    result = run_cli(sim, "tasks", "list", "-p", "edges-sim")
    assert result.code == 2 and "Edges has no tasks" in result.err


def test_a_failed_start_names_the_workflow_and_the_servers_reason(sim: Sim) -> None:
    result = run_cli(sim, "runs", "execute", "-p", "edges-sim", "-w", "no-such-flow")
    assert result.code == 1
    assert result.out.startswith("execute workflow no-such-flow: FAILED")
    assert "runtui:" in result.err and len(result.err.strip()) > len("runtui:")
