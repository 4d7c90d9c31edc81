"""The one switch for every use of Textual's private API.

runtui's measured wins over SSH (an input thread that sleeps until a key comes,
no frame sent again while the terminal shows it, partial updates cropped to the changed cells, a run
table that does not repaint on layout passes that leave it alone, one frame per
keystroke) stand on names
Textual does not promise to keep, and one (a run table that draws its lines past the
styles cache, `RunLines._plain_lines`) on how the tested versions' styles cache draws.
They are all on or all off, decided once per process, here:

* off when `RUNTUI_STOCK_TEXTUAL=1` (or the older `RUNTUI_STOCK_DRIVER=1`);
* off, with one warning in the log, when the installed Textual is not a version
  these paths were tested with, or when a private name they use is missing
  (checked up front, not discovered in the middle of a frame).

Off ("stock mode") means Textual's own driver and compositor and no override of
a private method: more bytes and wake-ups over SSH, the same screens.

"The log" is the `runtui` Python logger: the app writes it to `runtui.log` in
the state directory (`runtui.tui.launch`), and the app repeats the line in
Textual's own log (`textual console`).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.screen import Screen

STOCK_ENV = "RUNTUI_STOCK_TEXTUAL"
OLD_STOCK_ENV = "RUNTUI_STOCK_DRIVER"  # what 0.1 called it: still honoured
TESTED_TEXTUAL = frozenset({"8.2.8"})
"""Textual releases the private paths were run against (the test extra pins one of them)."""

log = logging.getLogger("runtui.tui")


class PrivateName(msgspec.Struct, frozen=True):
    """One private name runtui uses: `owner` is "module" or "module:Class"; `name` an
    attribute of it, or (`in_init`) one the class sets on its instances in `__init__`."""

    owner: str
    name: str
    in_init: bool = False

    def __str__(self) -> str:
        return f"{self.owner}.{self.name}"


PRIVATE_NAMES: tuple[PrivateName, ...] = (
    # compositor.py: partial updates cropped to the dirty cells
    PrivateName("textual._compositor", "Compositor"),
    PrivateName("textual._compositor", "ChopsUpdate"),
    PrivateName("textual._compositor:Compositor", "render_partial_update"),
    PrivateName("textual._compositor:Compositor", "_get_renders"),
    PrivateName("textual._compositor:Compositor", "visible_widgets"),
    PrivateName("textual._compositor:Compositor", "_dirty_regions", in_init=True),
    PrivateName("textual._compositor:ChopsUpdate", "render_segments"),
    PrivateName("textual._compositor:ChopsUpdate", "chops", in_init=True),
    PrivateName("textual._compositor:ChopsUpdate", "spans", in_init=True),
    PrivateName("textual._compositor:ChopsUpdate", "chop_ends", in_init=True),
    PrivateName("textual.screen:Screen", "_compositor", in_init=True),
    # driver.py: an input thread that sleeps until there is input
    PrivateName("textual._xterm_parser", "XTermParser"),
    PrivateName("textual._xterm_parser:XTermParser", "feed"),
    PrivateName("textual._xterm_parser:XTermParser", "tick"),
    PrivateName("textual._xterm_parser:XTermParser", "_timeout_time", in_init=True),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "run_input_thread"),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "disable_input"),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "_debug", in_init=True),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "exit_event", in_init=True),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "fileno", in_init=True),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "_sigtstp_application"),
    PrivateName("textual.drivers.linux_driver:LinuxDriver", "_sigcont_application"),
    PrivateName("textual.driver:Driver", "_auto_restart", in_init=True),
    # frames.py: the repaints of one keystroke in one frame
    PrivateName("textual.widget:Widget", "_check_refresh"),
    # widgets/run_lines.py: no repaint on a layout pass that leaves the table's size alone
    PrivateName("textual.scroll_view:ScrollView", "_size_updated"),
    PrivateName("textual.widget:Widget", "_scroll_update"),
    PrivateName("textual.widget:Widget", "_size", in_init=True),
    # app.py: an unhandled exception reported without locals (runtui.tui.crash)
    PrivateName("textual.app:App", "_fatal_error"),
    # app.py: OSC 52 wrapped for tmux, written to the terminal
    PrivateName("textual.app:App", "_driver", in_init=True),
    PrivateName("textual.app:App", "_clipboard", in_init=True),
)


class Decision(msgspec.Struct, frozen=True):
    private: bool  # True: runtui's private-API paths are on
    reason: str  # why they are off ("" when on)
    warn: bool = False  # turned off automatically (not asked for): worth a line in the log


def decide(env: Mapping[str, str], version: str | None, missing: Iterable[str]) -> Decision:
    """The switch's rule, on its inputs (so tests can give it any)."""
    for var in (STOCK_ENV, OLD_STOCK_ENV):
        if env.get(var, "") not in ("", "0"):
            return Decision(False, f"{var}={env[var]}")
    if version not in TESTED_TEXTUAL:
        tested = ", ".join(sorted(TESTED_TEXTUAL))
        return Decision(False, f"Textual {version} is not a tested version ({tested})", warn=True)
    gone = list(missing)
    if gone:
        return Decision(False, f"Textual {version} lacks {', '.join(gone)}", warn=True)
    return Decision(True, "")


