"""The engine around a profile's key command: the other profiles' reads go on while it
hangs, and a failed one runs again when a refresh is asked for, not on every poll."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from runtui import key_command
from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.errors import RuntuiError
from tests.integration.conftest import Sim


def with_hung_wexa_profile(sim: Sim, tmp_path: Path) -> Path:
    text = sim.config_path.read_text(encoding="utf-8")
    wexa = text.split("[profiles.wexa-sim]\n")[1].split("\n\n")[0]
    settings = "\n".join(ln for ln in wexa.splitlines() if not ln.startswith("api_key_env"))
    config = tmp_path / "config.toml"
    config.write_text(text + f"\n[profiles.aaa-hung]\n{settings}\napi_key_cmd = \"sleep 30\"\n",
                      encoding="utf-8")
    config.chmod(0o600)
    return config


async def test_tasks_of_the_other_profiles_come_while_a_key_command_hangs(sim: Sim, tmp_path: Path) -> None:
    ws = Workspace.load(with_hung_wexa_profile(sim, tmp_path))
    errors: list[tuple[str, RuntuiError]] = []
    assert ws.task_profiles() == ["aaa-hung", "wexa-sim"]
    ws.show_tasks(True, lambda name, exc: errors.append((name, exc)))
    try:
        deadline = time.monotonic() + 10
        while ws.task_store.count("wexa-sim") == 0:
            assert time.monotonic() < deadline, "wexa-sim's tasks did not come while aaa-hung waits"
            await asyncio.sleep(0.02)
        assert ws.providers["aaa-hung"].http.waits_for_key and errors == []
    finally:
        await ws.aclose()


async def until(cond: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"{what} not met within {timeout}s"
        await asyncio.sleep(0.02)


async def test_a_failed_key_command_runs_again_on_refresh_not_on_every_poll(sim: Sim, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    text = sim.config_path.read_text(encoding="utf-8").replace("refresh_seconds = 2", "refresh_seconds = 0.2")
    config = tmp_path / "config.toml"
    config.write_text(text + f'\n[profiles.fails]\nprovider = "edges"\nbase_url = "{sim.url}/edges/v1"\n'
                      f"api_key_cmd = \"sh -c 'echo ran >> {runs}; exit 1'\"\n", encoding="utf-8")
    config.chmod(0o600)
    key_command.forget()
    ws = Workspace.load(config)

    def times_run() -> int:
        return len(runs.read_text().splitlines()) if runs.exists() else 0

    ws.start_watching()
    try:
        await until(lambda: ws.health["fails"].state is HealthState.CONFIG, "the failure said")
        assert "exit code 1" in (ws.health["fails"].message or "")
        polls = ws.watchers["fails"].polls
        await until(lambda: ws.watchers["fails"].polls >= polls + 2, "two more polls")
        assert times_run() == 1, "the failure is told again, the command not run again"
        ws.refresh_now()  # ctrl+r
        await until(lambda: times_run() == 2, "run again on refresh")
    finally:
        await ws.aclose()
        key_command.forget()
