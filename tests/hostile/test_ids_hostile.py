"""Listed runs whose ids no request can name (`../../admin`, a 10 KB id): left out where they
are parsed, so they are never a row that cannot be read and never the profile's health."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runtui.engine.health import HealthState
from runtui.engine.store import RunStore
from runtui.engine.watcher import ProfileWatcher
from runtui.engine.workspace import Workspace
from tests.cli_result import invoke
from tests.fakes import make_run
from tests.hostile.conftest import write_config
from tests.hostile.server import UNADDRESSABLE, HostileServer


def test_runs_list_leaves_out_runs_no_request_can_name(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", {"evil": hostile("badids")})
    listed = invoke(config, "runs", "list", "--json")
    assert listed.code == 0, listed.err
    assert [r["id"] for r in listed.json()] == ["my-own-run"]


async def test_an_unaddressable_run_never_turns_the_profile_red(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """It was listed, then no longer: the watcher read it by id, refused its own request,
    and "invalid id" became the profile's health for good, polling backing off."""
    server = hostile("badids")
    ws = Workspace.load(write_config(tmp_path / "c.toml", {"evil": server}))
    store = RunStore()
    watcher = ProfileWatcher("evil", ws.provider("evil"), store, interval=2.0, full_interval=30)
    try:
        await watcher.poll_once(0.0)  # the complete listing
        assert {key[1] for key in store.runs} == {"my-own-run"}
        assert watcher.health.state is HealthState.OK
        server.ids = ["my-own-run"]  # the server stops listing them
        await watcher.poll_once(60.0)  # head and sweep: a run gone from the active set is read
        assert watcher.health.state is HealthState.OK, watcher.health.describe()
        # One held from elsewhere, on screen: not read by id, dropped, and the profile ok.
        ghost = make_run(1, profile="evil").model_copy(update={"id": UNADDRESSABLE[0]})
        store.upsert([ghost])
        watcher.set_focus({ghost.key})
        await watcher.poll_once(62.0)
        assert watcher.health.state is HealthState.OK, watcher.health.describe()
        assert ghost.key not in store.runs
    finally:
        await ws.aclose()


async def test_a_read_answered_with_another_run_is_refused_for_every_reader(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """The detail and the CLI refused it, but a vanished run read by the watcher stored the
    other run, the execute form's "same inputs" took the other run's, and the attention
    queue said where the other run waited, each as this run's."""
    import pytest

    from runtui.errors import ProviderError
    from tests.hostile.server import VICTIM

    server = hostile("swap")
    ws = Workspace.load(write_config(tmp_path / "c.toml", {"evil": server}))
    provider = ws.provider("evil")
    store = RunStore()
    watcher = ProfileWatcher("evil", provider, store, interval=2.0, full_interval=30)
    try:
        for read in (provider.read_run, provider.read_steps, provider.read_summary):
            with pytest.raises(ProviderError, match=f"with another run, '{VICTIM}'"):
                await read("my-own-run")
        await watcher.poll_once(0.0)
        server.ids = ["second-run"]  # my-own-run leaves the list: the watcher reads it by id
        await watcher.poll_once(60.0)
        assert VICTIM not in {key[1] for key in store.runs}
    finally:
        await ws.aclose()
