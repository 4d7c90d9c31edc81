"""Every pending Wexa inbox item is read, past the first page of 100, at a bounded cost.

Past 100 pending items the oldest (the longest waits) used to read as a plain pause:
missing from `attention`, and `r` sent a resume the server refuses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from runtui import config as config_mod
from runtui.providers import registry, wexa_inbox
from runtui.providers.capabilities import ListsHumanRequests
from runtui.providers.wexa import WexaProvider
from runtui.sim import SimConfig, SimServer, write_config
from tests.cli_result import invoke

INBOX = 300


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimServer(SimConfig(seed=5, runs=8000, spawn_every=0, inbox=INBOX)) as found:
        yield found


@pytest.fixture
def config_path(server: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "c.toml"
    for name, value in write_config(path, server.url, server.config).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    return path


@pytest.fixture
async def wexa(config_path: Path) -> AsyncIterator[WexaProvider]:
    provider = registry.create(config_mod.load(config_path).profiles["wexa-sim"])
    assert isinstance(provider, WexaProvider) and isinstance(provider, ListsHumanRequests)
    try:
        yield provider
    finally:
        await provider.aclose()


def _pending(server: SimServer) -> list[str]:
    """The runs the server's inbox asks about, oldest first."""
    return [i.execution.id for i in server.world.wexa.inbox.items if i.status == "pending"]


def _inbox_reads(server: SimServer) -> int:
    return int(httpx.get(server.url + "/_sim/stats").json()["routes"].get("GET /wexa/inbox", 0))


async def test_every_pending_item_is_read_the_oldest_too(server: SimServer, wexa: WexaProvider) -> None:
    pending = _pending(server)
    assert len(pending) > wexa_inbox.INBOX_PAGE, "the world has more items than one page"
    read = [r.run_id for r in await wexa.human_requests()]
    assert sorted(read) == sorted(pending)
    assert read[-1] == pending[0], "newest first, down to the longest wait"
    assert wexa.inbox_note() is None


def test_attention_lists_the_longest_waits(server: SimServer, config_path: Path) -> None:
    result = invoke(config_path, "attention", "--json", "-p", "wexa-sim")
    waiting = {i["id"] for i in result.json() if i["reason"] == "waiting"}
    assert set(_pending(server)) <= waiting


async def test_reads_between_deep_reads_cost_one_page(server: SimServer, wexa: WexaProvider) -> None:
    before = _inbox_reads(server)
    await wexa.human_requests()
    first = _inbox_reads(server) - before
    assert first == -(-len(_pending(server)) // wexa_inbox.INBOX_PAGE) + (len(_pending(server)) % 100 == 0)
    for _ in range(3):
        assert len(await wexa.human_requests()) == len(_pending(server))
    assert _inbox_reads(server) - before == first + 3, "then the newest page only, until FULL_EVERY"


async def test_a_deep_item_answered_elsewhere_leaves_at_the_next_deep_read(
        server: SimServer, wexa: WexaProvider, config_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await wexa.human_requests()
    oldest = _pending(server)[0]
    other = registry.create(config_mod.load(config_path).profiles["wexa-sim"])
    try:
        asked = {r.run_id: r for r in await other.human_requests()}  # type: ignore[attr-defined]
        run = (await other.get_run(oldest)).run
        await other.send_answer(run, asked[oldest], approve=True,  # type: ignore[attr-defined]
                                values={"region": "eu", "cap": 10})
    finally:
        await other.aclose()
    assert oldest in {r.run_id for r in await wexa.human_requests()}, "kept until the next deep read"
    monkeypatch.setattr(wexa_inbox, "FULL_EVERY", 0.0)
    assert oldest not in {r.run_id for r in await wexa.human_requests()}
    assert sorted(r.run_id for r in await wexa.human_requests()) == sorted(_pending(server))


async def test_a_long_inbox_is_read_in_parts_and_says_so(
        server: SimServer, wexa: WexaProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wexa_inbox, "PAGES_PER_READ", 2)
    pending = _pending(server)
    first = await wexa.human_requests()
    assert len(first) == 2 * wexa_inbox.INBOX_PAGE
    assert wexa.inbox_note() == "200 inbox items of wexa-sim read, the oldest not yet (read 200 at a time)"
    second = [r.run_id for r in await wexa.human_requests()]
    assert sorted(second) == sorted(pending), "the next read goes on where the first stopped"
    assert wexa.inbox_note() is None


def test_attention_says_what_a_cut_read_left_unread(
        server: SimServer, config_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wexa_inbox, "PAGES_PER_READ", 1)
    result = invoke(config_path, "attention", "-p", "wexa-sim")
    assert "runtui: 100 inbox items of wexa-sim read, the oldest not yet (read 100 at a time)" in result.err
    assert "inbox items" not in result.out


def test_an_inbox_without_a_note_still_counts_as_an_inbox() -> None:
    """A provider (a plugin) that lists requests but says nothing about parts is still
    read as an inbox: the note is a capability apart."""
    from runtui.model import HumanRequest
    from runtui.providers.capabilities import inbox_note

    class Plain:
        async def human_requests(self) -> list[HumanRequest]:
            return []

    assert isinstance(Plain(), ListsHumanRequests)
    assert inbox_note(Plain()) is None


async def test_two_reads_at_once_take_turns(server: SimServer, wexa: WexaProvider) -> None:
    """The attention poll and an answer form's lookup at the same moment: one deep read,
    then the newest page, not two deep reads merging against each other's cursor."""
    import asyncio

    pages = -(-len(_pending(server)) // wexa_inbox.INBOX_PAGE) + (len(_pending(server)) % 100 == 0)
    before = _inbox_reads(server)
    first, second = await asyncio.gather(wexa.human_requests(), wexa.human_requests())
    assert _inbox_reads(server) - before == pages + 1
    assert sorted(r.run_id for r in first) == sorted(r.run_id for r in second) == sorted(_pending(server))
