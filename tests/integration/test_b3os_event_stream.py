"""B3OS run events while the run is live: from its SSE stream, kept open between the log
follower's reads (no request a tick), then the final state read once; a stream that fails
falls back to reading the run, with a gap line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from runtui.engine.logs import LogFollower
from runtui.engine.workspace import Workspace
from runtui.errors import ProviderError
from runtui.model import Marker, RunDetail
from runtui.providers.b3os import B3osProvider
from tests.integration.conftest import Sim

RUN_ROUTE = "GET /b3os/v1/runs/{run_id}"
STREAM_ROUTE = "GET /b3os/v1/runs/{run_id}/stream"


def routes(sim: Sim) -> dict[str, int]:
    counts: dict[str, int] = sim.control("GET", "/stats")["routes"]
    return counts


async def until(check: object, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not reached: {what}")


async def test_a_live_run_is_followed_on_its_stream_then_read_once_when_it_ends(sim: Sim) -> None:
    run_id = sim.find("b3os", "running")[0]["id"]
    ws = Workspace.load(sim.config_path)
    provider = ws.provider("b3os-sim")
    assert isinstance(provider, B3osProvider)
    run = await provider.get_summary(run_id)
    follower = LogFollower(provider, run)
    sim.control("POST", "/reset-stats")
    await follower.read_once()  # the run read once; its stream opens behind it
    await until(lambda: provider._open_taps[run_id].latest is not None, "the stream's first event")
    for _ in range(5):
        await follower.read_once()
    assert routes(sim).get(RUN_ROUTE, 0) == 1, routes(sim)  # five reads, no request: the stream
    await asyncio.to_thread(sim.tick, 900)  # the simulated run goes on to its end
    for _ in range(200):
        await follower.read_once()
        if follower.ended:
            break
        await asyncio.sleep(0.05)
    assert follower.ended
    counts = routes(sim)
    assert counts.get(RUN_ROUTE, 0) <= 2 and counts.get(STREAM_ROUTE, 0) == 1, counts
    assert follower.buffer.lines.marker(len(follower.buffer) - 1) is Marker.ENDED
    assert provider._open_taps == {}  # the stream was let go with the run
    await ws.aclose()


async def test_a_stream_that_breaks_falls_back_to_reading_the_run_and_says_so(
        sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = sim.find("b3os")[0]["id"]
    sim.control("POST", f"/runs/b3os/{run_id}/status", json={"status": "running"})
    ws = Workspace.load(sim.config_path)
    provider = ws.provider("b3os-sim")
    assert isinstance(provider, B3osProvider)

    async def broken(_run_id: str) -> AsyncIterator[RunDetail]:
        raise ProviderError("connection reset by peer", provider="b3os", kind="network")
        yield  # an async generator that fails at once, as a dropped stream does

    monkeypatch.setattr(provider, "_stream", broken)
    follower = LogFollower(provider, await provider.get_summary(run_id))
    sim.control("POST", "/reset-stats")
    await follower.read_once()
    await until(lambda: not provider._open_taps[run_id].usable, "the stream to fail")
    await follower.read_once()  # polled, with a gap line: lines may have been missed
    await follower.read_once()  # and polled again: no new stream for TAP_RETRY seconds
    markers = [follower.buffer.lines.marker(i) for i in range(len(follower.buffer))]
    assert markers.count(Marker.GAP) == 1
    assert routes(sim).get(RUN_ROUTE, 0) == 3 and run_id not in provider._open_taps
    await ws.aclose()
