"""runtui as a user's install has it: compiled to bytecode before anything is timed."""

from __future__ import annotations

from pathlib import Path


def compile_app() -> None:
    """Write runtui's bytecode before any start-up is timed, as a user's install has it.

    pip compiles an installed package, and a source checkout writes `__pycache__` on its
    first run, so users start from bytecode. A machine that sets PYTHONDONTWRITEBYTECODE
    (this one does) would otherwise compile every runtui module from source at every
    start: ~50 ms of the first-rows figure that no user pays twice. Writing it is
    allowed whatever that variable says; the start-ups then only read it.
    """
    import compileall

    import runtui

    compileall.compile_dir(str(Path(runtui.__file__).parent), quiet=1)
