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
  once, the app after its first frame, with what start-up built collected once and
  frozen, so the collections while the runs load walk only the runs (hundreds of ms
  less to load 10k runs).
"""

from __future__ import annotations

import gc
import sys

UNUSED_EXTRAS = ("trio", "h2", "httpx._main")

_gc_paused = False


def skip_unused_extras() -> None:
    """Import the HTTP stack with those extras failing fast (as where they are not
    installed), then let them be imported again.

    Blocking them for the whole process would break a provider plugin that uses
    HTTP/2 or trio: the block lasts only while httpx and httpcore import.
    """
    blocked = [name for name in UNUSED_EXTRAS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import httpcore  # noqa: F401  (imported for its side effect: loaded without the extras)
        import httpx  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def pause_gc() -> None:
    """Stop cyclic collection until `resume_gc()` (a no-op if it was already off)."""
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc() -> None:
    """Undo `pause_gc()`; does nothing if this module did not pause the collector."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.enable()


def gc_paused() -> bool:
    return _gc_paused
