"""Process-wide start-up settings of the `runtui` command (not of runtui used as a library).

The time to the first table rows is CPU time: imports, Textual's start-up and the
first pages of runs. Two things in it are pure overhead:

* optional extras of httpx / httpcore that runtui never uses but that are imported
  eagerly whenever they are installed: trio (httpcore's other async backend; runtui
  runs on asyncio), h2 (HTTP/2; runtui's clients speak HTTP/1.1) and httpx's own
  command line (`httpx._main`: pygments, rich.progress). About 80 ms together.
* the cyclic garbage collector, which walks the whole, growing heap again and again
  while start-up builds it (modules, Textual, the first screen): tens of ms before
  the first frame. It is paused from the start; a one-shot command resumes it at
  once. The app collects and freezes what start-up built after its first frame and
  resumes it once the first load is in (every run read then lives on: collections
  would only walk them again), or after 30 s whatever the load does.
"""

from __future__ import annotations

import sys

from runtui import collector

UNUSED_EXTRAS = ("trio", "h2", "httpx._main")

START_UP = "start-up"  # the collector's holder name for this module
_blocked: list[str] = []  # extras this module made fail, until released


def skip_unused_extras() -> None:
    """Make those imports fail fast, as where the packages are not installed, until the
    HTTP stack has loaded (`release_unused_extras`)."""
    for name in UNUSED_EXTRAS:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]
            _blocked.append(name)


def release_unused_extras() -> None:
    """Let them be imported again. Called once httpx and httpcore have loaded: blocking
    them for the whole process would break a provider plugin that uses HTTP/2 or trio."""
    while _blocked:
        name = _blocked.pop()
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


def pause_gc() -> None:
    """Stop cyclic collection until `resume_gc()` (a no-op if start-up holds it already)."""
    if not collector.held(START_UP):
        collector.hold(START_UP)


def resume_gc() -> None:
    """Undo `pause_gc()`; does nothing if start-up did not pause the collector."""
    if collector.held(START_UP):
        collector.release(START_UP)


def gc_paused() -> bool:
    return collector.held(START_UP)
