"""When an unexpected exception ends the app anyway: one line on the terminal, secrets
masked, and the traceback, without locals, in a file only the user can read.

Textual reports an unhandled exception with `rich.traceback.Traceback(show_locals=True)`:
the locals of every frame, printed on the terminal (and kept in tmux's scrollback). Under
a request they are its headers (httpx masks only `authorization`, so Wexa's and Edges'
`x-api-key` was printed whole), a URL with a webhook secret, a key command's output.

Textual keeps that report private (`App._fatal_error`): runtui replaces it only while its
private-API switch is on (runtui.tui.switch). In stock mode Textual's report is written
to a console that drops it (`QuietConsole`, through the public `App.error_console`), and
the terminal gets a line that says where to look instead.
"""

from __future__ import annotations

import io
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console

from runtui import config as config_mod
from runtui.safe_text import clipped, one_line

LINE_MAX = 300  # characters of the exception's words on the terminal
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
Mask = Callable[[str], str]


def crash_file(now: float | None = None) -> Path:
    """A new file name in the state directory, one per crash."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return config_mod.state_dir() / f"crash-{stamp}-{os.getpid()}.txt"


def write_private(path: Path, text: str) -> None:
    """Write `text` to a new file readable by the owner only (0600, never through a link
    planted in its place); raises OSError."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)


def save(text: str) -> str:
    """Where the report went, in words (or why it could not be written)."""
    path = crash_file()
    try:
        write_private(path, text)
    except OSError as exc:
        return f"no report written ({type(exc).__name__}: {exc.strerror or exc})"
    return f"details in {path}"


def report_exception(exc_info: ExcInfo, mask: Mask) -> str:
    """Save the traceback of `exc_info` (no locals, `mask` applied) and return the one line
    the terminal gets."""
    exc = exc_info[1]
    if exc is None:
        what, text = "an unexpected error", "no traceback was available\n"
    else:
        what = clipped(one_line(mask(f"{type(exc).__name__}: {exc}")), LINE_MAX)
        text = mask("".join(traceback.format_exception(exc)))
    return f"runtui stopped on an unexpected error: {what}; {save(text)}"


def report_stock() -> str:
    """Stock mode: Textual's report (with locals) was dropped; say so, and where to look."""
    text = ("runtui stopped on an unexpected error. Textual's own report of it was not kept: "
            "it holds the locals of every frame (request headers, keys).\n"
            "runtui writes a traceback without them only while Textual's private API is on "
            "(not with RUNTUI_STOCK_TEXTUAL=1, nor on a Textual version runtui was not tested with).\n")
    return f"runtui stopped on an unexpected error (Textual's stock report dropped); {save(text)}"


class QuietConsole(Console):
    """The app's `error_console` in stock mode: Textual prints its crash report (a traceback
    with locals) through it. Nothing it is given reaches the terminal; the first print is
    answered with one line on stderr and a crash file."""

    def __init__(self) -> None:
        super().__init__(file=io.StringIO(), markup=False, highlight=False)
        self.said: str | None = None

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.said is None:
            self.said = report_stock()
            print(self.said, file=sys.stderr)

