"""A profile's `api_key_cmd`, run without holding anything else up.

The command may take long (a vault CLI waiting on a passphrase prompt, a stuck network):
it runs as an asyncio subprocess, so the TUI keeps drawing and answering keys, the other
profiles keep reading, and only the requests of its own profile wait for it. It runs in
a session of its own with no input: it cannot take the keys typed at runtui, and when it
runs out of time or runtui ends, it is killed whole (the children it started too).

Its key is kept for the life of the process, as it always was. A failure is kept too,
for a wait that doubles with each failure in a row (30 s up to 10 min): the requests of
that profile fail at once meanwhile, instead of running a hung command again on every
poll. A refresh asked for (`retry`) or the profile edited runs it again at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import time
from collections.abc import Callable
from typing import Any

import msgspec

from runtui.errors import ConfigError
from runtui.private_paths import check_program
from runtui.safe_text import clipped
from runtui.secret import Secret

DEFAULT_TIMEOUT = 30.0
PROGRAM_CHARS = 160  # of the program a command could not start, in a message
FIRST_RETRY = 30.0  # seconds before a failed command runs again unasked
LONGEST_RETRY = 600.0
SLOW_AFTER = 2.0  # seconds a command may take before a face is told what everything waits on

SlowNotice = Callable[[str, float], None]
"""Told (profile, timeout in seconds) once when a command has run SLOW_AFTER seconds. The
CLI says it on stderr: a command that otherwise printed nothing for 30 s looked hung
itself. The TUI shows it against the profile instead and sets none."""
on_slow: SlowNotice | None = None


class Failure(msgspec.Struct, frozen=True):
    error: ConfigError
    until: float  # clock time before which the command is not run again unasked
    wait: float


_KEYS: dict[str, Secret] = {}  # command -> the key it printed
_FAILURES: dict[str, Failure] = {}  # command -> its last failure
_RUNNING: set[int] = set()  # the process groups (sessions) of commands still running


class KeyCommand:
    """One profile's key command: run once at a time, however many requests wait on it."""

    def __init__(self, command: str, *, profile: str, timeout: float = DEFAULT_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.command = command
        self.profile = profile
        self.timeout = timeout
        self.clock = clock
        self._task: asyncio.Task[Secret] | None = None

    @property
    def known(self) -> Secret | None:
        """The key, when the command has given it already."""
        return _KEYS.get(self.command)

    async def key(self) -> Secret:
        """The key, running the command if nobody has yet (raises ConfigError): the last
        failure again, without running it, while its wait lasts."""
        known = self.known
        if known is not None:
            return known
        failed = _FAILURES.get(self.command)
        if failed is not None and self.clock() < failed.until and self._task is None:
            # A new error each time: one raised again and again grows its traceback.
            raise ConfigError(failed.error.detail, field="api_key_cmd", profile=self.profile)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"key:{self.profile}")
            self._task.add_done_callback(_told)
        # Shielded: a request given up (a closed detail pane) does not kill the run the
        # others wait on; `aclose` does.
        return await asyncio.shield(self._task)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def retry(self) -> None:
        """Asked for (a refresh): the next request runs the command even after a failure."""
        _FAILURES.pop(self.command, None)

    async def aclose(self) -> None:
        """Stop a run still going (runtui ends, the profile was edited): no process is left."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConfigError):
                await task

    async def _run(self) -> Secret:
        notice = on_slow
        slow = (asyncio.get_running_loop().call_later(SLOW_AFTER, notice, self.profile, self.timeout)
                if notice is not None else None)
        try:
            value = await run(self.command, timeout=self.timeout, profile=self.profile)
        except ConfigError as exc:
            last = _FAILURES.get(self.command)
            wait = FIRST_RETRY if last is None else min(LONGEST_RETRY, last.wait * 2)
            _FAILURES[self.command] = Failure(exc, self.clock() + wait, wait)
            raise
        finally:
            self._task = None
            if slow is not None:
                slow.cancel()
        _FAILURES.pop(self.command, None)
        _KEYS[self.command] = value
        return value


def _told(task: asyncio.Task[Secret]) -> None:
    """A failure nobody waits for any more (its requests were given up) is kept in
    `_FAILURES`, not reported by asyncio as an exception never retrieved."""
    if not task.cancelled():
        task.exception()


def forget(command: str | None = None) -> None:
    """Forget what a command (or every one) gave, key or failure, so the next request
    runs it again (the profile was edited)."""
    if command is None:
        _KEYS.clear()
        _FAILURES.clear()
    else:
        _KEYS.pop(command, None)
        _FAILURES.pop(command, None)


async def run(command: str, *, timeout: float, profile: str) -> Secret:
    """Run `command` and return what it printed, trimmed. A failure says why (the timeout,
    the exit code, how many lines of error output) but never what it printed, nor its error
    output: either may hold the key."""
    where: dict[str, Any] = {"field": "api_key_cmd", "profile": profile}
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"api_key_cmd cannot be split into words ({exc})", **where) from None
    if argv:
        try:
            check_program(argv[0], "api_key_cmd")
        except ConfigError as exc:
            raise ConfigError(exc.detail, **where) from None
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True)
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        program = clipped(argv[0], PROGRAM_CHARS) if argv else "(an empty command)"
        raise ConfigError(f"api_key_cmd could not start {program}: {why}", **where) from None
    _RUNNING.add(proc.pid)
    try:
        async with asyncio.timeout(timeout):
            out, err = await proc.communicate()
    except TimeoutError:
        await _stop(proc)
        raise ConfigError(f"api_key_cmd gave no key within {timeout:g} s "
                          "([defaults] key_command_seconds) and was stopped", **where) from None
    except asyncio.CancelledError:
        await _stop(proc)
        raise
    finally:
        _RUNNING.discard(proc.pid)
    value = out.decode("utf-8", errors="replace").strip()
    said = _error_output(err.decode("utf-8", errors="replace"))
    code = proc.returncode
    if code is not None and code < 0:
        raise ConfigError(f"api_key_cmd was ended by {_signal_name(-code)}{said}", **where)
    if code != 0:
        raise ConfigError(f"api_key_cmd failed with exit code {code}{said}", **where)
    if not value:
        raise ConfigError(f"api_key_cmd printed no key{said}", **where)
    return Secret(value)


def _error_output(stderr: str) -> str:
    """How much the command wrote on its error output, never what: a secret tool says
    things about the secret there (a wrapper's "using token …", the key echoed to the
    wrong stream, a warning quoting it), and this message reaches the health line, the
    attention list and every CLI error. Running the command by hand shows it."""
    if not stderr.strip():
        return ""
    count = len(stderr.rstrip("\n").splitlines())
    lines = "1 line" if count == 1 else f"{count} lines"
    return (f" (its error output, {lines}, is not shown as it may hold the key; run the command "
            "yourself to see it)")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def kill_running_now() -> None:
    """Kill every command still running, with its session, without waiting: for a
    process that must end at once (an ending stuck on a dead terminal)."""
    for group in list(_RUNNING):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    _RUNNING.clear()


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """Kill the command's whole session (a shell's children too) and reap it.

    The process itself is killed on its own only when its group could not be: its
    `kill()` polls the child first (subprocess does, to never signal a reused pid), and
    that poll could reap the child the group kill had just ended before asyncio's own
    watcher did, which then printed "Unknown child process pid N" on the terminal."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    await proc.wait()
