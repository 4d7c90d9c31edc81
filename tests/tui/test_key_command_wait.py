"""A profile's `api_key_cmd` that hangs (a vault CLI waiting on a passphrase) holds up only
that profile: the app draws and answers keys, the other profiles load, and quitting leaves
no process of the command behind."""

from __future__ import annotations

import time
from pathlib import Path

from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from tests.tui.conftest import SIM_PROFILE, TuiSim, screen_text, wait_for


def with_hung_profile(sim: TuiSim, tmp_path: Path, pid_file: Path) -> Path:
    """The simulator's profiles, and one more whose key command never ends by itself (its
    shell writes its pid, then waits in a child: killing the shell alone would leave it)."""
    base = sim.url + "/edges/v1"
    text = sim.config_path.read_text(encoding="utf-8") + (
        f'\n[profiles.hangs]\nprovider = "edges"\nbase_url = "{base}"\n'
        f"api_key_cmd = \"sh -c 'echo $$ > {pid_file}; sleep 30; echo late-key'\"\n")
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return config


def live_in_group(pgid: int) -> list[int]:
    """Processes (not zombies) in process group `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


async def test_a_hung_key_command_holds_up_only_its_profile_and_q_quits(tui_sim: TuiSim,
                                                                      tmp_path: Path) -> None:
    pid_file = tmp_path / "key-command.pid"
    ws = Workspace.load(with_hung_profile(tui_sim, tmp_path, pid_file))
    app = RuntuiApp(ws)
    async with app.run_test(size=(160, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        others = set(SIM_PROFILE.values())

        def others_loaded() -> bool:
            return all((h := ws.health.get(n)) is not None and h.state is HealthState.OK for n in others) \
                and screen.table.total_count > 0

        await wait_for(pilot, others_loaded, what="the other profiles' runs")
        await wait_for(pilot, lambda: pid_file.exists() and pid_file.read_text().strip() != "",
                       what="the key command started")
        hung = ws.health["hangs"]
        assert hung.state is HealthState.LOADING and hung.message == "waiting for api_key_cmd"
        await wait_for(pilot, lambda: "hangs waiting for api_key_cmd" in screen_text(app),
                       what="the wait said against its profile")
        pgid = int(pid_file.read_text())
        assert live_in_group(pgid), "the command is still running"

        asked = time.monotonic()
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code == 0, timeout=5, what="quit")
        assert time.monotonic() - asked < 5
    deadline = time.monotonic() + 5
    while live_in_group(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)  # the kill is sent; the kernel takes a moment to end them
    assert live_in_group(pgid) == [], "no process of the key command is left"


async def test_inboxes_are_read_while_a_key_command_hangs(tui_sim: TuiSim, tmp_path: Path) -> None:
    """The attention poll reads each profile's inbox in turn: one waiting on a hung key
    command held every later profile's inbox back for the command's whole timeout."""
    pid_file = tmp_path / "key-command.pid"
    wexa = tui_sim.config_path.read_text(encoding="utf-8").split("[profiles.wexa-sim]\n")[1].split("\n\n")[0]
    settings = "\n".join(ln for ln in wexa.splitlines() if not ln.startswith("api_key_env"))
    config = tmp_path / "config.toml"
    config.write_text(tui_sim.config_path.read_text(encoding="utf-8")
                      + f"\n[profiles.aaa-hung]\n{settings}\n"
                      + f"api_key_cmd = \"sh -c 'echo $$ > {pid_file}; sleep 30'\"\n", encoding="utf-8")
    config.chmod(0o600)
    before = tui_sim.count("GET /wexa/inbox")
    ws = Workspace.load(config)
    app = RuntuiApp(ws)
    async with app.run_test(size=(160, 36)) as pilot:
        await wait_for(pilot, lambda: pid_file.exists() and pid_file.read_text().strip() != "",
                       what="the key command started")
        await wait_for(pilot, lambda: tui_sim.count("GET /wexa/inbox") > before,
                       what="wexa-sim's inbox read")
        assert ws.health["aaa-hung"].state is HealthState.LOADING, "still waiting for its key"
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code == 0, timeout=5, what="quit")
