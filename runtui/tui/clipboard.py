"""Where a copied run id goes: the terminal's clipboard (OSC 52) and, inside tmux, tmux's own
paste buffer, which works whatever tmux's clipboard settings are.

tmux drops an application's OSC 52 unless `set-clipboard` is `on` (its default,
`external`, keeps it for tmux's own copies), so `y` used to say "copied" while
nothing reached any clipboard. `tmux load-buffer -w -` puts the text in tmux's
buffer (paste with prefix `]`) and, with `-w` and `set-clipboard` not `off`, sends
it on to the outer terminal's clipboard too.
"""

from __future__ import annotations

import os
import shutil
import subprocess

TIMEOUT = 2.0


def in_tmux() -> bool:
    return bool(os.environ.get("TMUX"))


def tmux_set_clipboard() -> str | None:
    """tmux's `set-clipboard` option (on / external / off), or None when it cannot be read."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    try:
        done = subprocess.run([tmux, "show-options", "-gv", "set-clipboard"], capture_output=True,
                              text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def tmux_load_buffer(text: str) -> bool:
    """Put `text` in tmux's paste buffer (and, where tmux allows, the outer clipboard)."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    for args in (["load-buffer", "-w", "-"], ["load-buffer", "-"]):  # -w: tmux 3.2 and later
        try:
            done = subprocess.run([tmux, *args], input=text, capture_output=True, text=True,
                                  timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if done.returncode == 0:
            return True
    return False


def where_copied(in_buffer: bool, set_clipboard: str | None, osc52: bool) -> str:
    """The toast's words: where the id went, and what gives the outer clipboard."""
    if not in_tmux():
        return "to the terminal's clipboard (OSC 52, where the terminal allows it)"
    if in_buffer and set_clipboard != "off":
        return ("to tmux's paste buffer (prefix ]) and on to the terminal's clipboard"
                if set_clipboard == "on" else
                "to tmux's paste buffer (prefix ]); `set -g set-clipboard on` also gives "
                "the terminal's clipboard")
    if in_buffer:
        return "to tmux's paste buffer (prefix ]); tmux's set-clipboard is off"
    return ("to the terminal's clipboard (OSC 52 through tmux)" if osc52 else
            "nowhere: tmux's buffer could not be written and set-clipboard is off")
