"""SIGTERM and SIGHUP end the real TUI as `q` does: exit 143 / 129, the terminal restored,
a running `api_key_cmd` killed with its process group, `runtui demo`'s directory removed.
They killed it on the spot: the shell came back in a raw terminal, in the alternate
screen with mouse reporting on, and the key command ran on as an orphan."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RUNTUI, needs_proc, needs_tmux, own_driver, pane, screen, tmux, wait_for

pytestmark = [pytest.mark.e2e, needs_tmux, needs_proc, pytest.mark.usefixtures("tmux_server")]

MARKS = itertools.count(1)


def child_of_shell() -> int | None:
    children = subprocess.run(["pgrep", "-P", pane("#{pane_pid}")], capture_output=True,
                              text=True).stdout.split()
    return int(children[0]) if children else None


def key_commands(marker: str) -> list[str]:
    return subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()


@pytest.fixture
def marker() -> Iterator[str]:
    """A `sleep` length only this test's key command has; an orphan it left is killed."""
    mark = f"40.{os.getpid()}{next(MARKS)}"
    try:
        yield mark
    finally:
        for pid in key_commands(mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def with_slow_key_command(config: Path, marker: str) -> Path:
    """The sim's config with wexa's key from a command that takes 40 s (a hung `pass`)."""
    wait_for("the sim's config", config.exists)
    command = f"api_key_cmd = \"sh -c 'sleep {marker}; echo sim-wexa-key'\""
    text = re.sub(r'(\[profiles\.wexa-sim\][^\[]*?)api_key\w*\s*=\s*"[^"]*"',
                  lambda found: found.group(1) + command, config.read_text(), count=1, flags=re.S)
    assert marker in text
    slow = config.with_name("slow.toml")
    slow.write_text(text)
    slow.chmod(0o600)
    return slow


def start_in_shell(command: str, env: dict[str, str], cwd: Path) -> int:
    tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", "-c", str(cwd), env=env)
    tmux("send-keys", "-t", "e2e", command, "Enter")
    wait_for("the TUI", lambda: pane("#{alternate_on}") == "1" and child_of_shell() is not None,
             show=screen)
    pid = child_of_shell()
    assert pid is not None
    return pid


def exit_code_said_by_the_shell() -> int:
    tmux("send-keys", "-t", "e2e", "echo rc=$?", "Enter")
    wait_for("the exit code", lambda: re.search(r"^rc=\d+", screen(), re.M) is not None, timeout=10,
             show=screen)
    found = re.search(r"^rc=(\d+)", screen(), re.M)
    assert found is not None
    return int(found.group(1))


def assert_terminal_restored() -> None:
    assert pane("#{alternate_on}") == "0", "left in the alternate screen"
    assert pane("#{mouse_any_flag}") == "0", "mouse reporting left on"
    assert pane("#{cursor_flag}") == "1", "the cursor left hidden"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)],
                         ids=["TERM", "HUP"])
def test_a_signal_ends_as_q_does(sim_process: tuple[str, Path, dict[str, str]], tmp_path: Path,
                                 sig: signal.Signals, code: int, marker: str) -> None:
    _url, config, env = sim_process
    slow = with_slow_key_command(config, marker)
    pid = start_in_shell(f"env RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']} "
                         + " ".join([*RUNTUI, "--config", str(slow)]), own_driver(env), tmp_path)
    wait_for("the key command running", lambda: len(key_commands(marker)) > 0, show=screen)
    os.kill(pid, sig)
    wait_for("runtui to end", lambda: child_of_shell() is None, timeout=15, show=screen)
    assert exit_code_said_by_the_shell() == code
    assert_terminal_restored()
    assert key_commands(marker) == [], "the key command outlived runtui"


def test_a_closed_terminal_ends_it_and_its_key_command(
        sim_process: tuple[str, Path, dict[str, str]], marker: str) -> None:
    """A closed SSH session or tmux pane: the hang-up finds no terminal to restore, and
    must neither hang nor leave the key command behind."""
    _url, config, env = sim_process
    slow = with_slow_key_command(config, marker)
    tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", env=own_driver(env))
    tmux("new-window", "-d", "-t", "e2e", "-n", "tui", "-e", f"RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']}",
         " ".join([*RUNTUI, "--config", str(slow)]))
    pid = int(tmux("display-message", "-p", "-t", "e2e:tui", "#{pane_pid}").strip())
    wait_for("the key command running", lambda: len(key_commands(marker)) > 0)
    tmux("kill-window", "-t", "e2e:tui")
    wait_for("runtui to end", lambda: not Path(f"/proc/{pid}").exists(), timeout=15)
    assert key_commands(marker) == [], "the key command outlived runtui"


def test_demo_removes_its_directory_on_sigterm(tmp_path: Path,
                                               sim_process: tuple[str, Path, dict[str, str]]) -> None:
    _url, _config, env = sim_process
    temp = tmp_path / "tmp"
    temp.mkdir()
    pid = start_in_shell(f"env TMPDIR={temp} RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']} "
                         + " ".join([*RUNTUI, "demo"]), own_driver(env), tmp_path)
    wait_for("the demo's runs", lambda: "sim ok" in screen(), show=screen)
    assert [p.name for p in temp.iterdir() if p.name.startswith("runtui-demo-")]
    os.kill(pid, signal.SIGTERM)
    wait_for("runtui to end", lambda: child_of_shell() is None, timeout=15, show=screen)
    assert exit_code_said_by_the_shell() == 143
    assert_terminal_restored()
    assert [p.name for p in temp.iterdir() if p.name.startswith("runtui-demo-")] == []
