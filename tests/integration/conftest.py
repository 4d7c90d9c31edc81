"""A real simulator on 127.0.0.1 and a config pointing at it, shared by a module's tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from runtui.sim import SimConfig, SimServer, write_config
from tests.cli_result import CliResult, invoke
from tests.environment import environment_with


@dataclass
class Sim:
    url: str
    config_path: Path
    env: dict[str, str]

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, self.url + "/_sim" + path, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def find(self, provider: str, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params = {"limit": str(limit)} | ({"status": status} if status is not None else {})
        result: list[dict[str, Any]] = self.control("GET", f"/runs/{provider}", params=params)
        return result

    def posts(self) -> int:
        routes = self.control("GET", "/stats")["routes"]
        return sum(n for key, n in routes.items() if key.startswith("POST"))

    def tick(self, seconds: float) -> None:
        self.control("POST", "/tick", json={"seconds": seconds})


@contextlib.contextmanager
def serve_sim(cfg: SimConfig, tmp: Path,
              wrap: Callable[[SimServer], ASGIApp] | None = None) -> Iterator[Sim]:
    """A simulator on loopback, its config in `tmp`, its keys in the environment meanwhile;
    `wrap` puts a test's ASGI middleware around the sim's app (it gets the server, whose
    world a middleware may change as a request comes in)."""
    server = SimServer(cfg)
    if wrap is not None:
        server.app = wrap(server)  # type: ignore[assignment]
    with server:
        path = tmp / "config.toml"
        env = write_config(path, server.url, cfg)
        with environment_with(env):
            yield Sim(server.url, path, env)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    with serve_sim(SimConfig(seed=11, runs=90, spawn_every=0), tmp_path_factory.mktemp("sim")) as found:
        yield found


Result = CliResult


def run_cli(sim: Sim, *args: str) -> CliResult:
    return invoke(sim.config_path, *args)
