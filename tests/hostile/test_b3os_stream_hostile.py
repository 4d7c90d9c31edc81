"""A B3OS run stream from a hostile server: it is an accelerator, never a way to hold
runtui. An endless event is dropped at the size cap, and the reader polls the run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from runtui.engine.logs import LogFollower
from runtui.engine.workspace import Workspace
from runtui.model import Marker
from runtui.providers import http as http_mod
from runtui.providers.b3os import B3osProvider
from tests.hostile.conftest import write_b3os_config
from tests.hostile.server import B3_RUN, KEEPALIVE, HostileServer


async def until(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not reached in {seconds:g} s: {what}")
        await asyncio.sleep(0.02)


async def provider_of(config: Path, name: str) -> tuple[Workspace, B3osProvider]:
    ws = Workspace.load(config)
    provider = ws.provider(name)
    assert isinstance(provider, B3osProvider)
    return ws, provider


async def test_an_event_that_never_ends_is_dropped_at_the_size_cap_and_the_run_polled(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("sse_flood")
    config = write_b3os_config(tmp_path / "c.toml", {"flood": server}, defaults="max_answer_mb = 1")
    ws, provider = await provider_of(config, "flood")
    try:
        follower = LogFollower(provider, await provider.get_summary(B3_RUN))
        await follower.read_once()  # the run read once; its stream opens behind it
        await until(lambda: not provider._open_taps[B3_RUN].usable, "the stream to be dropped")
        failed = provider._open_taps[B3_RUN].failed
        assert failed is not None and failed.kind == "too-large", failed
        # runtui hung up near the cap: the server's socket buffers hold the rest, not runtui.
        assert server.streamed < 16 * 1_048_576, server.streamed
        reads = server.b3_reads
        await follower.read_once()
        assert server.b3_reads == reads + 1  # polled from here on
        lines = [(follower.buffer.lines.marker(i), follower.buffer.lines.message(i))
                 for i in range(len(follower.buffer))]
        gaps = [text for marker, text in lines if marker is Marker.GAP]
        assert len(gaps) == 1 and "larger than 1 MB" in gaps[0], lines
    finally:
        await ws.aclose()


async def test_a_stream_silent_past_the_read_gap_is_dropped(
        hostile: Callable[[str], HostileServer], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_mod, "STREAM_READ_GAP", KEEPALIVE / 4)  # keep-alives come too late
    server = hostile("sse_stall")
    ws, provider = await provider_of(write_b3os_config(tmp_path / "c.toml", {"stall": server}), "stall")
    try:
        follower = LogFollower(provider, await provider.get_summary(B3_RUN))
        await follower.read_once()
        await until(lambda: not provider._open_taps[B3_RUN].usable, "the stream to be dropped")
        failed = provider._open_taps[B3_RUN].failed
        assert failed is not None and failed.kind == "timeout", failed
    finally:
        await ws.aclose()
