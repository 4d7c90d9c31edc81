"""The quiet driver's input thread on a real pseudo-terminal: keys in, and a key still
being parsed when input stops is delivered (as Textual's own thread does), not dropped."""

from __future__ import annotations

import os
import select
import sys
import threading
import time
import tty
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.message import Message

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal driver")

from runtui.tui.driver import QuietLinuxDriver, _wait  # noqa: E402  (POSIX only)


class Recording(QuietLinuxDriver):
    """The driver with what it would hand the app kept in a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: list[Message] = []

    def process_message(self, message: Message) -> None:
        self.messages.append(message)


@pytest.fixture
def pty() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    tty.setraw(slave)  # as the driver sets the terminal: keys readable one by one
    try:
        yield master, slave
    finally:
        os.close(master)
        os.close(slave)


def _until(cond: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"{what} not within {timeout}s"
        time.sleep(0.005)  # polling a condition another thread makes true


def _keys(driver: Recording) -> list[str]:
    return [m.key for m in driver.messages if isinstance(m, events.Key)]


def _input_read(slave: int) -> bool:
    return not select.select([slave], [], [], 0)[0]


async def test_keys_arrive_and_a_lone_escape_at_stop_is_delivered(pty: tuple[int, int]) -> None:
    master, slave = pty
    driver = Recording(App(), size=(80, 24))  # (a driver needs a running event loop)
    driver.fileno = slave
    driver._open_wake_pipe()  # what start_application_mode does first
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    os.write(master, b"ab")
    _until(lambda: _keys(driver) == ["a", "b"], "two keys")
    # A lone ESC waits for its timeout (it may start a sequence); input stops before it.
    os.write(master, b"\x1b")
    _until(lambda: _input_read(slave), "the thread to read the ESC")
    driver._stopping = True
    os.write(driver._wake_w, b"x")
    thread.join(timeout=5)
    assert not thread.is_alive()
    driver.close()
    assert _keys(driver) == ["a", "b", "escape"]


def test_a_pending_sequence_is_ticked_at_its_deadline_not_a_poll_later() -> None:
    """A lone Escape becomes a key when the parser's timeout passes: the thread sleeps
    until then, not in steps that may pass it by most of a step."""
    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    assert _wait(parser) is None  # nothing pending: sleep until input
    list(parser.feed("\x1b"))
    deadline = parser._timeout_time
    assert deadline is not None
    before = time.monotonic()
    wait = _wait(parser)
    assert wait is not None and deadline - time.monotonic() <= wait <= deadline - before
    parser._timeout_time = before - 1.0  # already past: no sleep at all
    assert _wait(parser) == 0.0
