"""A greyed-out key that was pressed: which of the screen's actions it would have run.

Textual skips a binding whose check_action is falsy, so a refused key (pause on an Edges
run, anything on a read-only profile) would do nothing at all; the runs and detail screens
ask this, then run the action anyway so that it says why nothing is sent.
"""

from __future__ import annotations

from textual import events
from textual.actions import parse as parse_action
from textual.dom import DOMNode


def greyed_action(node: DOMNode, event: events.Key) -> tuple[str, tuple[object, ...]] | None:
    """(action name, parameters) of `node`'s own binding for `event`'s key when it is greyed
    out; None when the key is not `node`'s or is enabled (Textual runs it then)."""
    active = node.screen.active_bindings.get(event.key) if node.is_attached else None
    if active is None or active.enabled or active.node is not node:
        return None
    _, name, params = parse_action(active.binding.action)
    return name, tuple(params)
