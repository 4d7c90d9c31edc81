"""Config safety beyond tests/unit/test_config.py (which covers parse errors with lines, one bad
profile among good ones at load time, inline keys in group-readable files and an OSError at
rename): the app still opens on the good profiles, and a killed writer never harms the file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runtui import config
from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.widgets.health_bar import HealthBar

from .conftest import SimFactory, run_cli, wait_for

BROKEN = """
[profiles.bad-type]
provider = "edges"
base_url = "http://127.0.0.1:9/edges/v1"
read_only = "maybe"

[profiles.alien]
provider = "jenkins"
api_key_env = "X"

[profiles.not-a-table]
provider = "edges"
api_key_env = "X"
[profiles.not-a-table.nested]
x = 1

[profiles.plain-http-remote]
provider = "edges"
base_url = "http://example.com/edges/v1"
api_key_env = "RUNTUI_SIM_EDGES_KEY"

[profiles.no-key]
provider = "b3os"
base_url = "http://127.0.0.1:9/b3os"
api_key_env = "RUNTUI_FAULTS_UNSET_KEY"
"""


async def test_app_opens_with_the_valid_profiles_when_others_are_broken(
        sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNTUI_FAULTS_UNSET_KEY", raising=False)
    sim = sims(runs=30, refresh=0.5)
    path = sim.config_path
    path.write_text(path.read_text() + BROKEN)
    ws = Workspace.load(path)
    app = RuntuiApp(ws, watch=True)
    async with app.run_test(size=(160, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        good = ("b3os-sim", "edges-sim", "wexa-sim")
        await wait_for(pilot, lambda: {r.profile for r in runs.table.visible_runs()} >= set(good), 15,
                       "rows of every good profile")
        for name in good:
            await wait_for(pilot, lambda n=name: ws.health[n].state is HealthState.OK, 10, name)
        assert ws.health["bad-type"].state is HealthState.CONFIG
        assert ws.health["alien"].state is HealthState.CONFIG and "jenkins" in str(ws.health["alien"].message)
        assert ws.health["plain-http-remote"].state is HealthState.CONFIG
        assert "https" in str(ws.health["plain-http-remote"].message)
        assert ws.health["no-key"].state is HealthState.CONFIG
        assert "RUNTUI_FAULTS_UNSET_KEY" in str(ws.health["no-key"].message)
        bar = runs.query_one(HealthBar)
        assert "config-error" in bar._last and "ok" in bar._last
        await pilot.press("down", "a", "a")
        assert app._exception is None


def test_an_interrupt_between_temp_write_and_rename_leaves_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# keep me\n[profiles.a]\nprovider = "edges"\napi_key_env = "K"\n')
    path.chmod(0o600)
    before = path.read_bytes()
    real_fsync = os.fsync

    def fsync_then_die(fd: int) -> None:
        real_fsync(fd)  # the temp file is complete on disk ...
        raise KeyboardInterrupt  # ... and the writer dies before the rename

    monkeypatch.setattr(os, "fsync", fsync_then_die)
    with pytest.raises(KeyboardInterrupt):
        config.save_profile(path, "b", {"provider": "edges", "api_key_env": "K2"})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # temp file cleaned up
    assert list(config.load(path).profiles) == ["a"]


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from runtui import config

    def die(src, dst):
        os.kill(os.getpid(), signal.SIGKILL)  # killed between the temp write and the rename

    os.replace = die
    config.save_profile(Path(sys.argv[1]), "b", {"provider": "edges", "api_key_env": "K2"})
""")


def test_a_killed_writer_leaves_the_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# keep me\n[profiles.a]\nprovider = "edges"\napi_key_env = "K"\n')
    path.chmod(0o600)
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], capture_output=True,
                          timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    leftovers = [p for p in tmp_path.iterdir() if p.name != "config.toml"]
    # The half-done temp file stays (nobody was alive to remove it) but is private and ignored.
    assert all(p.name.startswith(".config.toml.") and p.name.endswith(".tmp") for p in leftovers)
    assert all((p.stat().st_mode & 0o077) == 0 for p in leftovers)
    cfg = config.load(path)
    assert list(cfg.profiles) == ["a"] and cfg.errors == []


@pytest.mark.parametrize("port", ["99999", "-1", "0"])
def test_a_base_url_port_no_socket_takes_is_that_profiles_error(sims: SimFactory, port: str) -> None:
    sim = sims(runs=12)
    path = sim.config_path
    path.write_text(path.read_text() + textwrap.dedent(f"""
        [profiles.bad-port]
        provider = "edges"
        base_url = "http://127.0.0.1:{port}/x"
        api_key_env = "RUNTUI_SIM_EDGES_KEY"
        """))
    line = path.read_text().splitlines().index(f'base_url = "http://127.0.0.1:{port}/x"') + 1
    for args in (("runs", "list", "--json"), ("profiles", "test", "--all")):
        result = run_cli(path, *args)
        assert result.code == 1, result
        assert f"{path}:{line}; profile 'bad-port'; field 'base_url': base_url port {port} is not a " \
               "TCP port (1-65535)" in result.out + result.err
        assert "Traceback" not in result.err and "OverflowError" not in result.out + result.err
    listed = run_cli(path, "runs", "list", "--json").json()
    assert {run["profile"] for run in listed} == {"wexa-sim", "edges-sim", "b3os-sim"}
    assert "OK edges-sim" in run_cli(path, "profiles", "test", "--all").out
    added = run_cli(path, "profiles", "add", "z", "--provider", "edges", "--api-key-env", "K",
                    "--base-url", f"http://127.0.0.1:{port}/x")
    assert added.code == 2 and f"base_url port {port} is not a TCP port" in added.err
    assert "[profiles.z]" not in path.read_text()
