"""Fixtures: a real simulator on 127.0.0.1 whose clock only moves through /_sim/tick."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from runtui.sim import SimConfig, SimServer

FROZEN = 1e-9  # speed: real time barely moves the sim clock, ticks do


@dataclass
class Sim:
    server: SimServer
    url: str
    ctl: httpx.Client
    wexa: httpx.Client
    edges: httpx.Client
    b3os: httpx.Client
    catalog: dict[str, Any]

    @property
    def project(self) -> str:
        return str(self.catalog["wexa"]["project_id"])

    def tick(self, seconds: float) -> None:
        self.ctl.post("/_sim/tick", json={"seconds": seconds}).raise_for_status()

    def force(self, provider: str, run_id: str, status: str | None) -> None:
        self.ctl.post(f"/_sim/runs/{provider}/{run_id}/status", json={"status": status}).raise_for_status()

    def faults(self, rate: float, *kinds: str) -> None:
        self.ctl.post("/_sim/faults", json={"rate": rate, "kinds": list(kinds)}).raise_for_status()

    def find(self, provider: str, status: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if status is not None:
            params["status"] = status
        found: list[dict[str, Any]] = self.ctl.get(f"/_sim/runs/{provider}", params=params).json()
        return found


def open_sim(config: SimConfig) -> Iterator[Sim]:
    server = SimServer(config)
    url = server.start()
    clients = [
        httpx.Client(base_url=url, timeout=10),
        httpx.Client(base_url=url + "/wexa", headers={"x-api-key": config.keys["wexa"]}, timeout=10),
        httpx.Client(base_url=url + "/edges/v1", headers={"X-API-Key": config.keys["edges"]}, timeout=10),
        httpx.Client(
            base_url=url + "/b3os", headers={"Authorization": f"Bearer {config.keys['b3os']}"}, timeout=10
        ),
    ]
    try:
        catalog = clients[0].get("/_sim/catalog").json()
        ctl, wexa, edges, b3os = clients
        yield Sim(server, url, ctl, wexa, edges, b3os, catalog)
    finally:
        for c in clients:
            c.close()
        server.stop()


@pytest.fixture
def sim() -> Iterator[Sim]:
    yield from open_sim(SimConfig(seed=7, runs=60, speed=FROZEN, spawn_every=0))
