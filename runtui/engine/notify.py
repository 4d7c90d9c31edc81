"""Notifications that reach an operator over SSH: which events, how often, and the hook.

The TUI always shows a toast; the `[notify]` table of the config adds the terminal
bell, a desktop notification through the terminal (OSC 9 and OSC 777, passed
through tmux) and/or a command that gets the event as JSON on stdin (a chat
webhook, a pager). Each event is delivered once, and no faster than
`min_interval_seconds` apart, so a burst of failures cannot ring forty times.
This module decides and runs the hook; writing to the terminal is the face's job.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import time
from collections import OrderedDict
from typing import Any

import msgspec

from runtui.config import NotifySettings
from runtui.errors import ConfigError
from runtui.private_paths import check_program
from runtui.safe_text import clipped

COMMAND_TIMEOUT = 10.0  # seconds a notify command may take before it is killed
STDERR_CHARS = 160  # of the command's first line of error output, in a message
REMEMBERED = 4096  # event keys kept to deliver each event once


class Event(msgspec.Struct, frozen=True):
    """Something an operator should hear about. `key` names it: one delivery per key."""

    key: str
    title: str
    message: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "message": self.message, **self.data}


class Notifier:
    """Says which events go out beyond the toast, and runs the command hook."""

    def __init__(self, settings: NotifySettings | None = None, *, clock: Any = time.monotonic) -> None:
        self.settings = settings or NotifySettings()
        self._clock = clock
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._last_sent: float | None = None
        self.sent = 0
        self.suppressed = 0

    def offer(self, event: Event) -> bool:
        """True when `event` is new and outside the rate limit: deliver it now."""
        if event.key in self._seen:
            return False
        self._seen[event.key] = None
        if len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        now = self._clock()
        if self._last_sent is not None and now - self._last_sent < self.settings.min_interval_seconds:
            self.suppressed += 1
            return False
        self._last_sent = now
        self.sent += 1
        return True

    async def run_command(self, event: Event) -> str | None:
        """Run the configured command with the event on stdin; None, or what went wrong."""
        command = self.settings.command
        if not command:
            return None
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            return f"notify command cannot be split into words ({exc})"
        if argv:
            try:
                check_program(argv[0], "notify command")
            except ConfigError as exc:
                return exc.detail
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or type(exc).__name__
            program = clipped(argv[0], STDERR_CHARS) if argv else "(empty)"
            return f"notify command could not start {program}: {why}"
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT):
                _, err = await proc.communicate(json.dumps(event.to_json()).encode())
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return f"notify command took over {COMMAND_TIMEOUT:g} s and was stopped"
        if proc.returncode == 0:
            return None
        return f"notify command exited {proc.returncode}{_first_line(err)}"


def _first_line(stderr: bytes) -> str:
    """": <the first line the command wrote on stderr>", harmless and cut short: the only
    clue to why it failed (a command written for a shell, `cat >> log`, is exec'd without
    one and says so there). Nothing when it wrote nothing."""
    text = stderr.decode("utf-8", errors="replace")
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return f": {clipped(line, STDERR_CHARS)}" if line else ""


def desktop_sequences(title: str, message: str, *, in_tmux: bool) -> str:
    """OSC 9 (iTerm2, WezTerm, kitty…) and OSC 777 (rxvt, foot, Ghostty…) for one notification.

    The texts are stripped of control characters first (they may hold a server's run
    names), and inside tmux each sequence is wrapped in a DCS passthrough.
    """
    title, message = _plain(title), _plain(message)
    sequences = [f"\x1b]9;{title}: {message}\x07", f"\x1b]777;notify;{title};{message}\x07"]
    if in_tmux:
        sequences = ["\x1bPtmux;" + s.replace("\x1b", "\x1b\x1b") + "\x1b\\" for s in sequences]
    return "".join(sequences)


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _plain(text: str) -> str:
    """No control or bidi character, and no `;` (OSC 777's separator), in a notification."""
    cleaned = "".join(" " if (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in _BIDI) else c
                      for c in text)
    return cleaned.replace(";", ",")[:200]
