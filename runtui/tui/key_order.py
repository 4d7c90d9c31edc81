"""Keys read in one burst act in the order they were typed, priority keys included.

Textual looks a key's binding up once the key has bubbled back to the app from the
widget it was queued on when it was read, except for a priority binding, which acts as
the key is read. A priority key read in one burst with the keys before it (fast typing,
a paste over SSH) so overtook them: `l/` opened the runs filter before the `l` had opened
the log whose search the `/` was meant for, and the `l` then went into the filter box;
Enter in the filter box closed it before a backspace read ahead of it was applied.

A priority action that decides where keys go asks `later(app)` first. Its key is then
sent round: a `KeyRoundTrip` takes it along the path the keys before it took, behind them
(each widget's queue is first in, first out), and when it reaches the app the key is read
again, as if typed then, looked up on the screen shown by then. Keys and pastes read while
one is on its way go round too, so nothing overtakes it. This costs the priority key a
few message hops (well under a millisecond), not a frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.widget import Widget

Typed = events.Key | events.Paste


class KeyRoundTrip(Message):
    """A key (or paste) on its way round behind the keys read before it; bubbles to the app."""

    def __init__(self, event: Typed) -> None:
        super().__init__()
        self.event = event


class KeyOrder:
    """The app's: which keys are on their way round, and the key being read now."""

    def __init__(self) -> None:
        self._reading: events.Key | None = None  # the key whose priority bindings are asked now
        self._again = False  # ... and it came back from its round (its action acts now)
        self._out = 0  # round trips not back yet
        self._via: Widget | None = None  # the widget they were posted to

    def goes_round(self, event: events.Event) -> bool:
        """A key or paste just read, while others are on their way round: sent round
        behind them (True); False to read it now."""
        if not self._out or not isinstance(event, Typed):
            return False
        if self._via is None or not self._via.is_attached:
            # Its screen went (escape typed ahead): what was on the way went with it.
            self._out, self._via = 0, None
            return False
        return self._send(self._via, event)

    def later(self, app: App[Any]) -> bool:
        """Asked by a priority action as its key is read: True when the key was sent
        round behind the keys read before it (the action must not act now: the key is
        read again once they have been handled); False to act now (the key came back
        from its round, or the action was not run by a key, e.g. from the palette)."""
        event = self._reading
        if event is None or self._again:
            return False
        target = app.focused or app.screen  # where Textual sends a key no priority binding took
        return self._send(target, event)

    def back(self, trip: KeyRoundTrip) -> Typed:
        """A round trip reached the app: its key, to be read now."""
        self._out = max(0, self._out - 1)
        if not self._out:
            self._via = None
        return trip.event

    @contextmanager
    def reading(self, event: events.Event, *, again: bool = False) -> Iterator[None]:
        """While the app reads `event` (its priority bindings may ask `later`)."""
        self._reading = event if isinstance(event, events.Key) else None
        self._again = again
        try:
            yield
        finally:
            self._reading, self._again = None, False

    def _send(self, target: Widget, event: Typed) -> bool:
        # A new event: Textual marks the one it forwards, and this one has to read as new.
        copy: Typed = (events.Key(event.key, event.character) if isinstance(event, events.Key)
                       else events.Paste(event.text))
        if not target.post_message(KeyRoundTrip(copy)):
            return False  # the widget is closing: read the key now
        self._out += 1
        self._via = target
        return True


def later(app: App[Any]) -> bool:
    """`KeyOrder.later` for the app's key order; False in an app without one (tests' hosts)."""
    order = getattr(app, "key_order", None)
    return isinstance(order, KeyOrder) and order.later(app)