def missing_names(names: Iterable[PrivateName] = PRIVATE_NAMES) -> list[str]:
    """The private names the installed Textual does not have."""
    return [str(n) for n in names if not _has(n)]


def _has(name: PrivateName) -> bool:
    module_name, _, class_name = name.owner.partition(":")
    try:
        owner: object = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
    except (ImportError, AttributeError):
        return False
    if not name.in_init:
        return hasattr(owner, name.name)
    # An instance attribute: one of the classes' __init__ assigns it (read from its
    # code; making an instance would need a running app).
    for cls in getattr(owner, "__mro__", ()):
        init = cls.__dict__.get("__init__")
        code = getattr(init, "__code__", None)
        if code is not None and name.name in code.co_names:
            return True
    return False


def textual_version() -> str | None:
    """The installed Textual's version: read from the one `textual-*.dist-info` beside the
    imported package when there is one, else asked of importlib.metadata.

    The switch is decided before the first frame, and nothing else at start-up needs
    importlib.metadata: importing it and its lookup took ~9 ms of the time to the first
    rows, the metadata file beside the package ~0.2 ms. An editable or unusual install
    (no such directory, or two) takes the library's answer.
    """
    import textual

    found = version_beside(textual.__file__ or "", "textual")
    if found is not None:
        return found
    from importlib import metadata

    try:
        return metadata.version("textual")
    except metadata.PackageNotFoundError:
        return None


def version_beside(package_init: str, name: str) -> str | None:
    """The Version of the distribution `name` from the single `<name>-*.dist-info` in the
    directory that holds the package whose `__init__.py` is `package_init`; None when
    there is no such directory, more than one, or its METADATA names another project."""
    site = os.path.dirname(os.path.dirname(package_init))
    prefix = f"{name}-"
    try:
        found = [d for d in os.listdir(site) if d.startswith(prefix) and d.endswith(".dist-info")]
    except OSError:
        return None
    if len(found) != 1:
        return None
    headers: dict[str, str] = {}
    try:
        with open(os.path.join(site, found[0], "METADATA"), encoding="utf-8") as file:
            for line in file:
                if not line.strip():
                    break  # the headers end at the first blank line; the long description follows
                key, colon, value = line.partition(":")
                if colon and key in ("Name", "Version"):
                    headers.setdefault(key, value.strip())
    except (OSError, UnicodeDecodeError):
        return None
    if _normalized(headers.get("Name", "")) != _normalized(name):
        return None
    return headers.get("Version") or None


def _normalized(project: str) -> str:
    """A project name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", project).lower()


@functools.cache
def decision() -> Decision:
    """Decided on first use, once per process (tests call `decision.cache_clear()`)."""
    version = textual_version()
    # Names are only probed on a tested version: on another one the answer is "off" anyway.
    missing = missing_names() if version in TESTED_TEXTUAL else ()
    made = decide(os.environ, version, missing)
    if made.warn:
        log.warning("Textual's private API is off (stock mode): %s", made.reason)
    return made


def private() -> bool:
    """Are runtui's private-API paths on in this process?"""
    return decision().private


# ---- the private paths that are chosen at run time (the rest: see PRIVATE_NAMES) ----------


def driver_class(chosen: type[Driver]) -> type[Driver]:
    """Textual's choice of driver; its Linux one becomes the quiet one while the switch is on."""
    textual_linux = (chosen.__module__, chosen.__name__) == ("textual.drivers.linux_driver", "LinuxDriver")
    if textual_linux and private():
        from runtui.tui.driver import QuietLinuxDriver

        return QuietLinuxDriver
    return chosen


def use_cropping_compositor(screen: Screen[Any]) -> None:
    """Give `screen` the cropping compositor (call from its __init__) while the switch is on."""
    if private():
        from runtui.tui.compositor import install_cropping_compositor

        install_cropping_compositor(screen)
