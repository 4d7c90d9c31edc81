"""SIGTERM and SIGHUP end the app as `q` does: the terminal restored, key commands'
process groups killed, a demo's temporary directory removed; exit 128 + the signal.

Python's default for both is to die on the spot: the terminal stayed raw in the
alternate screen with mouse reporting on, a running `api_key_cmd` (its own session)
was left behind, and `runtui demo` left its directory with the simulator's keys.
`kill`, `timeout`, systemd and a closed SSH session or tmux pane send them.

After a hang-up the terminal is gone: writing to it fails (or blocks), so the
standard streams are pointed at /dev/null first and the ending writes nowhere.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
import threading
from collections.abc import Callable

ENDING_SIGNALS = () if sys.platform == "win32" else (signal.SIGTERM, signal.SIGHUP)
GIVE_UP_AFTER = 10.0  # seconds an ending may take before the process exits regardless


def end_on_signals(exit_app: Callable[[int], None]) -> None:
    """On SIGTERM or SIGHUP call `exit_app(128 + signal)` in the event loop; a second
    one, or an ending that hangs, ends the process at once."""
    loop = asyncio.get_running_loop()
    for sig in ENDING_SIGNALS:
        loop.add_signal_handler(sig, _ending, sig, exit_app)


def _ending(sig: signal.Signals, exit_app: Callable[[int], None]) -> None:
    code = 128 + sig
    loop = asyncio.get_running_loop()
    for each in ENDING_SIGNALS:  # a second signal: Python's default, the process dies
        loop.remove_signal_handler(each)
    if sig == signal.SIGHUP and terminal_gone(sys.__stderr__):
        detach_from_terminal()
    _give_up_after(GIVE_UP_AFTER, code)
    exit_app(code)


def terminal_gone(stream: object) -> bool:
    """Has the terminal hung up (a closed SSH session, a killed tmux pane)? A plain
    `kill -HUP` leaves it there, and then it is restored as after `q`."""
    fileno = getattr(stream, "fileno", None)
    if fileno is None:
        return True
    try:
        poller = select.poll()
        poller.register(fileno(), select.POLLOUT)
        return any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL)
                   for _fd, mask in poller.poll(0))
    except (OSError, ValueError):
        return True


def detach_from_terminal() -> None:
    """Point stdin, stdout and stderr at /dev/null: the ending's writes go nowhere
    instead of failing, and the input thread reads an end of input."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    finally:
        os.close(null)


def _give_up_after(seconds: float, code: int) -> None:
    """A last resort: an ending stuck on a dead terminal must not keep the process.

    (Textual's writer thread dies on the first write that fails, when the terminal
    went before the hang-up was handled; the app's next writes then wait on it for
    good.) What `q` would have cleaned up is done here, then the process exits."""
    timer = threading.Timer(seconds, _exit_now, (code,))
    timer.daemon = True
    timer.start()


def _exit_now(code: int) -> None:
    from runtui import key_command

    key_command.kill_running_now()
    if "runtui.demo" in sys.modules:  # (a demo ran in this process)
        from runtui import demo

        demo.remove_directories_now()
    os._exit(code)
