"""The quiet terminal driver, in a real terminal: keys, a lone Escape, a resize, quit, and no idle wake-ups.

Textual's own driver wakes its input thread ten times a second; ours sleeps until
input. The input thread's wake-ups are counted from /proc (voluntary context switches),
and the same count is taken with the stock driver, so the test shows it can fail.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    needs_proc,
    needs_tmux,
    own_driver,
    runtui_pid,
    screen,
    start_runtui,
    tmux,
    wait_for,
)

pytestmark = [pytest.mark.e2e, needs_tmux, needs_proc, pytest.mark.usefixtures("tmux_server")]

WINDOW = 3.0  # seconds of an untouched screen
STOCK_WAKEUPS = 10 * WINDOW  # Textual's input thread: one select timeout every 0.1 s


def input_thread(pid: int) -> int:
    """The thread asleep in select(): Textual's input thread (the others wait in epoll or a futex)."""
    for _ in range(50):
        for task in Path(f"/proc/{pid}/task").iterdir():
            if any(word in (task / "wchan").read_text() for word in ("select", "poll_schedule")):
                return int(task.name)
        time.sleep(0.1)  # it may be awake at the moment: look again
    pytest.skip("this kernel does not show where threads wait (/proc/*/wchan)")


def wakeups(pid: int, tid: int) -> int:
    """Voluntary context switches: one per wake-up from a wait."""
    for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches in /proc status")


def input_wakeups_in_window(pid: int) -> int:
    tid = input_thread(pid)
    before = wakeups(pid, tid)
    time.sleep(WINDOW)  # a measuring window, not a wait for an event
    return wakeups(pid, tid) - before


def quit_runtui() -> None:
    tmux("send-keys", "-t", "e2e", "q")
    wait_for("runtui to exit", lambda: "python" not in tmux(
        "display-message", "-p", "-t", "e2e", "#{pane_current_command}"), timeout=10, show=screen)


def test_quiet_driver_sleeps_and_still_reads_every_key(
        sim_process: tuple[str, Path, dict[str, str]]) -> None:
    _url, config, env = sim_process
    private_on = own_driver(env)  # (CI also runs in stock mode)
    start_runtui(config, private_on, cols=80, rows=24)
    wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
    pid = runtui_pid()
    tmux("send-keys", "-t", "e2e", "?")
    wait_for("the help", lambda: "runtui keys" in screen(), show=screen)
    assert input_wakeups_in_window(pid) < STOCK_WAKEUPS / 3
    tmux("send-keys", "-t", "e2e", "Escape")  # a lone ESC only becomes a key after a timeout
    wait_for("Escape to close the help", lambda: "runtui keys" not in screen(), show=screen)
    tmux("resize-window", "-t", "e2e", "-x", "200", "-y", "50")
    wait_for("the wide layout", lambda: "UPDATED" in screen(), show=screen)
    quit_runtui()  # the thread is asleep in select: quitting must wake it


def test_the_stock_driver_would_fail_the_wakeup_count(
        sim_process: tuple[str, Path, dict[str, str]]) -> None:
    _url, config, env = sim_process
    start_runtui(config, env | {"RUNTUI_STOCK_TEXTUAL": "1"}, cols=80, rows=24)
    wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
    assert input_wakeups_in_window(runtui_pid()) >= STOCK_WAKEUPS / 3
    quit_runtui()


def test_keys_typed_in_one_burst_after_slash_land_in_the_filter(
        sim_process: tuple[str, Path, dict[str, str]]) -> None:
    """Fast typing over SSH arrives in one read: "/" must move focus before the rest is routed.

    Before "/" was a priority binding, "/test" typed at once lost both "t"s (the screen's
    retry key took them) and "/quit" quit the app."""
    _url, config, env = sim_process
    start_runtui(config, env, cols=100, rows=30)
    wait_for("the run table", lambda: "edges-sim ok" in screen(), show=screen)
    tmux("send-keys", "-t", "e2e", "-l", "/test/quit")
    wait_for("the filter text", lambda: "filter: test/quit" in screen(), show=screen)
    assert "python" in tmux("display-message", "-p", "-t", "e2e", "#{pane_current_command}")
    quit_runtui_from_filter()


def quit_runtui_from_filter() -> None:
    tmux("send-keys", "-t", "e2e", "Escape")
    wait_for("the filter to close", lambda: "filter:" not in screen(), show=screen)
    quit_runtui()
