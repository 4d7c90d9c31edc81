"""A B3OS run stream from a hostile server: it is an accelerator, never a way to hold
runtui. An endless event is dropped at the size cap, and the reader polls the run; a
stream that goes quiet never keeps the run on an old state."""

from __future__ import annotations

import asyncio
import contextlib
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from runtui.engine.detail import DetailFollower
from runtui.engine.logs import LogFollower
from runtui.engine.workspace import Workspace
from runtui.model import Marker, Status
from runtui.providers import b3os as b3os_mod
from runtui.providers import http as http_mod
from runtui.providers.b3os import B3osProvider
from tests.hostile.conftest import write_b3os_config
from tests.hostile.server import B3_RUN, BOMB_SIZE, KEEPALIVE, HostileServer


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


async def test_a_gzipped_stream_bomb_is_dropped_at_the_size_cap_without_being_inflated(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """Each chunk of a gzipped stream was inflated whole (64 KB read: ~64 MB) before the
    event's size cap saw it."""
    server = hostile("sse_gzip_bomb")
    config = write_b3os_config(tmp_path / "c.toml", {"bomb": server}, defaults="max_answer_mb = 1")
    ws, provider = await provider_of(config, "bomb")
    tracemalloc.start()
    try:
        follower = LogFollower(provider, await provider.get_summary(B3_RUN))
        await follower.read_once()
        await until(lambda: not provider._open_taps[B3_RUN].usable, "the stream to be dropped")
        peak = tracemalloc.get_traced_memory()[1]
        failed = provider._open_taps[B3_RUN].failed
        assert failed is not None and failed.kind == "too-large", failed
        assert peak < 8 * 1_048_576, f"{peak / 1_048_576:.1f} MB held for a 1 MB cap"
        assert server.bomb_sent < BOMB_SIZE // 1000, "it hung up long before the end"
    finally:
        tracemalloc.stop()
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


async def test_logs_follow_a_run_whose_stream_went_quiet_to_its_end(
        hostile: Callable[[str], HostileServer], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`runs logs --follow` stayed on "running" for ever: the stream sent one state, then
    only keep-alives, and the run was never read again."""
    monkeypatch.setattr(b3os_mod, "STREAM_QUIET", 0.3)
    server = hostile("sse_stall")
    ws, provider = await provider_of(write_b3os_config(tmp_path / "c.toml", {"stall": server}), "stall")
    try:
        follower = LogFollower(provider, await provider.get_summary(B3_RUN))
        await follower.read_once()
        await until(lambda: provider._open_taps[B3_RUN].latest is not None, "the stream's one event")
        await follower.read_once()  # from the stream
        server.b3_status = "success"  # the stream says nothing of it
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while not follower.ended and loop.time() < deadline:
            await follower.read_once()
            await asyncio.sleep(0.05)
        assert follower.ended and follower.run.status is Status.SUCCEEDED, follower.run.status
        assert B3_RUN not in provider._open_taps  # the stream was let go with the run
    finally:
        await ws.aclose()


async def follow_detail(provider: B3osProvider, interval: float,
                        updates: list[Status]) -> tuple[DetailFollower, asyncio.Task[None]]:
    run = await provider.get_summary(B3_RUN)
    follower = DetailFollower(provider, run, interval=interval, on_error=lambda exc: None,
                              on_update=lambda detail: updates.append(detail.run.status))
    return follower, asyncio.get_running_loop().create_task(follower.follow())


async def test_the_detail_of_a_run_whose_stream_went_quiet_is_read_each_interval(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """The detail said "▶ running · streaming" minutes after the table showed the run done."""
    server = hostile("sse_stall")
    ws, provider = await provider_of(write_b3os_config(tmp_path / "c.toml", {"stall": server}), "stall")
    updates: list[Status] = []
    follower, task = await follow_detail(provider, 0.3, updates)
    try:
        await until(lambda: Status.RUNNING in updates, "the run shown running")
        server.b3_status = "success"
        await until(lambda: Status.SUCCEEDED in updates, "the end of the run shown", seconds=5.0)
        assert not follower.streamed  # the footer no longer says "streaming"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await ws.aclose()


async def test_ctrl_r_reads_the_run_while_its_stream_is_open(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("sse_stall")
    ws, provider = await provider_of(write_b3os_config(tmp_path / "c.toml", {"stall": server}), "stall")
    updates: list[Status] = []
    follower, task = await follow_detail(provider, 600.0, updates)  # no timed read in this test
    try:
        await until(lambda: Status.RUNNING in updates, "the run shown running")
        reads = server.b3_reads
        server.b3_status = "success"
        follower.refresh_now()  # ctrl+r
        await until(lambda: Status.SUCCEEDED in updates, "the run read now", seconds=3.0)
        assert server.b3_reads == reads + 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await ws.aclose()
