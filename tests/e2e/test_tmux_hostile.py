"""The real process in tmux against a hostile server: with `set-clipboard on`, no escape
from the server may write a tmux buffer (OSC 52) or change the pane title (OSC 0), and `y`
copies no id holding one."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.conftest import RUNTUI, needs_tmux, screen, tmux, wait_for
from tests.hostile.conftest import KEY, KEY_ENV, write_config
from tests.hostile.server import HostileServer


@needs_tmux
def test_no_clipboard_write_and_no_title_change(tmux_server: None, tmp_path: Path) -> None:
    with HostileServer("inject") as server:
        config = write_config(tmp_path / "c.toml", {"evil": server})
        state = tmp_path / "state"
        env = os.environ | {"RUNTUI_STATE_DIR": str(state), KEY_ENV: KEY}
        tmux("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "30", "-c", str(tmp_path), env=env)
        tmux("set-option", "-g", "set-clipboard", "on")
        tmux("set-option", "-g", "allow-rename", "on")
        title = tmux("display-message", "-p", "-t", "e2e", "#{pane_title}").strip()
        tmux("send-keys", "-t", "e2e", f"env {KEY_ENV}={KEY} RUNTUI_STATE_DIR={state} "
             + " ".join([*RUNTUI, "--config", str(config)]), "Enter")
        wait_for("the hostile runs on screen", lambda: "2/2 runs" in screen(), show=screen)
        tmux("send-keys", "-t", "e2e", "Enter")  # the detail: an error with ESC [2J and OSC 0
        wait_for("the detail", lambda: "boom" in screen(), show=screen)
        assert tmux("list-buffers").strip() == "", "a server escape wrote the clipboard"
        assert tmux("display-message", "-p", "-t", "e2e", "#{pane_title}").strip() == title
        assert "␛[2J" in screen(), "the escape is shown as a visible stand-in"
        tmux("send-keys", "-t", "e2e", "Escape")
        wait_for("the table again", lambda: "2/2 runs" in screen() and "␛]52;c;" in screen(), show=screen)
        assert tmux("list-buffers").strip() == ""
        # `y` on each row: the id full of escapes is refused, the plain one is copied.
        for _row in range(2):
            tmux("send-keys", "-t", "e2e", "y")
            tmux("send-keys", "-t", "e2e", "Down")
        wait_for("both copies answered", lambda: "not copied" in screen() and "copied my-own-run" in screen(),
                 show=screen)
        assert tmux("show-buffer").strip() == "my-own-run"
        assert len(tmux("list-buffers").strip().splitlines()) == 1, "the hostile id reached tmux's buffer"
        tmux("send-keys", "-t", "e2e", "q")
