"""Putting the repaints a keystroke causes into one frame.

A widget asks the screen to repaint it when its own message queue next goes idle.
When one key changes several widgets (the filter box, the table's rows, its
scrollbar, the summary line), those requests reach the screen at different times,
and the ones that miss the first frame wait for the next (17-30 ms later). Asking
for them at the end of the key's handler puts them all in the first frame.

This calls `Widget._check_refresh`, the method Textual's own idle handler calls:
private API, so only while `runtui.tui.switch` is on; in stock mode the repaints
come as Textual schedules them.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.widget import Widget

from runtui import collector
from runtui.tui import switch


def repaint_now(*widgets: Widget) -> None:
    if not switch.private():
        return
    for widget in widgets:
        if widget.is_attached:
            widget._check_refresh()


COLLECTOR_HOLD_LIMIT = 0.5  # seconds the collector stays off when no frame comes
FRAME = "frame"  # the collector's holder name for a change waiting for its frame


def hold_collector(widget: Widget) -> None:
    """No cyclic collection between a change to `widget` and the frame that shows it.

    At 50,000 runs a sort or a filter builds lists of 50,000 rows; the young-generation
    collections the repaint then triggers walk them in the middle of the key's frame
    (1-3 ms of a 16 ms budget). A widget holds it when it asks for a repaint and calls
    `release_collector` once it has drawn; COLLECTOR_HOLD_LIMIT ends a hold no frame ends.
    The same work is done, after the screen is. (Public API only: stock mode does it too.)
    """
    if collector.held():  # held already (by a frame, or start-up's load)
        return
    collector.hold(FRAME)
    widget.set_timer(COLLECTOR_HOLD_LIMIT, release_collector, name="collector-hold")


def release_collector() -> None:
    """Undo `hold_collector` (nothing when it holds nothing)."""
    collector.release(FRAME)


def collector_held() -> bool:
    return collector.held(FRAME)


WRITE_GRACE = 0.004  # seconds the loop stays idle after a frame before work that can wait


def after_frame(node: MessagePump, callback: Callable[[], object], *, name: str) -> None:
    """Run `callback` once `node`'s next frame is drawn and has had WRITE_GRACE to reach
    the terminal.

    Textual hands each frame to its writer thread, which needs the GIL for every piece
    it writes: work started straight after the frame (`call_after_refresh`) held the
    frame back until it ended or the interpreter forced a switch. At 50,000 runs the
    filter's prefetch for the next letter (1-8 ms) kept a 15 KB frame waiting as long
    (a second letter: 26.6 ms to the terminal for 17.2 ms of work). An idle moment lets
    it out first; a key pressed within it finds the work undone and does without.
    """
    node.call_after_refresh(lambda: node.set_timer(WRITE_GRACE, callback, name=name))
