"""Where toasts go: never over a dialog, and at 80x24 never over most of the table.

Textual draws toasts (`app.notify`) in a rack docked at the bottom right, on a layer
above everything a screen holds, as tall as its toasts. At 80x24 a confirmation
("Cancel run …?") is 60 columns wide in the middle of the screen, and a few toasts
covered its question and its y/n buttons; on the runs screen they piled up over the
table's rows. Here each screen's rack gets a height, its *room*:

* on a dialog's screen (`keep_toasts_under`): the rows under the dialog, none when the
  dialog fills the screen. The rack clips what it holds, so a toast can never reach
  into the dialog, not even for the one frame before the toasts are fitted;
* on a short screen (the app's "-short" class, 80x24 and the like): `SHORT_SHARE` of
  its height;
* elsewhere: no limit, Textual's own layout (200x50 looks as it always did).

In that room the newest toasts show whole and the older ones that no longer fit are
put away (not displayed) until there is room again. Textual lays the rack out from the
top, so without this its overflow would hide the newest toasts, not the oldest (an
invisible container does not scroll). The newest toast always shows, clipped if it is
taller than the room. A toast put away comes back when there is room again, and the
ones a dialog had no room for are up on the screen underneath when it closes (its
copies are hidden meanwhile: the app's "-covered" class). None is lost: the app keeps
what each said (`RuntuiApp.messages`, listed by `M`).

The command palette (ctrl+p) is docked at the top and its list of commands grows down
the screen: toasts at the bottom right covered the commands being chosen. While it is
open, toasts are held (`holds_toasts`): new ones are shown when it closes, with their
whole time to be read (and listed by `M` at once); the ones already up are hidden
(no room) and are up again on the screen underneath when it closes.

Only public API: the rack and its holders are found by CSS type name and sized and
hidden with their styles; the work is done after each layout of a screen
(`screen_layout_refresh_signal`), when every toast's height is known.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary, WeakSet

import msgspec
from textual.command import CommandPalette

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.widget import Widget

RACK = "ToastRack"
"""Textual's toast container, one per screen (a CSS type name: the class is not exported)."""
RACK_MARGIN = 1
"""The rows Textual's CSS keeps under the rack (its margin-bottom: a footer's line)."""
SHORT_SHARE = 0.4
"""The share of a short screen's height toasts may take (9 of 24 rows: three or four toasts)."""

KEPT = 200
"""Toasts the app keeps the words of (`RuntuiApp.messages`, `M`); the oldest go first."""


class Said(msgspec.Struct, frozen=True):
    """One toast's words as shown (already made harmless), and when."""

    at: datetime
    severity: str
    title: str
    text: str


class Held(NamedTuple):
    """A toast waiting for the command palette to close: as `App.notify` takes it."""

    text: str
    title: str
    severity: SeverityLevel
    seconds: float


_dialogs: WeakKeyDictionary[Screen[Any], Widget] = WeakKeyDictionary()
_watched: WeakSet[Screen[Any]] = WeakSet()


def watch(app: App[Any]) -> None:
    """Fit the toasts of every screen the app shows, after each of its layouts (call once)."""
    def shown(screen: Screen[Any]) -> None:
        if screen not in _watched:
            _watched.add(screen)
            # The app subscribes (a screen being pushed is not running yet).
            screen.screen_layout_refresh_signal.subscribe(app, fit_toasts)

    app.screen_change_signal.subscribe(app, shown)
    shown(app.screen)


def keep_toasts_under(dialog: Widget) -> None:
    """Give toasts only the rows under `dialog` on its screen (call from the screen's on_mount).

    Until the first layout places the dialog the rack has no room at all.
    """
    screen = dialog.screen
    _dialogs[screen] = dialog
    for rack in screen.query_children(RACK):
        rack.styles.max_height = 0


def rows_under(dialog: Widget) -> int:
    """The rows toasts may take under `dialog` (0 before its first layout)."""
    region = dialog.region
    if not region.height:
        return 0
    return max(0, dialog.screen.size.height - RACK_MARGIN - region.bottom)


def holds_toasts(screen: Screen[Any]) -> bool:
    """New toasts wait while `screen` shows (the command palette: it has no room to spare)."""
    return isinstance(screen, CommandPalette)


def room(screen: Screen[Any]) -> int | None:
    """How many rows the toasts of `screen` may take; None: as many as they need."""
    if holds_toasts(screen):
        return 0
    dialog = _dialogs.get(screen)
    if dialog is not None:
        return rows_under(dialog)
    if screen.has_class("-short"):
        return int(screen.size.height * SHORT_SHARE)
    return None


def fit_toasts(screen: Screen[Any]) -> None:
    """Size the rack of `screen` to its room and show the newest toasts that fit in it."""
    rows = room(screen)
    for rack in screen.query_children(RACK):
        current = rack.styles.max_height
        if (current.cells if current is not None else None) != rows:
            rack.styles.max_height = rows
        left = rows
        for newest, holder in enumerate(reversed(rack.children)):
            height = sum(toast.outer_size.height + toast.styles.margin.top + toast.styles.margin.bottom
                         for toast in holder.children)
            fits = left is None or newest == 0 or height <= left
            if left is not None:
                # once one does not fit, the older ones stay away too: the order is kept
                left = left - height if fits else -1
            if holder.display != fits:
                holder.display = fits
