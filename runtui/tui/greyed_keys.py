"""A greyed-out key that was pressed: which of the screen's actions it would have run.

Textual skips a binding whose check_action is falsy, so a refused key (pause on an Edges
run, anything on a read-only profile) would do nothing at all; the runs and detail screens
answer it anyway (`AnswersGreyedKeys`), so that it says why nothing is sent.

The app asks the screen shown when the key has bubbled back up to it, as Textual looks up
bindings then: a key typed in one burst after `e` passes through the runs screen before
the `e` opened the form, and asked there, the runs screen took a "p" meant for the form.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual import events
from textual.actions import parse as parse_action
from textual.dom import DOMNode


@runtime_checkable
class AnswersGreyedKeys(Protocol):
    """A screen that says why its greyed-out keys do nothing (RuntuiApp.on_key asks it)."""

    def answer_greyed(self, name: str, params: tuple[object, ...]) -> bool:
        """Run the action `name` of a greyed binding to say why; False if not taken."""


def greyed_action(node: DOMNode, event: events.Key) -> tuple[str, tuple[object, ...]] | None:
    """(action name, parameters) of `node`'s own binding for `event`'s key when it is greyed
    out; None when the key is not `node`'s or is enabled (Textual runs it then)."""
    active = node.screen.active_bindings.get(event.key) if node.is_attached else None
    if active is None or active.enabled or active.node is not node:
        return None
    _, name, params = parse_action(active.binding.action)
    return name, tuple(params)


def answer_greyed_key(screen: DOMNode, event: events.Key) -> bool:
    """Let `screen` (the one shown, as the key reaches the app) answer a greyed-out key
    of its own; True if it did (the key is then used up)."""
    if not isinstance(screen, AnswersGreyedKeys):
        return False
    greyed = greyed_action(screen, event)
    return greyed is not None and screen.answer_greyed(*greyed)
