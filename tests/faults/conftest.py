"""Shared helpers for the fault, hostile-input and secrets suite.

`sims` starts real simulators on 127.0.0.1 (each with its own config file and
keys in the environment) and stops them after the test; `cli` runs the real
click command line against a config; `wait_for` polls a condition inside a
Textual `run_test()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtui.sim import SimConfig, SimServer, write_config
from tests.cli_result import CliResult, invoke


@dataclass
class SimHandle:
    server: SimServer
    url: str
    config_path: Path
    env: dict[str, str]
    keys: dict[str, str] = field(default_factory=dict)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, self.url + "/_sim" + path, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def faults(self, rate: float, kinds: list[str] | None = None) -> None:
        body: dict[str, Any] = {"rate": rate}
        if kinds is not None:
            body["kinds"] = kinds
        self.control("POST", "/faults", json=body)

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", "/stats")
        return result

    def routes(self) -> dict[str, int]:
        return dict(self.stats()["routes"])

    def posts(self) -> dict[str, int]:
        return {k: n for k, n in self.routes().items() if k.startswith("POST")}

    def reset_stats(self) -> None:
        self.control("POST", "/reset-stats")

    def find(self, provider: str, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params = {"limit": str(limit)} | ({"status": status} if status is not None else {})
        found: list[dict[str, Any]] = self.control("GET", f"/runs/{provider}", params=params)
        return found

    def force(self, provider: str, run_id: str, status: str | None) -> None:
        self.control("POST", f"/runs/{provider}/{run_id}/status", json={"status": status})

    def subject(self, provider: str, status: str) -> str:
        """Id of the newest run of `provider`, forced into raw `status` (a test subject)."""
        run_id = str(self.find(provider, None, 1)[0]["id"])
        self.force(provider, run_id, status)
        return run_id


SimFactory = Callable[..., SimHandle]


@pytest.fixture
def sims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimFactory]:
    """sims(refresh=2.0, **SimConfig fields) -> a started simulator with its config file."""
    started: list[SimServer] = []

    def start(*, refresh: float | None = None, name: str = "sim", **fields: Any) -> SimHandle:
        fields.setdefault("seed", 11)
        fields.setdefault("spawn_every", 0)
        cfg = SimConfig(**fields)
        server = SimServer(cfg)
        url = server.start()
        started.append(server)
        path = tmp_path / name / "config.toml"
        env = write_config(path, url, cfg)
        if refresh is not None:
            text = path.read_text().replace("refresh_seconds = 2", f"refresh_seconds = {refresh}")
            path.write_text(text)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return SimHandle(server, url, path, env, dict(cfg.keys))

    yield start
    for server in started:
        server.stop()


def run_cli(config_path: Path, *args: str) -> CliResult:
    return invoke(config_path, *args)


async def wait_for(pilot: Any, predicate: Callable[[], object], timeout: float = 10.0,
                   what: str = "condition") -> None:
    """Let the app run until `predicate()` is truthy (raises AssertionError after `timeout`)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.05)


async def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition"
                     ) -> None:
    """The same without a pilot (engine-level tests)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)
