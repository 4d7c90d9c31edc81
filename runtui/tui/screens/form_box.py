"""The frame of a form dialog (execute, a profile, an answer): one rule, each its own width.

Each dialog keeps its rules in its own DEFAULT_CSS (parsed when first shown, not at
start-up with the app's stylesheet), so the shared frame is written here once and put
in front of each dialog's rules.
"""

from __future__ import annotations


def form_box(selector: str, width: int) -> str:
    """The CSS rule for the dialog's scrolling box `selector`, `width` cells wide at most."""
    return (f"{selector} {{ width: {width}; max-width: 100%; height: auto; max-height: 100%; "
            "border: thick $primary; background: $surface; padding: 0 1; }\n")
