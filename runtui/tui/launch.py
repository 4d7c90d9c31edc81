"""Start the app: the only entry the CLI needs, imported lazily so the CLI stays fast."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits for it (Python's default: 0.005).

Textual's writer thread takes the GIL for each piece of a frame it sends; while the
main thread works on (the next pages of a load, a key's follow-up) the frame waited up
to the default 5 ms each time. Measured at 10,000 runs, 9 starts each: first rows 0.342
-> 0.333 s, all rows 0.695 -> 0.675 s (0.5 ms: 0.338 s, the switches cost more).
"""


def tui_refusal() -> str | None:
    """Why the TUI cannot draw on this terminal (None: it can).

    Textual writes its frames to stderr, whose encoding is the locale's (or
    PYTHONIOENCODING's). In any other than UTF-8 each status symbol, box line and `…`
    came out as a `\\u25b6` escape six cells wide where one was counted: every column
    shifted and the header and health line were cut. The CLI copes (a `?` per symbol).
    """
    stream = sys.__stderr__
    encoding = getattr(stream, "encoding", None)
    if not encoding or _is_utf8(encoding):
        return None
    forced = os.environ.get("PYTHONIOENCODING", "").partition(":")[0].strip()
    source = "PYTHONIOENCODING is" if forced else "the locale's encoding is"
    return (f"the TUI needs a UTF-8 terminal ({source} {encoding}); "
            "the CLI works here: runtui runs list")


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


EXIT_NO_TERMINAL = 2  # a usage error, as the CLI's exit codes say
FOR_A_LIST = "for a list use `runtui runs list`"


def terminal_problem(environ: Mapping[str, str] | None = None, stdout: TextIO | None = None,
                     stderr: TextIO | None = None) -> str | None:
    """Why the full-screen TUI cannot be shown here, or None.

    Into a file or a pipe (`runtui > out.txt`, `runtui | less`) nobody sees it, and it
    ran on unseen until killed; a dumb terminal (an editor's shell buffer, an IDE pane)
    shows its escape codes as text. Textual draws on stderr, so that must be one too."""
    env = os.environ if environ is None else environ
    encoding = tui_refusal()  # first: it is what a locale fix (not a redirect) mends
    if encoding is not None:
        return encoding
    if not _is_terminal(sys.stdout if stdout is None else stdout):
        return f"the TUI needs a terminal on stdout; {FOR_A_LIST}"
    if not _is_terminal(sys.stderr if stderr is None else stderr):
        return f"the TUI draws on stderr, which is not a terminal; {FOR_A_LIST}"
    if env.get("TERM", "") == "dumb":
        return f"the TUI needs a full-screen terminal (TERM=dumb); {FOR_A_LIST}"
    return None


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed
        return False


def refused_without_terminal() -> int | None:
    """Say why the TUI cannot start here, on stderr, and give its exit code; None: it can."""
    problem = terminal_problem()
    if problem is None:
        return None
    print(f"runtui: {problem}", file=sys.stderr)
    return EXIT_NO_TERMINAL


def run_app(config_path: Path, *, title_suffix: str | None = None) -> int:
    if (refusal := tui_refusal()) is not None:
        print(f"runtui: {refusal}", file=sys.stderr)
        return 2
    from runtui.engine.workspace import Workspace
    from runtui.errors import ConfigError, ConfigRefused
    from runtui.tui.app import RuntuiApp

    try:
        workspace = Workspace.load(config_path)
    except ConfigRefused as exc:
        # Not opened at all: an empty app would invite writing profiles into that file.
        print(f"runtui: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        # A file we cannot parse at all: open anyway, empty, and say why.
        from runtui import config as config_mod

        workspace = Workspace(config_mod.Config(path=config_path, errors=[exc]))
    refused = refused_without_terminal()  # (after the config: a refused one is the news)
    if refused is not None:
        return refused
    app = RuntuiApp(workspace, title_suffix=title_suffix)
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        app.run()
    finally:
        sys.setswitchinterval(before)
    return app.return_code or 0
