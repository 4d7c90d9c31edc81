"""What a terminal makes of shown text is as wide as runtui counts it.

Rich counted `🧑🏽‍🚀` as 2 cells and tmux drew it in 4 (`✔️`: 2 against 1), so in the run
table a cell written later landed 2 columns off and garbled the row (`10s5s`). Each text
is printed in a tmux pane and the cursor's column is read back."""

from __future__ import annotations

from pathlib import Path

from runtui.safe_text import cells, one_line
from tests.e2e.conftest import needs_tmux, tmux, wait_for
from tests.hostile.server import WIDE_NAMES

END = "|"  # printed after the text: its column is where the text ended

NAMES = [*WIDE_NAMES, "✉️ mail ✍🏻 sign", "👨\u200d👩\u200d👧\u200d👦 family 👩\u200d💻",
         "請求書照合 🇯🇵 Invoice", "リード選別エージェント👩\u200d💻審査フロー"]


@needs_tmux
def test_shown_text_ends_where_runtui_counts(tmux_server: None, tmp_path: Path) -> None:
    for i, name in enumerate(NAMES):
        text = tmp_path / f"text{i}"
        text.write_text(one_line(name) + END, encoding="utf-8")
        tmux("new-session", "-d", "-s", f"wide{i}", "-x", "120", "-y", "5", "-e", "LANG=C.UTF-8",
             f"cat {text}; sleep 60")
    drawn = {}
    for i, name in enumerate(NAMES):
        wait_for("the text printed", lambda: END in tmux("capture-pane", "-p", "-t", f"wide{i}"))  # noqa: B023
        drawn[one_line(name)] = int(tmux("display-message", "-p", "-t", f"wide{i}", "#{cursor_x}")) - len(END)
    assert drawn == {shown: cells(shown) for shown in drawn}
