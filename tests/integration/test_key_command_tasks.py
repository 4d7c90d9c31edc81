"""Tasks are read for every task profile while one of them waits on a hung key command."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

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
