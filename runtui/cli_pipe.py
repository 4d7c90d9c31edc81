"""A reader that went away (`runtui runs list | head -1`) ends the command as it ends any
Unix tool: quietly, with the shell's code for SIGPIPE (128 + 13), never 1, which says
"the server refused or failed".

The recipe is the one in Python's signal docs ("Note on SIGPIPE"): catch BrokenPipeError
where the output is written and flushed, then point stdout at /dev/null so the
interpreter's last flush cannot raise again. SIGPIPE itself stays ignored, as Python
sets it, so no write elsewhere (a socket) can kill the process.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import NoReturn

EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a tool ended by SIGPIPE


@contextlib.contextmanager
def closed_pipe_ends_quietly() -> Iterator[None]:
    """Run a command; if its reader is gone, exit 141 with nothing said. What is still
    buffered is flushed inside, so a pipe closed before the end is seen here too, however
    the command ends (returned, or sys.exit with its own code)."""
    try:
        try:
            yield
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        end_on_closed_pipe()


def whole_writes() -> None:
    """Give stdout a buffered bytes layer where it has none.

    Under PYTHONUNBUFFERED (`python -u`, set in many container images) stdout writes to
    the raw file: a write its closed pipe cuts short returns a count, not an error, and
    the rest is dropped without a word (`runs list | head -1` exited 0). A buffered layer
    writes all of it or raises BrokenPipeError, which ends the command as 141. Each echo
    is still flushed at once, as unbuffered output asks.
    """
    stream = sys.stdout
    raw = getattr(stream, "buffer", None)
    if not isinstance(stream, io.TextIOWrapper) or not isinstance(raw, io.FileIO):
        return
    own = io.FileIO(raw.fileno(), "w", closefd=False)  # fd 1 stays the interpreter's to close
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(own), encoding=stream.encoding, errors=stream.errors,
                                  line_buffering=stream.line_buffering, write_through=True)


def end_on_closed_pipe() -> NoReturn:
    stdout_to_devnull()
    sys.exit(EXIT_BROKEN_PIPE)


def stdout_to_devnull() -> None:
    """Nothing more can reach the reader: later writes and the final flush go nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's stream): nothing to point
        pass
    finally:
        os.close(devnull)
