"""The `runtui` entry point. The commands, their options and exit codes: runtui.commands
(the root group) and the cli_* modules of the groups it attaches.

`runtui` and `runtui --config PATH` (open the TUI) are recognised here, exactly as
click reads them, without loading click and the command tree: the time to the first
table rows is all CPU, so what the TUI does not need is not imported. Any other
command line goes to click. `runtui.cli.cli` (and every other name of
runtui.commands) still resolves, loaded on first use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from runtui import startup

if TYPE_CHECKING:
    from runtui.commands import cli as cli

CONFIG_OPTION = "--config"
CONFIG_ENV = "RUNTUI_CONFIG"  # the option's envvar (see runtui.commands.cli)


def main(argv: list[str] | None = None) -> None:
    startup.pause_gc()  # resumed by a subcommand, or by the app after its first frame
    startup.skip_unused_extras()
    config_path = _tui_only(sys.argv[1:] if argv is None else argv)
    if config_path is not None:
        _open_tui(config_path)
    from runtui.commands import cli

    cli.main(args=argv, prog_name="runtui")


def _tui_only(args: list[str]) -> Path | None:
    """The config path when `args` only open the TUI (as click would read it), else None."""
    if os.name == "nt" or "_RUNTUI_COMPLETE" in os.environ:  # click expands args / completes
        return None
    if not args:
        value = os.environ.get(CONFIG_ENV)  # click reads an empty one as unset
        if not value:
            from runtui.config import default_config_path

            return default_config_path()
    elif len(args) == 2 and args[0] == CONFIG_OPTION:
        value = args[1]
    elif len(args) == 1 and args[0].startswith(CONFIG_OPTION + "="):
        value = args[0][len(CONFIG_OPTION) + 1:]
    else:
        return None
    if not value or value.startswith("-") or not _click_path_ok(value):
        return None  # left to click, and its messages
    return Path(value)  # as click.Path(path_type=Path) converts it: not expanded


def _click_path_ok(value: str) -> bool:
    """click.Path()'s one check with its defaults: a path that exists must be readable."""
    try:
        os.stat(value)
    except OSError:
        return True
    return os.access(value, os.R_OK)


def _open_tui(config_path: Path) -> NoReturn:
    """What the click group does with no subcommand, with click's standalone error handling."""
    from runtui.tui.launch import run_app

    try:
        code = run_app(config_path)
    except (EOFError, KeyboardInterrupt):  # Ctrl-C before the app holds the keyboard
        from runtui.cli_output import say_interrupted

        print(file=sys.stderr)
        say_interrupted()  # as every command: 130, never 1 ("a run failed")
    except BrokenPipeError:
        from runtui.cli_pipe import end_on_closed_pipe

        end_on_closed_pipe()  # as every command: 141, never 1 ("the server failed")
    sys.exit(code)


def __getattr__(name: str) -> Any:
    """`from runtui.cli import cli` and the like: the command tree, loaded on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    from runtui import commands

    return getattr(commands, name)
