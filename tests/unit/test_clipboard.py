"""The copy toast says where the id went, for every tmux clipboard setting."""

from __future__ import annotations

import pytest

from runtui.tui.clipboard import where_copied


def test_outside_tmux_it_is_osc52(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    assert "OSC 52" in where_copied(False, None, True)


@pytest.mark.parametrize(("in_buffer", "setting", "osc52", "words"), [
    (True, "on", True, "paste buffer (prefix ]) and on to the terminal's clipboard"),
    (True, "external", True, "`set -g set-clipboard on` also gives"),
    (True, "off", False, "set-clipboard is off"),
    (False, "on", True, "OSC 52 through tmux"),
    (False, "off", False, "nowhere"),
])
def test_inside_tmux_the_toast_names_each_place(monkeypatch: pytest.MonkeyPatch, in_buffer: bool,
                                               setting: str, osc52: bool, words: str) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    assert words in where_copied(in_buffer, setting, osc52)
