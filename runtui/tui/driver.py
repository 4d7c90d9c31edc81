"""A Linux/macOS terminal driver whose input thread sleeps until there is input.

(It also leaves out a frame the terminal still shows: `repeated_frames`.)

Textual's driver wakes its input thread ten times a second, so that a lone Escape
times out into a key. That wake-up is all of a bare Textual app's idle CPU (1.7
ms/s measured on the benchmark machine, against 0.0 without it), and runtui's
budget for an idle screen is 3 ms/s. This driver waits with no timeout unless the
key parser is part-way through a sequence, and a pipe wakes it when input stops.
The pipe lives as long as application mode: a suspend (ctrl+z, SIGTSTP) closes it
and `fg` makes a new one.

Textual resumes application mode on every SIGCONT, also one that follows a
SIGSTOP it never saw (a debugger, a freezer, `kill -STOP`): that started a second
input thread on the running one, and `q` then waited for ever on the thread the
single wake byte did not reach. This driver resumes only after its own suspend.

It re-implements `LinuxDriver.run_input_thread` on Textual's private key parser
(`textual._xterm_parser`, whose pending deadline is `_timeout_time`): only
`runtui.tui.switch` chooses it, and only after checking those names are there.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import time
from codecs import getincrementaldecoder
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from runtui.tui.repeated_frames import RepeatedFrameFilter

FINAL_WAIT = 0.2  # at most this long, when input stops, for a pending sequence to time out


class QuietLinuxDriver(LinuxDriver):
    """Textual's Linux driver, with an input thread that sleeps and no repeated frames."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_r = self._wake_w = -1  # made by start_application_mode
        self._stopping = False
        self._frames = RepeatedFrameFilter()
        self._resume_on_cont = False  # set by a suspend of ours: only then does SIGCONT resume

    def _sigtstp_application(self, *args: Any) -> None:
        """Remember whether this stop suspends application mode, so that the SIGCONT
        after it resumes it (and no other SIGCONT does)."""
        self._resume_on_cont = self._auto_restart
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        """Resume only what our own SIGTSTP suspended: a bare SIGSTOP/SIGCONT left the
        app running, and resuming it again would start a second input thread."""
        if self._resume_on_cont:
            self._resume_on_cont = False
            super()._sigcont_application(*args)

    def start_application_mode(self) -> None:
        """A fresh wake pipe for the input thread, and a full first frame: after a
        suspend the terminal no longer shows the last one."""
        self._open_wake_pipe()
        self._frames.forget()
        super().start_application_mode()  # type: ignore[no-untyped-call]  # (Textual: untyped)

    def stop_application_mode(self) -> None:
        """The input thread has ended (Textual joins it): its wake pipe goes with it."""
        try:
            super().stop_application_mode()
        finally:
            self._close_wake_pipe()

    def write(self, data: str) -> None:
        """Write `data`, unless it is a frame the terminal still shows (`RepeatedFrameFilter`)."""
        for part in self._frames.admit(data):
            super().write(part)

    def process_message(self, message: Message) -> None:
        """A resize may reflow the screen: the next frames are written even if they repeat."""
        if isinstance(message, events.Resize):
            self._frames.forget()
        super().process_message(message)

    def run_input_thread(self) -> None:
        """Read keys, feed the parser, tick it only while it waits for a timeout."""
        selector = selectors.SelectSelector()  # as Textual: kqueue can't watch a macOS tty
        selector.register(self.fileno, selectors.EVENT_READ, "tty")
        selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not (self._stopping or self.exit_event.is_set()):
                for key, _mask in selector.select(_wait(parser)):
                    if key.data == "wake":
                        with contextlib.suppress(BlockingIOError):
                            os.read(self._wake_r, 512)
                        continue
                    text = decode(os.read(self.fileno, 4096))
                    if not text:  # stdin closed: stop watching it rather than spin
                        selector.unregister(self.fileno)
                        continue
                    self._deliver(parser.feed(text))
                self._deliver(parser.tick())
            self._drain(parser)
        finally:
            selector.close()

    def _drain(self, parser: XTermParser) -> None:
        """What Textual's own input thread does last: a key that was still being parsed
        when input stopped (a lone Escape right before a suspend or quit) is delivered
        once its timeout passes, not dropped."""
        deadline = parser._timeout_time
        if deadline is not None:
            time.sleep(min(FINAL_WAIT, max(0.0, deadline - time.monotonic())))
        self._deliver(parser.tick())

    def _deliver(self, events: Any) -> None:
        for event in events:
            self.process_message(event)

    def disable_input(self) -> None:
        """Wake the sleeping thread so that Textual's join returns at once."""
        self._stopping = True
        if self._wake_w >= 0:
            with contextlib.suppress(BlockingIOError):  # full: the thread has wake bytes to read
                os.write(self._wake_w, b"x")
        try:
            super().disable_input()
        finally:
            self._stopping = False  # input may be enabled again (after a suspend)

    def close(self) -> None:
        super().close()
        self._close_wake_pipe()

    def _open_wake_pipe(self) -> None:
        if self._wake_r < 0:
            self._wake_r, self._wake_w = os.pipe()
            for fd in (self._wake_r, self._wake_w):  # a woken thread never blocks on an empty pipe
                os.set_blocking(fd, False)

    def _close_wake_pipe(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = self._wake_w = -1


def _wait(parser: XTermParser) -> float | None:
    """How long the input thread may sleep: for ever, unless a sequence is pending; then
    until it times out. (Ticks 50 ms apart made a lone Escape a key 100 to 150 ms after
    it came, by when the second tick fell; now it is one at ESCDELAY.)"""
    deadline = parser._timeout_time
    return None if deadline is None else max(0.0, deadline - time.monotonic())
