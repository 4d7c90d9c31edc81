"""Process control of the real TUI in tmux: a suspend and `fg`, a stop and continue.

An operator's shell, a debugger or a freezer stops and continues the process; the
screen must come back and `q` must always end the app with the terminal restored.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    RUNTUI,
    needs_proc,
    needs_tmux,
    own_driver,
    pane,
    runtui_pid,
    screen,
    start_runtui,
    tmux,
    wait_for,
)

pytestmark = [pytest.mark.e2e, needs_tmux, needs_proc, pytest.mark.usefixtures("tmux_server")]


def process_state(pid: int) -> str:
    """The one-letter state from /proc (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def table_shown() -> bool:
    return "edges-sim ok" in screen()


def start(sim_process: tuple[str, Path, dict[str, str]], *, stock: bool) -> int:
    _url, config, env = sim_process
    chosen = own_driver(env)
    if stock:
        chosen["RUNTUI_STOCK_TEXTUAL"] = "1"
    start_runtui(config, chosen, cols=80, rows=24)
    wait_for("the run table", table_shown, show=screen)
    return runtui_pid()


def start_as_pane_command(sim_process: tuple[str, Path, dict[str, str]]) -> int:
    """runtui as the pane's own process, no shell between: nothing takes the terminal
    from it while it is stopped (a shell would, and `fg` would then continue it)."""
    _url, config, env = sim_process
    chosen = own_driver(env)
    tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", env=chosen)
    tmux("set-option", "-t", "e2e", "remain-on-exit", "on")
    tmux("respawn-pane", "-k", "-t", "e2e", "-e", f"RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']}",
         " ".join([*RUNTUI, "--config", str(config)]))
    wait_for("the run table", table_shown, show=screen)
    return int(pane("#{pane_pid}"))


def quit_and_check_terminal(pid: int) -> None:
    tmux("send-keys", "-t", "e2e", "q")
    wait_for("runtui to exit", lambda: not Path(f"/proc/{pid}").exists()
             or process_state(pid) == "Z" or pane("#{pane_dead}") == "1", timeout=10, show=screen)
    wait_for("the shell's normal screen", lambda: pane("#{alternate_on}") == "0", timeout=5, show=screen)
    assert pane("#{mouse_any_flag}") == "0", "mouse reporting left on"
    if pane("#{pane_dead}") != "1":  # (a dead pane's cursor is tmux's, not the app's)
        assert pane("#{cursor_flag}") == "1", "the cursor left hidden"


@pytest.mark.parametrize("stock", [False, True], ids=["runtui-driver", "stock-driver"])
def test_suspend_then_fg_brings_the_screen_back(
        sim_process: tuple[str, Path, dict[str, str]], stock: bool) -> None:
    pid = start(sim_process, stock=stock)
    os.kill(pid, signal.SIGTSTP)
    wait_for("the shell to say Stopped", lambda: "Stopped" in screen(), show=screen)
    assert pane("#{alternate_on}") == "0" and pane("#{mouse_any_flag}") == "0"
    tmux("send-keys", "-t", "e2e", "fg", "Enter")
    wait_for("the table again", table_shown, show=screen)
    assert pane("#{alternate_on}") == "1"
    tmux("send-keys", "-t", "e2e", "?")
    wait_for("the help (keys work)", lambda: "runtui keys" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "Escape")
    wait_for("the help closed", lambda: "runtui keys" not in screen(), show=screen)
    quit_and_check_terminal(pid)


def test_stop_and_continue_change_nothing_and_q_still_quits(
        sim_process: tuple[str, Path, dict[str, str]]) -> None:
    pid = start_as_pane_command(sim_process)
    before = threads(pid)
    for _cycle in range(3):  # (tmux itself continues a stopped pane at once: a SIGCONT too)
        os.kill(pid, signal.SIGSTOP)
        os.kill(pid, signal.SIGCONT)
    wait_for("the process running", lambda: process_state(pid) != "T")
    tmux("send-keys", "-t", "e2e", "?")
    wait_for("the help (keys work)", lambda: "runtui keys" in screen(), show=screen)
    assert threads(pid) == before, "a SIGCONT started more threads"
    tmux("send-keys", "-t", "e2e", "Escape")
    wait_for("the help closed", lambda: "runtui keys" not in screen(), show=screen)
    quit_and_check_terminal(pid)


def test_ctrl_z_suspends_to_the_shell_and_fg_brings_the_table_back(
        sim_process: tuple[str, Path, dict[str, str]]) -> None:
    pid = start(sim_process, stock=False)
    tmux("send-keys", "-t", "e2e", "C-z")
    wait_for("the shell to say Stopped", lambda: "Stopped" in screen(), show=screen)
    assert process_state(pid) == "T"
    assert pane("#{alternate_on}") == "0" and pane("#{mouse_any_flag}") == "0"
    tmux("send-keys", "-t", "e2e", "fg", "Enter")
    wait_for("the table again", table_shown, show=screen)
    tmux("send-keys", "-t", "e2e", "?")
    wait_for("the help (keys work)", lambda: "runtui keys" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "Escape")
    wait_for("the help closed", lambda: "runtui keys" not in screen(), show=screen)
    quit_and_check_terminal(pid)
